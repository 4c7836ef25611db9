"""An agent on `AnthropicModel` against the mock server's `/v1/messages` over real loopback
HTTP: natively (httpx) and, in the Pyodide lane, through fetch to the server the lane's host
started. The mock checks what Anthropic checks, thinking signatures sent back included."""

from __future__ import annotations

import json
import uuid

import pytest
from helpers import collect, of_type
from model_helpers import CALCULATOR, FakeClock

from remi_web import (
    AgentBuilder,
    Done,
    ThinkingDelta,
    ToolCallReady,
    ToolResult,
    UsageEvent,
    tool,
)
from remi_web.core.ctx import ChatCtx
from remi_web.core.messages import Message, ToolCallRequest
from remi_web.core.model_io import ModelRequest, RetryChunk, TextChunk, UsageChunk
from remi_web.model import AnthropicModel, BadRequestError, RetryPolicy, StreamError

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


def _model(mock_llm: str, **options: object) -> AnthropicModel:
    """The client for the mock: its root is the fixture's URL without `/v1`."""
    root = mock_llm.removesuffix("/v1")
    return AnthropicModel(
        "mock", base_url=root, api_key="sk-ant-k", **options  # type: ignore[arg-type]
    )


async def test_text_streams_over_http(mock_llm: str) -> None:
    agent = AgentBuilder().model(_model(mock_llm)).system("Be nice.").build()
    events = await collect(agent.chat("hello there"))
    done = events[-1]
    assert isinstance(done, Done) and done.text == "You said: hello there"
    usage = of_type(events, UsageEvent)[0]
    assert usage.usage.prompt_tokens > 0 and usage.model == "mock"


async def test_a_tool_round_over_http(mock_llm: str) -> None:
    agent = AgentBuilder().model(_model(mock_llm)).tools(calculator).build()
    events = await collect(agent.chat("what is 2+3 and what is 4*5?"))
    ready = of_type(events, ToolCallReady)
    assert [json.loads(r.arguments)["expression"] for r in ready] == ["2+3", "4*5"]
    assert all(r.call_id.startswith("toolu_mock_") for r in ready)
    assert sorted(str(r.content) for r in of_type(events, ToolResult)) == ["20", "5"]
    done = events[-1]
    assert isinstance(done, Done) and done.text == "2+3 = 5 and 4*5 = 20."


async def test_a_tool_round_with_thinking_sends_the_signed_thinking_back(mock_llm: str) -> None:
    agent = AgentBuilder().model(_model(mock_llm, thinking_budget=1024)).tools(calculator).build()
    events = await collect(agent.chat("what is 6*7?"))
    thinking = "".join(e.text for e in of_type(events, ThinkingDelta))
    assert "I should call calculator." in thinking and "I have the tool results" in thinking
    done = events[-1]
    assert isinstance(done, Done) and done.text == "6*7 = 42."


async def test_the_mock_rejects_a_tool_round_without_its_thinking(mock_llm: str) -> None:
    """What the test above relies on: without the signed block, the second call fails."""
    model = _model(mock_llm, thinking_budget=1024)
    history = [
        Message.user("what is 6*7?"),
        Message.assistant("", [ToolCallRequest("toolu_1", "calculator", '{"expression": "6*7"}')],
                          "I should call calculator."),
        Message.tool("toolu_1", "42"),
    ]
    with pytest.raises(BadRequestError, match="Expected `thinking` or `redacted_thinking`"):
        await collect(model.chat(ModelRequest(history, [CALCULATOR]), ChatCtx()))
    forged_reply = Message.assistant(
        "", history[1].tool_calls, "I should call calculator.", reasoning_data="forged"
    )
    forged = [history[0], forged_reply, history[2]]
    with pytest.raises(BadRequestError, match="Invalid `signature`"):
        await collect(model.chat(ModelRequest(forged, [CALCULATOR]), ChatCtx()))
    await model.aclose()


async def test_overloaded_then_served_after_a_retry(mock_llm: str) -> None:
    clock = FakeClock()
    model = _model(
        mock_llm, clock=clock, retry=RetryPolicy(rng=lambda: 0.0),
        extra_headers={"x-mock-fault": "overloaded; times=1", "x-mock-fault-key": uuid.uuid4().hex},
    )
    chunks = await collect(model.chat(ModelRequest([Message.user("hi")]), ChatCtx()))
    await model.aclose()
    assert isinstance(chunks[0], RetryChunk) and "overloaded" in chunks[0].reason.lower()
    assert "".join(c.text for c in chunks if isinstance(c, TextChunk)) == "You said: hi"
    assert clock.sleeps == [0.5]


async def test_an_error_event_mid_stream_is_a_stream_error(mock_llm: str) -> None:
    model = _model(mock_llm, extra_headers={"x-mock-fault": "error_event; after=4"})
    with pytest.raises(StreamError, match="overloaded_error"):
        await collect(model.chat(ModelRequest([Message.user("hello there")]), ChatCtx()))
    await model.aclose()


async def test_prompt_caching_writes_then_reads(mock_llm: str) -> None:
    model = _model(mock_llm, cache=True)
    system = f"You are a careful assistant ({uuid.uuid4()})."  # a prefix no other test cached
    first = [Message.system(system), Message.user("hello")]
    second = [*first, Message.assistant("You said: hello"), Message.user("and again")]
    usages = []
    for history in (first, second, second):
        chunks = await collect(model.chat(ModelRequest(history), ChatCtx()))
        usage = chunks[-1]
        assert isinstance(usage, UsageChunk)
        usages.append(usage.usage)
    await model.aclose()
    assert usages[0].cache_write_tokens > 0 and usages[0].cached_tokens == 0
    assert usages[1].cached_tokens == usages[0].cache_write_tokens  # the system prompt
    assert usages[1].cache_write_tokens > 0  # and the turns since
    assert usages[2].cached_tokens == usages[1].cached_tokens + usages[1].cache_write_tokens
    assert usages[2].cache_write_tokens == 0 and usages[2].prompt_tokens == usages[1].prompt_tokens
