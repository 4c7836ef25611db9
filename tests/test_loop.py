"""The agent loop: streaming, tools, errors, max_turns, external tools, threads, usage."""

from __future__ import annotations

import asyncio
import json

import pytest
from helpers import collect, of_type, types

from remi_web import (
    AgentBuilder,
    ChatCtx,
    ChatRequest,
    Done,
    ErrorEvent,
    MemoryStore,
    Message,
    NeedToolExecution,
    RequestError,
    RunStart,
    ScriptedModel,
    Start,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolCallArgsDelta,
    ToolCallReady,
    ToolDefinition,
    ToolOutcome,
    ToolProgress,
    ToolResult,
    Usage,
    tool,
)
from remi_web.testing import Thinking

pytestmark = pytest.mark.pyodide


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


async def test_text_only_run_streams_deltas_then_done() -> None:
    model = ScriptedModel([[Thinking("hmm"), "Hel", "lo ", "world"]])
    agent = AgentBuilder().model(model).build()
    events = await collect(agent.chat("hi"))
    assert types(events) == [
        "run_start", "turn_start", "thinking_delta", "text_delta", "text_delta", "text_delta",
        "usage", "checkpoint", "turn_end", "done",
    ]
    done = events[-1]
    assert isinstance(done, Done)
    assert "".join(e.text for e in of_type(events, TextDelta)) == done.text == "Hello world"
    assert of_type(events, ThinkingDelta)[0].text == "hmm"
    assert done.run_id == events[0].run_id  # type: ignore[union-attr]


async def test_tool_round_feeds_result_back_and_args_deltas_concatenate() -> None:
    model = ScriptedModel(
        [[ToolCall("add", {"a": 20, "b": 22})], ["The answer is 42."]], args_chunk_size=3
    )
    agent = AgentBuilder().model(model).tools(add).system("sys").build()
    events = await collect(agent.chat("add them"))
    assert types(events) == [
        "run_start", "turn_start", "tool_call_start", *["tool_call_args_delta"] * 6, "usage",
        "tool_call_ready", "tool_result", "checkpoint", "turn_end", "turn_start", "text_delta",
        "usage", "checkpoint", "turn_end", "done",
    ]
    ready = of_type(events, ToolCallReady)[0]
    assert "".join(d.delta for d in of_type(events, ToolCallArgsDelta)) == ready.arguments
    assert json.loads(ready.arguments) == {"a": 20, "b": 22}
    assert of_type(events, ToolResult)[0].content == "42"
    second = model.requests[1].messages
    assert [m.role for m in second] == ["system", "user", "assistant", "tool"]
    assert second[2].tool_calls[0].name == "add"
    assert second[3].content == "42" and second[3].tool_call_id == ready.call_id
    assert [d.name for d in model.requests[0].tools] == ["add"]


async def test_parallel_tools_run_concurrently_and_feed_back_in_call_order() -> None:
    slow_started = asyncio.Event()

    @tool
    async def slow(label: str) -> str:
        """Wait for the fast tool, then answer."""
        slow_started.set()
        await asyncio.sleep(0.01)
        return f"slow:{label}"

    @tool
    async def fast(label: str):  # type: ignore[no-untyped-def]
        """Report progress, then answer."""
        await slow_started.wait()  # proves both run at once: this waits for the other
        yield {"step": 1}
        yield f"fast:{label}"

    model = ScriptedModel([[ToolCall("slow", {"label": "a"}), ToolCall("fast", {"label": "b"})], ["ok"]])
    agent = AgentBuilder().model(model).tools(slow, fast).build()
    events = await collect(agent.chat("go"))
    results = of_type(events, ToolResult)
    assert [r.content for r in results] == ["fast:b", "slow:a"]  # completion order
    assert [p.data for p in of_type(events, ToolProgress)] == [{"step": 1}, "fast:b"]
    tool_messages = [m for m in model.requests[1].messages if m.role == "tool"]
    assert [m.content for m in tool_messages] == ["slow:a", "fast:b"]  # call order


async def test_tool_errors_unknown_tools_and_bad_arguments_go_back_to_the_model() -> None:
    @tool
    def explode() -> str:
        """Always fails."""
        raise ValueError("disk on fire")

    model = ScriptedModel([
        [ToolCall("explode"), ToolCall("nope"), ToolCall("add", {"a": "x"})],
        ["sorry"],
    ])
    agent = AgentBuilder().model(model).tools(explode, add).build()
    events = await collect(agent.chat("go"))
    assert isinstance(events[-1], Done)
    results = {r.name: r for r in of_type(events, ToolResult)}
    assert all(r.is_error for r in results.values())
    assert "disk on fire" in str(results["explode"].content)
    assert "Unknown tool 'nope'" in str(results["nope"].content)
    assert "add" in str(results["nope"].content)
    assert "b" in str(results["add"].content)  # names the missing field
    sent = [m for m in model.requests[1].messages if m.role == "tool"]
    assert [m.content for m in sent] == [results[n].content for n in ("explode", "nope", "add")]
    assert all(m.is_error for m in sent)  # the model is told they failed (Anthropic's is_error)


async def test_max_turns_ends_with_an_error_event() -> None:
    model = ScriptedModel([[ToolCall("add", {"a": 1, "b": 1})]] * 3)
    agent = AgentBuilder().model(model).tools(add).max_turns(2).build()
    events = await collect(agent.chat("loop"))
    assert isinstance(events[-1], ErrorEvent)
    assert events[-1].code == "max_turns"
    assert len(model.requests) == 2


async def test_model_failure_is_an_error_event_not_a_crash() -> None:
    agent = AgentBuilder().model(ScriptedModel([])).build()
    events = await collect(agent.chat("hi"))
    assert types(events)[-1] == "error"
    assert events[-1].code == "script_exhausted"  # type: ignore[union-attr]


async def test_external_tools_end_with_need_tool_execution_and_continue() -> None:
    weather = ToolDefinition("weather", "Weather in a city.", {"type": "object"})
    model = ScriptedModel([
        [ToolCall("add", {"a": 1, "b": 2}), ToolCall("weather", {"city": "Oslo"})],
        ["Cold, and 3."],
    ])
    agent = AgentBuilder().model(model).tools(add).build()
    request = ChatRequest(Start([Message.user("go")]), tools=[weather])
    first = await collect(agent.chat(request))
    need = first[-1]
    assert isinstance(need, NeedToolExecution)
    assert [c.name for c in need.calls] == ["weather"]
    assert [d.name for d in model.requests[0].tools] == ["add", "weather"]
    with pytest.raises(RequestError, match="lacks tool call"):
        await collect(agent.chat(ChatRequest.tool_results(need.run_id, [])))
    with pytest.raises(RequestError, match="not waiting for tool call"):
        await collect(agent.chat(ChatRequest.tool_results(need.run_id, [ToolOutcome("zzz", "x")])))
    answer = ToolOutcome(need.calls[0].id, "-5C")
    second = await collect(agent.chat(ChatRequest.tool_results(need.run_id, [answer])))
    assert types(second)[0] == "run_resumed" and isinstance(second[-1], Done)
    assert second[-1].run_id == need.run_id
    tools_sent = [m for m in model.requests[1].messages if m.role == "tool"]
    assert [(m.name, m.content) for m in tools_sent] == [("add", "3"), ("weather", "-5C")]


async def test_thread_history_is_sent_in_full_on_every_turn() -> None:
    store = MemoryStore()
    model = ScriptedModel([[ToolCall("add", {"a": 1, "b": 2})], ["3"], ["still 3"]])
    agent = AgentBuilder().model(model).tools(add).store(store).build()
    first = await collect(agent.chat(ChatRequest.user("1+2?", thread_id=None)))
    thread = first[0].thread_id  # type: ignore[union-attr]
    await collect(agent.chat(ChatRequest.user("and again?", thread_id=thread)))
    sent = model.requests[2].messages
    assert [m.role for m in sent] == ["user", "assistant", "tool", "assistant", "user"]
    assert sent[0].content == "1+2?" and sent[-1].content == "and again?"
    stored = await store.load_messages(thread)
    assert [m.role for m in stored] == ["user", "assistant", "tool", "assistant", "user", "assistant"]


async def test_usage_totals_add_up_per_call() -> None:
    model = ScriptedModel([[ToolCall("add", {"a": 1, "b": 2})], ["a", "b"]])
    events = await collect(AgentBuilder().model(model).tools(add).build().chat("x y"))
    done = events[-1]
    assert isinstance(done, Done)
    per_call = [e.usage for e in events if e.type == "usage"]  # type: ignore[union-attr]
    assert done.usage == per_call[0] + per_call[1] and done.usage != Usage()


async def test_ctx_gets_the_run_ids_and_a_run_span() -> None:
    ctx = ChatCtx(metadata={"user": "ann"})
    model = ScriptedModel([["hi"]])
    events = await collect(AgentBuilder().model(model).build().chat("x", ctx))
    start = events[0]
    assert isinstance(start, RunStart)
    assert ctx.run_id == start.run_id and ctx.thread_id == start.thread_id
    assert start.metadata == {"user": "ann"}
    assert len(ctx.spans) == 1


async def test_chat_is_lazy() -> None:
    model = ScriptedModel([["hi"]])
    agent = AgentBuilder().model(model).build()
    stream = agent.chat("x")
    await asyncio.sleep(0)
    assert model.requests == []
    await collect(stream)
    assert len(model.requests) == 1
