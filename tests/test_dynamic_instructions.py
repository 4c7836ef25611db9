"""Dynamic instructions and tools: the system prompt is made afresh for every model call from
the run's context, and a tool's `prepare` hook hides it or changes its definition per turn;
a call to a hidden tool gets an unknown-tool error and the tool never runs."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from helpers import collect, of_type

from remi_web import (
    AgentBuilder,
    AgentLoop,
    ChatCtx,
    ChatRequest,
    Done,
    MemoryStore,
    ScriptedModel,
    ToolCall,
    ToolDefinition,
    ToolResult,
    tool,
)
from remi_web.core.content import content_text
from remi_web.core.ids import ThreadId
from remi_web.core.model_io import ModelRequest
from remi_web.core.registry import ToolRegistry

pytestmark = pytest.mark.pyodide


def system_prompts(requests: list[ModelRequest]) -> list[str | None]:
    """The system prompt of each request (None without one)."""
    return [
        content_text(r.messages[0].content) if r.messages and r.messages[0].role == "system"
        else None
        for r in requests
    ]


@tool
def lookup(q: str) -> str:
    """Look something up."""
    return f"found {q}"


def three_turns() -> ScriptedModel:
    return ScriptedModel([
        [ToolCall("lookup", {"q": "a"})],
        [ToolCall("lookup", {"q": "b"})],
        ["done"],
    ])


async def test_a_system_prompt_function_is_evaluated_on_every_turn() -> None:
    def prompt(ctx: ChatCtx) -> str:
        return f"Turn {ctx.turn}. Lang: {ctx.metadata.get('lang')}."

    model, store = three_turns(), MemoryStore()
    agent = AgentBuilder().model(model).tools(lookup).store(store).system(prompt).build()
    thread = ThreadId("t")
    request = ChatRequest.user("go", thread_id=thread)
    events = await collect(agent.chat(replace(request, metadata={"lang": "fr"})))
    assert isinstance(events[-1], Done)
    assert system_prompts(model.requests) == [
        "Turn 1. Lang: fr.", "Turn 2. Lang: fr.", "Turn 3. Lang: fr.",
    ]
    stored = await store.load_messages(thread)  # the thread keeps no evaluated prompt
    assert [m.role for m in stored] == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    checkpoint = await store.latest_checkpoint(events[-1].run_id)
    assert checkpoint is not None
    assert not any(m.role == "system" for m in checkpoint.state.messages)


async def test_async_instructions_join_the_fixed_prompt() -> None:
    async def today(ctx: ChatCtx) -> str:
        await asyncio.sleep(0)
        return f"Call number {ctx.turn}."

    def only_later(ctx: ChatCtx) -> str | None:
        return "Wrap up now." if ctx.turn >= 2 else None

    model = ScriptedModel([[ToolCall("lookup", {"q": "a"})], ["done"]])
    agent = (
        AgentBuilder().model(model).tools(lookup).system("Be brief.")
        .instructions(today, only_later).build()
    )
    await collect(agent.chat("go"))
    assert system_prompts(model.requests) == [
        "Be brief.\n\nCall number 1.",
        "Be brief.\n\nCall number 2.\n\nWrap up now.",
    ]


async def test_a_dynamic_system_prompt_on_a_loop_made_by_hand() -> None:
    model = ScriptedModel([["hi"]])
    agent = AgentLoop(
        model, ToolRegistry(), MemoryStore(), instructions=(lambda ctx: f"run {ctx.run_id}",)
    )
    done = (await collect(agent.chat("hello")))[-1]
    assert isinstance(done, Done)
    assert system_prompts(model.requests) == [f"run {done.run_id}"]


async def test_prepare_hides_a_tool_then_changes_its_description() -> None:
    ran: list[str] = []

    async def prepare(ctx: ChatCtx, definition: ToolDefinition) -> ToolDefinition | None:
        if ctx.turn == 1:
            return None
        return replace(definition, description=f"{definition.description} (turn {ctx.turn})")

    @tool(prepare=prepare)
    def secret(q: str) -> str:
        """Tell a secret."""
        ran.append(q)
        return f"secret {q}"

    model = ScriptedModel([
        [ToolCall("secret", {"q": "early"}, id="c1")],  # hidden on turn 1: refused
        [ToolCall("secret", {"q": "late"}, id="c2")],
        ["done"],
    ])
    agent = AgentBuilder().model(model).tools(lookup, secret).build()
    events = await collect(agent.chat("tell me"))
    assert isinstance(events[-1], Done)
    tools_sent = [[(t.name, t.description) for t in r.tools] for r in model.requests]
    assert tools_sent[0] == [("lookup", "Look something up.")]
    assert tools_sent[1] == [("lookup", "Look something up."), ("secret", "Tell a secret. (turn 2)")]
    assert tools_sent[2][1] == ("secret", "Tell a secret. (turn 3)")
    results = of_type(events, ToolResult)
    assert [(r.call_id, r.is_error) for r in results] == [("c1", True), ("c2", False)]
    assert results[0].content == "Unknown tool 'secret'. Available tools: lookup."
    assert ran == ["late"]  # the hidden call never ran
    fed_back = [m for m in model.requests[1].messages if m.role == "tool"]
    assert [m.tool_call_id for m in fed_back] == ["c1"] and fed_back[0].content == results[0].content


async def test_a_sync_prepare_may_change_the_schema() -> None:
    def prepare(ctx: ChatCtx, definition: ToolDefinition) -> ToolDefinition:
        return replace(definition, parameters={"type": "object", "properties": {}})

    @tool(prepare=prepare)
    def ping() -> str:
        """Ping."""
        return "pong"

    model = ScriptedModel([["ok"]])
    await collect(AgentBuilder().model(model).tools(ping).build().chat("hi"))
    assert model.requests[0].tools[0].parameters == {"type": "object", "properties": {}}
    assert ping.prepare is prepare
