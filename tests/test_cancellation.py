"""Cancellation through `ChatCtx`: mid-model (partial text kept) and mid-tool."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from helpers import collect, types

from remi_web import (
    AgentBuilder,
    Cancelled,
    ChatCtx,
    MemoryStore,
    ScriptedModel,
    TextDelta,
    ToolCall,
    tool,
)
from remi_web.core.model_io import ModelChunk, ModelRequest
from remi_web.core.model_io import TextChunk

pytestmark = pytest.mark.pyodide


class HangingModel:
    """Streams two chunks, then waits forever (a stalled provider)."""

    def __init__(self) -> None:
        self.closed = False

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        try:
            yield TextChunk("partial ")
            yield TextChunk("answer")
            await asyncio.Event().wait()
        finally:
            self.closed = True


async def test_cancel_while_the_model_hangs_keeps_the_partial_text() -> None:
    model, store = HangingModel(), MemoryStore()
    agent = AgentBuilder().model(model).store(store).build()
    ctx = ChatCtx()
    events = []
    async for event in agent.chat("hi", ctx):
        events.append(event)
        if isinstance(event, TextDelta) and event.text == "answer":
            asyncio.get_running_loop().call_later(0.01, ctx.cancel)
    assert types(events)[-2:] == ["checkpoint", "cancelled"]
    cancelled = events[-1]
    assert isinstance(cancelled, Cancelled) and cancelled.partial_text == "partial answer"
    assert model.closed  # the model stream was closed at once
    stored = await store.load_messages(ctx.thread_id)  # type: ignore[arg-type]
    assert [(m.role, m.content) for m in stored] == [("user", "hi"), ("assistant", "partial answer")]


async def test_cancel_between_events_stops_before_the_next_chunk() -> None:
    model = ScriptedModel([["a", "b", "c"]])
    ctx = ChatCtx()
    events = []
    async for event in AgentBuilder().model(model).build().chat("hi", ctx):
        events.append(event)
        if isinstance(event, TextDelta):
            ctx.cancel()
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["a"]
    assert isinstance(events[-1], Cancelled) and events[-1].partial_text == "a"


async def test_cancel_mid_tool_cancels_running_tools_and_keeps_history_valid() -> None:
    started, finished = asyncio.Event(), []

    @tool
    async def long_job() -> str:
        """Takes forever."""
        started.set()
        await asyncio.Event().wait()
        finished.append(True)
        return "never"

    model, store = ScriptedModel([[ToolCall("long_job")], ["unused"]]), MemoryStore()
    agent = AgentBuilder().model(model).tools(long_job).store(store).build()
    ctx = ChatCtx()

    async def cancel_when_started() -> None:
        await started.wait()
        ctx.cancel()

    canceller = asyncio.ensure_future(cancel_when_started())
    events = await collect(agent.chat("go", ctx))
    await canceller
    assert isinstance(events[-1], Cancelled)
    assert finished == [] and len(model.requests) == 1
    stored = await store.load_messages(ctx.thread_id)  # type: ignore[arg-type]
    assert [m.role for m in stored] == ["user", "assistant", "tool"]
    assert "Cancelled" in str(stored[-1].content)


async def test_a_run_cancelled_before_it_starts_never_calls_the_model() -> None:
    model = ScriptedModel([["x"]])
    ctx = ChatCtx()
    ctx.cancel()
    events = await collect(AgentBuilder().model(model).build().chat("hi", ctx))
    assert types(events) == ["run_start", "turn_start", "checkpoint", "cancelled"]
    assert model.requests == []


async def test_cancelling_the_consumer_task_is_not_swallowed() -> None:
    agent = AgentBuilder().model(HangingModel()).build()

    async def consume() -> None:
        await collect(agent.chat("hi"))

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
