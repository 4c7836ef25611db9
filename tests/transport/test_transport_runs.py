"""Full runs over real loopback HTTP: tools, streaming, threads, status, external tools."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx
from helpers import collect, of_type, types

from remi_web import (
    ChatCtx,
    ChatRequest,
    Done,
    HttpAgent,
    NeedToolExecution,
    RunStart,
    SQLiteStore,
    TextDelta,
    ToolCallArgsDelta,
    ToolCallReady,
    ToolDefinition,
    ToolOutcome,
    ToolResult,
)
from remi_web.core.ids import ThreadId
from remi_web.core.messages import Message
from remi_web.core.requests import Start

Server = Callable[..., AbstractAsyncContextManager[str]]


async def test_a_run_with_a_tool_streams_every_event_and_ends_once(agent_server: Server) -> None:
    async with agent_server() as root:
        agent = HttpAgent(root)
        ctx = ChatCtx()
        events = await collect(agent.chat("what is 2+3*4?", ctx))
        await agent.aclose()
    assert types(events)[0] == "run_start"
    assert [e.type for e in events].count("checkpoint") >= 2  # never mistaken for the end
    done = events[-1]
    assert isinstance(done, Done) and "14" in done.text
    assert [e for e in events if e.type in ("done", "interrupt", "error", "cancelled")] == [done]
    assert [r.content for r in of_type(events, ToolResult)] == ["14"]
    ready = of_type(events, ToolCallReady)[0]
    deltas = [d.delta for d in of_type(events, ToolCallArgsDelta) if d.call_id == ready.call_id]
    assert "".join(deltas) == ready.arguments
    assert "".join(d.text for d in of_type(events, TextDelta)) == done.text
    start = events[0]
    assert isinstance(start, RunStart) and ctx.run_id == start.run_id == done.run_id


async def test_threads_keep_history_across_runs_in_the_servers_store(
    agent_server: Server, db: str
) -> None:
    async with agent_server() as root:
        agent = HttpAgent(root)
        first = await collect(agent.chat(ChatRequest.user("remember the word kiwi", ThreadId("t-1"))))
        second = await collect(agent.chat(ChatRequest.user("say hello", ThreadId("t-1"))))
        alone = await collect(agent.chat(ChatRequest.user("say hello", ThreadId("t-2"))))
        async with httpx.AsyncClient() as client:
            info = (await client.get(f"{root}/v1/runs/{second[-1].run_id}")).json()  # type: ignore[attr-defined]
        await agent.aclose()
    done, again, fresh = first[-1], second[-1], alone[-1]
    assert isinstance(done, Done) and isinstance(again, Done) and isinstance(fresh, Done)
    assert done.run_id != again.run_id
    # the second run of t-1 sent the first run's messages to the model too
    assert again.usage.prompt_tokens > fresh.usage.prompt_tokens
    assert info["thread_id"] == "t-1" and info["status"] == "done"
    assert info["last_event_id"] == len(second)
    assert info["pending_interrupts"] == [] and info["pending_tool_calls"] == []
    async with SQLiteStore(db) as store:
        history = await store.load_messages(ThreadId("t-1"))
    assert [m.role for m in history] == ["user", "assistant", "user", "assistant"]
    assert history[0].content == "remember the word kiwi"


async def test_external_tools_end_with_need_tool_execution_and_take_results(
    agent_server: Server,
) -> None:
    lookup = ToolDefinition(
        "lookup_price", "Price of an item.",
        {"type": "object", "properties": {"item": {"type": "string"}}, "required": ["item"]},
    )
    request = ChatRequest(
        Start([Message.user('call lookup_price with {"item": "tea"}')]), tools=[lookup]
    )
    async with agent_server() as root:
        agent = HttpAgent(root)
        first = await collect(agent.chat(request))
        need = first[-1]
        assert isinstance(need, NeedToolExecution)
        status = await agent.status(need.run_id)
        assert status.status == "awaiting_tools"
        assert [c.name for c in status.pending_tool_calls] == ["lookup_price"]
        call = need.calls[0]
        assert json.loads(call.arguments) == {"item": "tea"}
        results = [ToolOutcome(call.id, "3 euros")]
        second = await collect(agent.chat(ChatRequest.tool_results(need.run_id, results)))
        await agent.aclose()
    assert types(second)[0] == "run_resumed"
    done = second[-1]
    assert isinstance(done, Done) and done.run_id == need.run_id and "3 euros" in done.text
