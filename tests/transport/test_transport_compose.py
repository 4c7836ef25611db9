"""A remote agent composes like a local one: wrapped by layers, resumed through them, used
as a sub-agent inside a local agent's tool."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from helpers import collect, of_type

from remi_web import (
    AgentBuilder,
    AgentEvent,
    ChatCtx,
    ChatRequest,
    Done,
    HttpAgent,
    InterruptEvent,
    RetryLayer,
    ScriptedModel,
    TextDelta,
    ToolCall,
    ToolCtx,
    ToolProgress,
    ToolResult,
    tool,
)
from remi_web.tracing import RecordingTracer, TracingLayer
from remi_web.remote import RemoteUnavailable

Server = Callable[..., AbstractAsyncContextManager[str]]


async def test_layers_wrap_a_remote_agent_through_interrupt_and_resume(
    agent_server: Server, ledger: Any
) -> None:
    tracer = RecordingTracer()
    seen: list[str] = []

    def note(event: AgentEvent) -> AgentEvent:
        seen.append(event.type)
        return event

    async with agent_server() as root:
        remote = HttpAgent(root)
        agent = remote.map_response(note).layer(RetryLayer()).layer(TracingLayer(tracer, "remote"))
        first = await collect(agent.chat('call save_note with {"text": "layered"}'))
        interrupt = first[-1]
        assert isinstance(interrupt, InterruptEvent)
        answer = {interrupt.interrupts[0].interrupt_id: True}
        second = await collect(agent.chat(ChatRequest.resume(interrupt.run_id, answer)))
        await remote.aclose()
    assert isinstance(second[-1], Done) and ledger.notes == ["layered"]
    assert seen == [e.type for e in first + second]
    kinds = tracer.types()
    assert kinds[0] == "run_start" and "interrupt" in kinds and "run_resumed" in kinds


async def test_a_remote_agent_serves_as_a_sub_agent_inside_a_local_tool(
    agent_server: Server,
) -> None:
    async with agent_server() as root:
        remote = HttpAgent(root)

        @tool
        async def ask_expert(question: str, ctx: ToolCtx) -> str:
            """Ask the remote expert agent.

            Args:
                question: what to ask.
            """
            answer = ""
            async for event in remote.chat(question, ctx.chat.child("expert")):
                if isinstance(event, TextDelta):
                    ctx.progress({"expert": event.text})
                elif isinstance(event, Done):
                    answer = event.text
            return answer

        model = ScriptedModel([
            [ToolCall("ask_expert", {"question": "what is 6*7?"})],
            ["The expert says 42."],
        ])
        local = AgentBuilder().model(model).tools(ask_expert).build()
        events = await collect(local.chat("ask the expert"))
        await remote.aclose()
    result = of_type(events, ToolResult)[0]
    assert "42" in str(result.content)
    progress = "".join(str(p.data["expert"]) for p in of_type(events, ToolProgress))  # type: ignore[index]
    assert progress == result.content
    assert isinstance(events[-1], Done)


async def test_an_unreachable_server_is_a_transient_error_the_retry_layer_retries() -> None:
    remote = HttpAgent("http://127.0.0.1:9")  # discard port: nothing listens there
    agent = remote.layer(RetryLayer(max_retries=1, base_delay=0.001))
    with pytest.raises(RemoteUnavailable, match="127.0.0.1:9"):
        await collect(agent.chat(ChatRequest.user("hello"), ChatCtx()))
    await remote.aclose()
