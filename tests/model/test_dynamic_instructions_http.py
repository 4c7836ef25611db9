"""Per-turn instructions and tools over real HTTP: an `OpenAIModel` against the mock server,
with the JSON bodies it sent recorded on the way out."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from helpers import collect, of_type

from remi_web import AgentBuilder, ChatCtx, Done, ToolDefinition, ToolResult, tool
from remi_web.http.httpx_transport import HttpxTransport
from remi_web.http.transport import HttpRequest, HttpResponse
from remi_web.model import OpenAIModel


class RecordingTransport:
    """httpx, keeping the JSON body of every request sent."""

    def __init__(self) -> None:
        self.inner = HttpxTransport()
        self.bodies: list[dict[str, Any]] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        assert request.body is not None
        self.bodies.append(json.loads(request.body))
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3".
    """
    assert set(expression) <= set("0123456789+-*/(). ")
    return str(eval(expression))  # noqa: S307 - digits and operators only, checked above


def later(ctx: ChatCtx, definition: ToolDefinition) -> ToolDefinition:
    return replace(definition, description=f"{definition.description} Turn {ctx.turn}.")


async def test_per_turn_instructions_reach_the_model_over_http(mock_llm: str) -> None:
    transport = RecordingTransport()
    model = OpenAIModel("mock", base_url=mock_llm, api_key="k", transport=transport)
    agent = (
        AgentBuilder().model(model).tools(tool(prepare=later)(calculator.fn))
        .system(lambda ctx: f"You are on turn {ctx.turn}.").build()
    )
    try:
        events = await collect(agent.chat("what is 2+3?"))
    finally:
        await transport.aclose()
    done = events[-1]
    assert isinstance(done, Done) and "5" in done.text
    assert [r.content for r in of_type(events, ToolResult)] == ["5"]
    sent = transport.bodies
    assert len(sent) == 2  # the tool call, then the answer
    systems = [body["messages"][0] for body in sent]
    assert systems == [
        {"role": "system", "content": "You are on turn 1."},
        {"role": "system", "content": "You are on turn 2."},
    ]
    descriptions = [body["tools"][0]["function"]["description"] for body in sent]
    assert descriptions == ["Evaluate arithmetic. Turn 1.", "Evaluate arithmetic. Turn 2."]
