"""The loop's tracer hooks: exact order per run shape, span tree, continuity across resume."""

from __future__ import annotations

import logging
import pytest
from trace_helpers import Gate, drain, shape, traced_agent

from remi_web import (
    AgentBuilder,
    ChatCtx,
    ChatRequest,
    InterruptEvent,
    MemoryStore,
    NeedToolExecution,
    ScriptedModel,
    TextDelta,
    ToolCall,
    ToolCtx,
    ToolDefinition,
    ToolOutcome,
    ToolResult,
    tool,
)
from remi_web.core.ids import derive_span_id, run_span_id
from remi_web.tracing.run_trace import RunTrace
from remi_web.tracing.records import (
    ModelEndTrace,
    RunEndTrace,
    RunResumedTrace,
    RunStartTrace,
    ToolEndTrace,
    ToolStartTrace,
)
from remi_web.tracing import NO_TRACER, BaseTracer
from remi_web.tracing import RecordingTracer, trace_custom

pytestmark = pytest.mark.pyodide


async def test_text_only_run() -> None:
    tracer = RecordingTracer()
    agent = traced_agent(ScriptedModel([["Hello", " there"]]), tracer)
    events = await drain(agent.chat("hi"))
    assert shape(tracer.records) == ["run_start", "model_start:1", "model_end:1", "run_end:done"]
    start, model_start, model_end, end = tracer.records
    assert isinstance(start, RunStartTrace) and isinstance(end, RunEndTrace)
    assert isinstance(model_end, ModelEndTrace)
    assert start.run_id == events[0].run_id and start.parent_id is None
    assert start.span_id == run_span_id(None, start.run_id)
    assert model_start.parent_id == start.span_id == end.span_id
    assert model_end.text == "Hello there" and model_end.usage.completion_tokens == 2
    assert model_end.first_token_at is not None
    assert model_end.started_at <= model_end.first_token_at <= model_end.at
    assert start.messages == [{"role": "user", "content": "hi"}]
    assert end.output == "Hello there" and end.turns == 1 and end.usage == events[-1].usage
    assert end.started_at <= start.at


async def test_tool_run() -> None:
    tracer = RecordingTracer()
    model = ScriptedModel([[ToolCall("balance")], ["You have 100."]])
    await drain(traced_agent(model, tracer).chat("balance?"))
    assert shape(tracer.records) == [
        "run_start", "model_start:1", "model_end:1", "tool_start:balance", "tool_end:balance",
        "model_start:2", "model_end:2", "run_end:done",
    ]
    tool_start, tool_end = tracer.records[3], tracer.records[4]
    assert isinstance(tool_start, ToolStartTrace) and isinstance(tool_end, ToolEndTrace)
    assert tool_start.span_id == tool_end.span_id
    assert tool_start.parent_id == tracer.records[0].span_id
    assert tool_end.result == "100" and tool_end.started_at == tool_start.at
    model_end = tracer.records[2]
    assert isinstance(model_end, ModelEndTrace)
    assert model_end.tool_calls == [{"id": "call_0_0", "name": "balance", "arguments": {}}]


async def test_parallel_tools_start_together_and_end_as_they_finish() -> None:
    tracer, gate = RecordingTracer(), Gate()
    model = ScriptedModel([[ToolCall("slow_lookup", {"name": "ann"}), ToolCall("balance")], ["ok"]])
    agent = traced_agent(model, tracer, gate=gate)
    async for event in agent.chat("go"):
        if isinstance(event, ToolResult) and event.name == "balance":
            gate.opened.set()
    assert shape(tracer.records) == [
        "run_start", "model_start:1", "model_end:1",
        "tool_start:slow_lookup", "tool_start:balance",
        "tool_end:balance", "tool_end:slow_lookup",
        "model_start:2", "model_end:2", "run_end:done",
    ]
    spans = {r.span_id for r in tracer.records if isinstance(r, ToolStartTrace)}
    assert len(spans) == 2


async def test_interrupt_then_resume_in_a_new_loop_continues_the_same_tree() -> None:
    store = MemoryStore()
    first_tracer, second_tracer = RecordingTracer(), RecordingTracer()
    script = [[ToolCall("balance"), ToolCall("transfer", {"amount": 5})], ["Sent."]]
    first = traced_agent(ScriptedModel(script), first_tracer, store)
    pause = (await drain(first.chat("send 5")))[-1]
    assert isinstance(pause, InterruptEvent)
    assert shape(first_tracer.records) == [
        "run_start", "model_start:1", "model_end:1", "tool_start:balance",
        "tool_start:transfer", "tool_end:balance", "tool_end:transfer:interrupted",
        "interrupt", "run_end:interrupted",
    ]
    # Another process: a new loop (and tracer) sharing only the store; the model goes on.
    second_model = ScriptedModel([script[1]])
    second = traced_agent(second_model, second_tracer, store)
    payloads = {pause.interrupts[0].interrupt_id: "yes"}
    await drain(second.chat(ChatRequest.resume(pause.run_id, payloads), ChatCtx()))
    assert shape(second_tracer.records) == [
        "run_resumed", "resume:interrupts", "tool_start:transfer:resumed", "tool_end:transfer",
        "model_start:2", "model_end:2", "run_end:done",
    ]
    start, resumed = first_tracer.records[0], second_tracer.records[0]
    assert isinstance(start, RunStartTrace) and isinstance(resumed, RunResumedTrace)
    assert resumed.span_id == start.span_id and resumed.parent_id is None
    assert resumed.started_at == first_tracer.records[-1].started_at  # type: ignore[union-attr]
    assert resumed.turn == 1
    paused_tool = first_tracer.records[6]
    again = second_tracer.records[2]
    assert isinstance(again, ToolStartTrace) and again.resume_value == "yes"
    assert again.span_id == paused_tool.span_id  # the same call, the same span
    assert {r.parent_id for r in second_tracer.records[2:-1]} == {start.span_id}
    model_span = second_tracer.records[4].span_id
    assert model_span == derive_span_id(start.span_id, "model:2")
    assert model_span not in {r.span_id for r in first_tracer.records}
    assert second_tracer.records[1].payloads == {pause.interrupts[0].interrupt_id: "yes"}  # type: ignore[union-attr]


async def test_external_tools_are_handed_out_then_ended_by_the_results() -> None:
    store = MemoryStore()
    first_tracer, second_tracer = RecordingTracer(), RecordingTracer()
    script = [[ToolCall("lookup_crm", {"q": "ann"}, id="ext1")], ["Found her."]]
    request = ChatRequest.user("find ann")
    crm = ToolDefinition("lookup_crm", "Look up the CRM (the caller runs it).")
    request = ChatRequest(request.input, tools=[crm])
    first = traced_agent(ScriptedModel(script), first_tracer, store)
    handoff = (await drain(first.chat(request)))[-1]
    assert isinstance(handoff, NeedToolExecution)
    assert shape(first_tracer.records) == [
        "run_start", "model_start:1", "model_end:1", "tool_start:lookup_crm:external",
        "run_end:awaiting_tools",
    ]
    second = traced_agent(ScriptedModel([script[1]]), second_tracer, store)
    results = [ToolOutcome("ext1", "ann@example.com")]
    await drain(second.chat(ChatRequest.tool_results(handoff.run_id, results)))
    assert shape(second_tracer.records) == [
        "run_resumed", "resume:tool_results", "tool_end:lookup_crm:external",
        "model_start:2", "model_end:2", "run_end:done",
    ]
    handed, answered = first_tracer.records[3], second_tracer.records[2]
    assert isinstance(answered, ToolEndTrace)
    assert answered.span_id == handed.span_id and answered.started_at is None
    assert answered.result == "ann@example.com"


async def test_cancel_during_the_model_call() -> None:
    tracer, ctx = RecordingTracer(), ChatCtx()
    agent = traced_agent(ScriptedModel([["Once", " upon", " a time"]]), tracer)
    events = []
    async for event in agent.chat("tell a story", ctx):
        events.append(event)
        if isinstance(event, TextDelta):
            ctx.cancel()
    assert events[-1].type == "cancelled"
    assert shape(tracer.records) == [
        "run_start", "model_start:1", "model_end:1:cancelled", "cancel", "run_end:cancelled",
    ]
    assert tracer.records[3].partial_text == events[-1].partial_text == "Once"  # type: ignore[union-attr]


async def test_cancel_during_the_tool_round() -> None:
    tracer, ctx, gate = RecordingTracer(), ChatCtx(), Gate()
    model = ScriptedModel([[ToolCall("balance"), ToolCall("slow_lookup", {"name": "bo"})]])
    agent = traced_agent(model, tracer, gate=gate)
    async for event in agent.chat("go", ctx):
        if isinstance(event, ToolResult):
            ctx.cancel()
    assert shape(tracer.records) == [
        "run_start", "model_start:1", "model_end:1", "tool_start:balance",
        "tool_start:slow_lookup", "tool_end:balance", "tool_end:slow_lookup:error", "cancel",
        "run_end:cancelled",
    ]


async def test_model_error() -> None:
    tracer = RecordingTracer()
    model = ScriptedModel([[ToolCall("balance")]])  # the second call finds no turn: it raises
    events = await drain(traced_agent(model, tracer).chat("go"))
    assert events[-1].type == "error"
    assert shape(tracer.records) == [
        "run_start", "model_start:1", "model_end:1", "tool_start:balance", "tool_end:balance",
        "model_start:2", "model_end:2:error", "error:script_exhausted", "run_end:failed",
    ]
    end = tracer.records[-1]
    assert isinstance(end, RunEndTrace) and end.error and "ScriptedModel" in end.error


async def test_max_turns_is_an_error_run() -> None:
    tracer = RecordingTracer()
    model = ScriptedModel([[ToolCall("balance")], [ToolCall("balance")]])
    agent = traced_agent(model, tracer)
    agent.max_turns = 1
    await drain(agent.chat("loop"))
    assert shape(tracer.records)[-3:] == ["tool_end:balance", "error:max_turns", "run_end:failed"]


async def test_a_stream_left_unread_ends_the_trace_as_abandoned() -> None:
    tracer = RecordingTracer()
    agent = traced_agent(ScriptedModel([["a", "b", "c"]]), tracer)
    stream = agent.chat("go")
    async for event in stream:
        if isinstance(event, TextDelta):
            break
    await stream.aclose()  # type: ignore[attr-defined]
    assert shape(tracer.records) == [
        "run_start", "model_start:1", "model_end:1:error", "run_end:abandoned",
    ]


async def test_the_traced_tool_span_is_the_tool_ctx_span_and_custom_records_hang_under_it() -> None:
    seen: list[str | None] = []

    @tool
    def fetch(url: str, ctx: ToolCtx) -> str:
        """Fetch a page."""
        seen.append(ctx.chat.span_id)
        trace_custom(ctx.chat, "cache_miss", {"url": url})
        return "<html>"

    tracer = RecordingTracer()
    model = ScriptedModel([[ToolCall("fetch", {"url": "https://x.test"})], ["ok"]])
    agent = AgentBuilder().model(model).tools(fetch).tracer(tracer).build()
    await drain(agent.chat("go"))
    assert shape(tracer.records)[3:6] == ["tool_start:fetch", "custom:cache_miss", "tool_end:fetch"]
    tool_start, custom = tracer.records[3], tracer.records[4]
    assert seen == [tool_start.span_id]
    assert custom.parent_id == tool_start.span_id and custom.data == {"url": "https://x.test"}  # type: ignore[union-attr]


async def test_tracing_is_off_by_default() -> None:
    agent = AgentBuilder().model(ScriptedModel([["hi"]])).build()
    assert agent.tracer is NO_TRACER
    ctx = ChatCtx()
    await drain(agent.chat("go", ctx))
    assert ctx.get(RunTrace) is None
    trace_custom(ctx, "ignored")  # no tracer: nothing happens


class Broken(BaseTracer):
    def on_record(self, record: object) -> None:  # type: ignore[override]
        raise RuntimeError("tracer down")


async def test_a_raising_tracer_never_breaks_the_run(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "remi_web.tracing")
    agent = traced_agent(ScriptedModel([[ToolCall("balance")], ["ok"], ["again"]]), Broken())
    assert (await drain(agent.chat("go")))[-1].type == "done"
    first = [r.getMessage() for r in caplog.records if "tracer down" in r.getMessage()]
    assert (await drain(agent.chat("go again")))[-1].type == "done"
    after = [r.getMessage() for r in caplog.records if "tracer down" in r.getMessage()]
    assert first and after == first  # reported once per hook, not once per call
    assert len(first) == len(set(first))


async def test_a_nested_run_resumed_with_a_fresh_ctx_keeps_its_place_in_the_tree() -> None:
    store, first_tracer, second_tracer = MemoryStore(), RecordingTracer(), RecordingTracer()
    parent = derive_span_id(None, "an outer tool call")
    script = [[ToolCall("transfer", {"amount": 1})], ["ok"]]
    first_ctx = ChatCtx(spans=(parent,))
    pause = (await drain(traced_agent(ScriptedModel(script), first_tracer, store).chat(
        "pay", first_ctx)))[-1]
    assert isinstance(pause, InterruptEvent)
    second_ctx = ChatCtx()  # another process knows nothing of the outer span
    payloads = {pause.interrupts[0].interrupt_id: "yes"}
    await drain(traced_agent(ScriptedModel([script[1]]), second_tracer, store).chat(
        ChatRequest.resume(pause.run_id, payloads), second_ctx))
    start, resumed = first_tracer.records[0], second_tracer.records[0]
    assert start.parent_id == resumed.parent_id == parent
    assert start.span_id == resumed.span_id == run_span_id(parent, pause.run_id)
    assert second_ctx.spans == first_ctx.spans == (parent, start.span_id)
