"""TracingLayer: any agent traced from its event stream, with the loop's span ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from trace_helpers import Gate, drain, shape, traced_agent

from remi_web import (
    AgentEvent,
    ChatCtx,
    ChatRequest,
    Custom,
    Done,
    InterruptEvent,
    MemoryStore,
    RunStart,
    ScriptedModel,
    TextDelta,
    ToolCall,
    ToolResult,
    TurnStart,
    Usage,
    UsageEvent,
)
from remi_web.core.compose import Composable
from remi_web.core.ids import RunId, ThreadId
from remi_web.tracing.tracer import NO_TRACER
from remi_web.tracing import RecordingTracer, TracingLayer

pytestmark = pytest.mark.pyodide


def spans(records: list) -> list[tuple[str, str, str | None]]:  # type: ignore[type-arg]
    return [(r.type, r.span_id, getattr(r, "parent_id", None)) for r in records]


async def test_the_layer_traces_a_loop_as_the_loop_traces_itself() -> None:
    script = [[ToolCall("balance"), ToolCall("slow_lookup", {"name": "ann"})], ["Done."]]
    by_loop, by_layer, gate = RecordingTracer(), RecordingTracer(), Gate()
    agent = traced_agent(ScriptedModel(script), by_loop, gate=gate)
    async for event in agent.layer(TracingLayer(by_layer, name="AgentLoop")).chat("go"):
        if isinstance(event, ToolResult):
            gate.opened.set()
    assert shape(by_layer.records) == shape(by_loop.records)
    assert spans(by_layer.records) == spans(by_loop.records)
    loop_end, layer_end = by_loop.records[2], by_layer.records[2]
    assert layer_end.text == loop_end.text and layer_end.usage == loop_end.usage  # type: ignore[union-attr]
    assert layer_end.tool_calls == loop_end.tool_calls  # type: ignore[union-attr]
    assert by_layer.records[-1].usage == by_loop.records[-1].usage  # type: ignore[union-attr]


@pytest.mark.parametrize("case", ["cancel", "model_error", "max_turns"])
async def test_the_layer_sees_cancels_and_errors_as_the_loop_does(case: str) -> None:
    by_loop, by_layer, ctx = RecordingTracer(), RecordingTracer(), ChatCtx()
    script = {
        "cancel": [["Once", " upon"]],
        "model_error": [[ToolCall("balance")]],
        "max_turns": [[ToolCall("balance")], [ToolCall("balance")]],
    }[case]
    agent = traced_agent(ScriptedModel(script), by_loop)
    agent.max_turns = 1 if case == "max_turns" else 10
    async for event in agent.layer(TracingLayer(by_layer, name="AgentLoop")).chat("go", ctx):
        if case == "cancel" and isinstance(event, TextDelta):
            ctx.cancel()
    assert shape(by_layer.records) == shape(by_loop.records)
    assert spans(by_layer.records) == spans(by_loop.records)
    assert shape(by_loop.records)[-1] in ("run_end:cancelled", "run_end:failed")


async def test_the_layer_follows_interrupt_and_resume_across_processes() -> None:
    store = MemoryStore()
    script = [[ToolCall("transfer", {"amount": 5})], ["Sent."]]
    first, second = RecordingTracer(), RecordingTracer()
    agent = traced_agent(ScriptedModel(script), NO_TRACER, store)
    pause = (await drain(agent.layer(TracingLayer(first)).chat("pay")))[-1]
    assert isinstance(pause, InterruptEvent)
    other = traced_agent(ScriptedModel([script[1]]), NO_TRACER, store)
    payloads = {pause.interrupts[0].interrupt_id: "yes"}
    await drain(other.layer(TracingLayer(second)).chat(ChatRequest.resume(pause.run_id, payloads)))
    assert shape(first.records) == [
        "run_start", "model_start:1", "model_end:1", "tool_start:transfer",
        "tool_end:transfer:interrupted", "interrupt", "run_end:interrupted",
    ]
    assert shape(second.records) == [
        "run_resumed", "resume:interrupts", "tool_start:transfer:resumed", "tool_end:transfer",
        "model_start:2", "model_end:2", "run_end:done",
    ]
    assert second.records[0].span_id == first.records[0].span_id
    assert second.records[0].started_at == first.records[-1].started_at  # type: ignore[union-attr]
    assert second.records[2].span_id == first.records[3].span_id


@dataclass
class Replay(Composable[ChatRequest, AgentEvent]):
    """A remote-looking agent: it only replays events (as an HttpAgent would)."""

    events: list[AgentEvent]

    async def chat(self, request: ChatRequest, ctx: ChatCtx) -> AsyncIterator[AgentEvent]:
        for event in self.events:
            yield event


async def test_the_layer_traces_an_agent_it_knows_only_by_its_events() -> None:
    run, thread = RunId("run-1"), ThreadId("thread-1")
    remote = Replay([
        RunStart(run, thread), TurnStart(1), TextDelta("Hel"), TextDelta("lo"),
        UsageEvent(Usage(3, 2)), Custom("note", {"k": 1}), Done(run, "Hello", Usage(3, 2)),
    ])
    tracer = RecordingTracer()
    await drain(remote.layer(TracingLayer(tracer, name="remote")).chat(ChatRequest.user("hi")))
    assert shape(tracer.records) == [
        "run_start", "model_start:1", "model_end:1", "custom:note", "run_end:done",
    ]
    start, model_start, model_end = tracer.records[:3]
    assert start.name == "remote" and start.messages == [{"role": "user", "content": "hi"}]  # type: ignore[union-attr]
    assert model_start.messages is None  # type: ignore[union-attr]
    assert model_end.text == "Hello" and model_end.usage == Usage(3, 2)  # type: ignore[union-attr]
    assert model_end.first_token_at is not None  # type: ignore[union-attr]


async def test_an_agent_that_raises_is_traced_as_failed() -> None:
    class Failing(Composable[ChatRequest, AgentEvent]):
        async def chat(self, request: ChatRequest, ctx: ChatCtx) -> AsyncIterator[AgentEvent]:
            yield RunStart(RunId("r"), ThreadId("t"))
            yield TurnStart(1)
            raise ConnectionError("connection reset")

    tracer = RecordingTracer()
    with pytest.raises(ConnectionError):
        await drain(Failing().layer(TracingLayer(tracer)).chat(ChatRequest.user("hi")))
    assert shape(tracer.records) == [
        "run_start", "model_start:1", "model_end:1:error", "error:internal", "run_end:failed",
    ]
