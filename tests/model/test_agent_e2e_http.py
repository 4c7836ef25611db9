"""The agent end to end against the mock server over real loopback HTTP: natively (httpx) and,
in the Pyodide lane, through fetch to the server the lane's host started."""

from __future__ import annotations

import json

import pytest
from helpers import collect, of_type, types

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    InterruptEvent,
    TextDelta,
    ToolCallReady,
    ToolResult,
    tool,
)
from remi_web.model import OpenAIModel

pytestmark = pytest.mark.pyodide


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3".
    """
    allowed = set("0123456789+-*/(). ")
    assert set(expression) <= allowed
    return str(eval(expression))  # noqa: S307 - digits and operators only, checked above


@tool(requires_approval=True)
def save_note(text: str) -> str:
    """Save a note after the user approves."""
    return f"saved {text!r}"


async def test_text_streams_over_http(mock_llm: str) -> None:
    agent = AgentBuilder().model(OpenAIModel("mock", base_url=mock_llm, api_key="k")).build()
    events = await collect(agent.chat("hello there"))
    done = events[-1]
    assert isinstance(done, Done)
    deltas = of_type(events, TextDelta)
    assert len(deltas) > 1 and "".join(d.text for d in deltas) == done.text
    assert "hello there" in done.text
    assert done.usage.total_tokens > 0


async def test_parallel_tool_calls_over_http(mock_llm: str) -> None:
    model = OpenAIModel("mock", base_url=mock_llm, api_key="k")
    agent = AgentBuilder().model(model).tools(calculator).build()
    events = await collect(agent.chat("what is 2+3 and what is 4*5?"))
    ready = of_type(events, ToolCallReady)
    assert [json.loads(r.arguments)["expression"].replace(" ", "") for r in ready] == ["2+3", "4*5"]
    assert turn_of(events, ready[0]) == turn_of(events, ready[1])  # one turn: parallel calls
    assert sorted(r.content for r in of_type(events, ToolResult)) == ["20", "5"]  # type: ignore[type-var]
    done = events[-1]
    assert isinstance(done, Done) and "5" in done.text and "20" in done.text


async def test_interrupt_and_resume_over_http(mock_llm: str) -> None:
    model = OpenAIModel("mock", base_url=mock_llm, api_key="k")
    agent = AgentBuilder().model(model).tools(save_note).build()
    first = await collect(agent.chat('call save_note with {"text": "buy milk"}'))
    interrupt = first[-1]
    assert isinstance(interrupt, InterruptEvent)
    info = interrupt.interrupts[0]
    assert info.payload == {"tool": "save_note", "arguments": {"text": "buy milk"}}
    edited = {"approved": True, "arguments": {"text": "buy oat milk"}}
    second = await collect(
        agent.chat(ChatRequest.resume(interrupt.run_id, {info.interrupt_id: edited}))
    )
    assert types(second)[0] == "run_resumed"
    assert [r.content for r in of_type(second, ToolResult)] == ["saved 'buy oat milk'"]
    done = second[-1]
    assert isinstance(done, Done) and done.run_id == interrupt.run_id
    assert "buy oat milk" in done.text


def turn_of(events: list, target: object) -> int:  # type: ignore[type-arg]
    """The turn in which `target` was streamed."""
    turn = 0
    for event in events:
        if event.type == "turn_start":
            turn = event.turn
        if event is target:
            return turn
    raise AssertionError("event not in stream")
