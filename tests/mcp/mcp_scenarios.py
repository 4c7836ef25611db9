"""What an agent does with an MCP server's tools, written once and run over each way of reaching
the FastMCP test server (fastmcp_server.py): stdio and HTTP through the official SDK, HTTP
through the page's client. Each scenario builds an agent whose `ScriptedModel` calls the
server's tools, and checks the events.

The server counts the calls it receives (its `calls` tool); every scenario marks its calls with
a fresh marker, so scenarios may share one server.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers import collect, of_type

from remi_web import (
    AgentBuilder,
    AgentEvent,
    AgentLoop,
    ChatRequest,
    Done,
    InterruptEvent,
    ScriptedModel,
    ToolCall,
    ToolProgress,
    ToolResult,
)
from remi_web.core.content import ImageBase64Part, TextPart
from remi_web.core.schema_types import JsonValue
from remi_web.mcp import McpToolset

SERVER_SCRIPT = Path(__file__).with_name("fastmcp_server.py")
"""The test server's script."""

Connect = Callable[..., McpToolset]
"""`mcp_tools(<the server>, **options)`, for one way of reaching the test server."""


def server_command() -> list[str]:
    """The command line that runs the test server over stdio (natively)."""
    return [sys.executable, str(SERVER_SCRIPT)]


def marker() -> str:
    """A fresh word to find this scenario's calls by."""
    return f"m{uuid.uuid4().hex[:10]}"


def agent(model: ScriptedModel, tools: McpToolset) -> AgentLoop[Any, str]:
    """An agent that has the server's tools and no others."""
    return AgentBuilder().model(model).toolsets(tools).build()


def results(events: list[AgentEvent]) -> list[tuple[str, JsonValue, bool]]:
    """(tool, content, is_error) of each tool result."""
    return [(r.name, r.content, r.is_error) for r in of_type(events, ToolResult)]  # type: ignore[misc]


def offered(model: ScriptedModel) -> list[list[str]]:
    """The tool names each model call was offered."""
    return [[definition.name for definition in request.tools] for request in model.requests]


async def calls_and_progress(connect: Connect) -> None:
    """A plain call, and a call whose progress notifications arrive as `tool_progress`."""
    model = ScriptedModel([
        [ToolCall("add", {"a": 2, "b": 40}), ToolCall("count_to", {"steps": 3})],
        ["42, and counted."],
    ])
    async with connect() as tools:
        events = await collect(agent(model, tools).chat("add and count"))
    assert sorted(results(events)) == [("add", "42", False), ("count_to", "counted to 3", False)]
    progress = [e for e in of_type(events, ToolProgress) if e.name == "count_to"]
    assert [p.data for p in progress] == [
        {"progress": float(step), "total": 3.0, "message": f"step {step} of 3"} for step in (1, 2, 3)
    ]
    counted = next(i for i, e in enumerate(events) if isinstance(e, ToolResult) and e.name == "count_to")
    assert all(events.index(p) < counted for p in progress)  # each as it came, before the result
    assert isinstance(events[-1], Done) and events[-1].text == "42, and counted."
    assert "add" in offered(model)[0] and "count_to" in offered(model)[0]


async def tool_error(connect: Connect) -> None:
    """A tool that fails (`isError`) gives the model a tool error it reads, and the run goes on."""
    model = ScriptedModel([[ToolCall("fail", {"reason": "the disk is full"})], ["Sorry."]])
    async with connect() as tools:
        events = await collect(agent(model, tools).chat("try it"))
    [(name, content, is_error)] = results(events)
    assert (name, is_error) == ("fail", True)
    assert isinstance(content, str) and "the disk is full" in content
    told = model.requests[1].messages[-1]
    assert told.role == "tool" and "the disk is full" in str(told.content)
    assert isinstance(events[-1], Done)


async def invalid_arguments_stay_local(connect: Connect) -> None:
    """Arguments that do not fit the tool's schema go back to the model; the server never sees
    them (it counts the calls it gets)."""
    word = marker()
    model = ScriptedModel([
        [ToolCall("add", {"a": word, "b": 1}), ToolCall("fail", {"reason": word})],
        [ToolCall("calls", {"marker": word})],
        ["Checked."],
    ])
    async with connect() as tools:
        events = await collect(agent(model, tools).chat("go"))
    by_name = {name: (content, is_error) for name, content, is_error in results(events)}
    refused, refused_error = by_name["add"]
    assert refused_error and isinstance(refused, str)
    assert refused.startswith("Invalid arguments for tool 'add':") and "a:" in refused
    assert by_name["fail"][1] is True  # reached the server, which failed it
    assert by_name["calls"] == ("1", False)  # only `fail` reached the server


async def approval(connect: Connect, answer: JsonValue, expected: str, reached: int) -> None:
    """A call of a tool named in `requires_approval` pauses the run with an interrupt; the
    resumed run calls the server (approved, maybe with edited arguments) or not (denied)."""
    word = marker()
    model = ScriptedModel([
        [ToolCall("delete_record", {"key": word})],
        [ToolCall("calls", {"marker": word})],
        ["Handled."],
    ])
    async with connect(requires_approval={"delete_record"}) as tools:
        loop = agent(model, tools)
        paused = await collect(loop.chat("delete it"))
        interrupt = paused[-1]
        assert isinstance(interrupt, InterruptEvent)
        [info] = interrupt.interrupts
        assert (info.tool_name, info.kind) == ("delete_record", "approval")
        assert info.payload == {"tool": "delete_record", "arguments": {"key": word}}
        if isinstance(answer, dict) and "arguments" in answer:
            answer = {**answer, "arguments": {"key": f"{word}-edited"}}
        resume = ChatRequest.resume(interrupt.run_id, {info.interrupt_id: answer})
        resumed = await collect(loop.chat(resume))
    assert results(resumed)[0] == ("delete_record", expected.replace("KEY", word), False)
    assert results(resumed)[1] == ("calls", str(reached), False)
    assert isinstance(resumed[-1], Done)


async def approval_by_predicate(connect: Connect) -> None:
    """`requires_approval` as a function of the call: only big sums wait for a human."""

    def big_sums(name: str, arguments: Any) -> bool:
        return name == "add" and arguments.get("a", 0) > 100

    model = ScriptedModel([
        [ToolCall("add", {"a": 1, "b": 2}), ToolCall("add", {"a": 500, "b": 1})],
        ["Done."],
    ])
    async with connect(requires_approval=big_sums) as tools:
        loop = agent(model, tools)
        paused = await collect(loop.chat("sum"))
        interrupt = paused[-1]
        assert isinstance(interrupt, InterruptEvent)
        assert [i.payload for i in interrupt.interrupts] == [
            {"tool": "add", "arguments": {"a": 500, "b": 1}}
        ]
        assert results(paused) == [("add", "3", False)]  # the small sum ran at once
        denial: JsonValue = {"approved": False, "reason": "too big"}
        resume = ChatRequest.resume(interrupt.run_id, {interrupt.interrupts[0].interrupt_id: denial})
        resumed = await collect(loop.chat(resume))
    assert results(resumed) == [("add", "The user denied this call: too big", False)]


async def listing_changes(connect: Connect) -> None:
    """A tool the server adds (and announces) is offered on the next model call and runs; once
    removed it is no longer offered, and a call of it is an unknown tool."""
    name = f"echo_{marker()}"
    model = ScriptedModel([
        [ToolCall("grow", {"name": name})],
        [ToolCall(name, {"text": "hello"})],
        [ToolCall("shrink", {"name": name})],
        [ToolCall(name, {"text": "again"})],
        ["Bye."],
    ])
    async with connect() as tools:
        events = await collect(agent(model, tools).chat("grow and shrink"))
        assert tools.changes >= 2
    shown = offered(model)
    assert name not in shown[0] and name in shown[1] and name in shown[2] and name not in shown[3]
    found = results(events)
    assert found[1] == (name, f"{name}: hello", False)
    last_name, last_content, last_error = found[3]
    assert (last_name, last_error) == (name, True) and f"Unknown tool {name!r}" in str(last_content)


async def listing_changes_announced_to_listeners(connect: Connect) -> None:
    """A change announced to listeners (a `subscriptions/listen` stream, or the standalone
    stream of an older session), not on a call's own stream, is seen too."""
    name = f"echo_{marker()}"
    async with connect() as tools:
        grown = ScriptedModel([[ToolCall("grow", {"name": name, "via": "listen"})], ["Grown."]])
        before = tools.changes
        await collect(agent(grown, tools).chat("grow"))
        for _ in range(500):  # the announcement travels on another stream: wait for it (bounded)
            if tools.changes > before:
                break
            await asyncio.sleep(0.01)
        assert tools.changes > before
        model = ScriptedModel([[ToolCall(name, {"text": "hi"})], ["Done."]])
        events = await collect(agent(model, tools).chat("use it"))
    assert name in offered(model)[0]
    assert results(events) == [(name, f"{name}: hi", False)]


async def a_slow_call_is_stopped_and_the_connection_lives_on(connect: Connect) -> None:
    """A call past the agent's tool timeout is cancelled (a tool error, and the server is told:
    its handler is cancelled), and the next call on the same connection works."""
    word = marker()
    model = ScriptedModel([
        [ToolCall("nap", {"seconds": 60, "marker": word})],
        [ToolCall("add", {"a": 1, "b": 2})],
        ["Awake."],
    ])
    async with connect() as tools:
        loop = AgentBuilder().model(model).toolsets(tools).tool_timeout(0.5).build()
        events = await collect(loop.chat("nap, then add"))
        napped, added = results(events)
        assert napped[0] == "nap" and napped[2] is True
        assert "did not finish within 0.5 s" in str(napped[1])
        assert added == ("add", "3", False)
        state = await call_once(tools, "naps", {"marker": word})
        for _ in range(500):  # the cancellation travels as a notification: wait for it (bounded)
            if state != "asleep":
                break
            await asyncio.sleep(0.01)
            state = await call_once(tools, "naps", {"marker": word})
    assert state == "cancelled"


async def images_and_text(connect: Connect) -> None:
    """Text and image blocks become content parts the model is given."""
    model = ScriptedModel([[ToolCall("picture", {"caption": "a dot"})], ["Nice."]])
    async with connect() as tools:
        events = await collect(agent(model, tools).chat("draw"))
    [(_, content, is_error)] = results(events)
    assert not is_error and isinstance(content, list)
    text, image = content
    assert text == TextPart("a dot")
    assert isinstance(image, ImageBase64Part) and image.media_type == "image/png"
    assert base64.b64decode(image.data).startswith(b"\x89PNG")
    assert model.requests[1].messages[-1].content == content


async def allowed_and_prefixed(connect: Connect) -> None:
    """`allowed` keeps some tools, `prefix` renames them; calls reach the server's names."""
    model = ScriptedModel([[ToolCall("calc_add", {"a": 1, "b": 1})], ["Two."]])
    async with connect(allowed={"add", "pid"}, prefix="calc") as tools:
        events = await collect(agent(model, tools).chat("one plus one"))
    assert offered(model)[0] == ["calc_add", "calc_pid"]
    assert results(events) == [("calc_add", "2", False)]


async def call_once(tools: McpToolset, name: str, arguments: dict[str, JsonValue]) -> JsonValue:
    """What one call of tool `name` gives (an agent whose model makes just that call)."""
    model = ScriptedModel([[ToolCall(name, arguments)], ["Noted."]])
    events = await collect(agent(model, tools).chat(f"call {name}"))
    [(_, content, is_error)] = results(events)
    assert not is_error, content
    return content


async def server_pid(tools: McpToolset) -> int:
    """The process id of the server behind `tools` (through its `pid` tool)."""
    return int(json.loads(str(await call_once(tools, "pid", {}))))
