"""An agent on `OpenAIResponsesModel` against the mock server's `/v1/responses`, over real
loopback HTTP (httpx natively, fetch in the Pyodide lane)."""

from __future__ import annotations

import json

import pytest
from helpers import collect, of_type

from remi_web import (
    AgentBuilder,
    ChatCtx,
    ChatRequest,
    Done,
    ErrorEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallReady,
    ToolResult,
    MemoryStore,
    Message,
    UsageEvent,
    tool,
)
from remi_web.core.model_io import ModelRequest
from remi_web.http.default import default_transport
from remi_web.http.transport import HttpRequest, HttpResponse
from remi_web.model import OpenAIResponsesModel, RateLimitError

pytestmark = pytest.mark.pyodide

KEY = "sk-local-responses-0123456789"


class Recorder:
    """The platform's transport, keeping each request sent."""

    def __init__(self) -> None:
        self.inner = default_transport()
        self.requests: list[HttpRequest] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def body(self, number: int) -> dict[str, object]:
        sent = self.requests[number].body
        assert sent is not None
        body: dict[str, object] = json.loads(sent)
        return body


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3".
    """
    assert set(expression) <= set("0123456789+-*/(). ")
    return str(eval(expression))  # noqa: S307 - digits and operators only, checked above


async def test_a_reasoning_agent_does_a_tool_round_and_sends_its_reasoning_back(mock_llm: str) -> None:
    recorder = Recorder()
    model = OpenAIResponsesModel(
        "mock-reasoning", base_url=mock_llm, api_key=KEY, reasoning_summary="auto",
        transport=recorder,
    )
    agent = AgentBuilder().model(model).tools(calculator).system("Use the calculator.").build()
    try:
        events = await collect(agent.chat("what is 2+3*4?"))
    finally:
        await recorder.aclose()
    done = events[-1]
    assert isinstance(done, Done), events[-1]
    [ready] = of_type(events, ToolCallReady)
    assert ready.name == "calculator" and json.loads(ready.arguments) == {"expression": "2+3*4"}
    assert [r.content for r in of_type(events, ToolResult)] == ["14"]
    assert done.text == "2+3*4 = 14."
    assert "".join(d.text for d in of_type(events, TextDelta)) == done.text
    thought = "".join(d.text for d in of_type(events, ThinkingDelta))
    assert thought == "I should call calculator." + "I have the tool results; I can answer."
    assert all(d.text for d in of_type(events, ThinkingDelta))

    first, second = recorder.body(0), recorder.body(1)
    assert recorder.requests[0].url == mock_llm + "/responses"
    assert first["instructions"] == "Use the calculator." and first["store"] is False
    assert first["include"] == ["reasoning.encrypted_content"]
    items = second["input"]
    assert isinstance(items, list)
    assert [item["type"] for item in items] == [
        "message", "reasoning", "function_call", "function_call_output",
    ]
    reasoning = items[1]
    assert reasoning["summary"] == [{"type": "summary_text", "text": "I should call calculator."}]
    assert reasoning["encrypted_content"].startswith("mock-rs.")  # the mock checks it
    assert items[2]["call_id"] == items[3]["call_id"] == ready.call_id

    first_usage, second_usage = (e.usage for e in of_type(events, UsageEvent))
    assert first_usage.cached_tokens == 0 and second_usage.cached_tokens > 0
    assert first_usage.reasoning_tokens > 0
    assert done.usage == first_usage + second_usage


async def test_a_thread_keeps_its_reasoning_across_turns(mock_llm: str) -> None:
    recorder = Recorder()
    model = OpenAIResponsesModel(
        "mock-reasoning", base_url=mock_llm, api_key=KEY, reasoning_effort="low",
        transport=recorder,
    )
    agent = AgentBuilder().model(model).store(MemoryStore()).build()
    try:
        first = await collect(agent.chat("hello, wörld 👋"))
        thread = first[0].thread_id  # type: ignore[union-attr]
        second = await collect(agent.chat(ChatRequest.user("what did I say?", thread_id=thread)))
    finally:
        await recorder.aclose()
    assert isinstance(first[-1], Done) and first[-1].text == "You said: hello, wörld 👋"
    assert not of_type(first, ThinkingDelta)  # no summary asked for: reasoning stays hidden
    assert isinstance(second[-1], Done) and second[-1].text == "You first said: hello, wörld 👋"
    items = recorder.body(1)["input"]
    assert isinstance(items, list)
    assert [(item["type"], item.get("role")) for item in items] == [
        ("message", "user"), ("reasoning", None), ("message", "assistant"), ("message", "user"),
    ]
    assert items[1]["summary"] == [] and items[1]["encrypted_content"].startswith("mock-rs.")


async def test_provider_errors_are_typed_over_http(mock_llm: str) -> None:
    model = OpenAIResponsesModel("fault-quota", base_url=mock_llm, api_key=KEY)
    replay = OpenAIResponsesModel("replay-error_event", base_url=mock_llm, api_key=KEY)
    try:
        events = await collect(AgentBuilder().model(model).build().chat("hi"))
        with pytest.raises(RateLimitError, match="mid-stream"):
            async for _ in replay.chat(ModelRequest([Message.user("hi")]), ChatCtx()):
                pass
    finally:
        await model.aclose()
        await replay.aclose()
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.code == "quota_exceeded"
