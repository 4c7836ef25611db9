"""pydantic-ai as a contender: `agent.run_stream_events()` over `FunctionModel` (its own
streaming test double), `agent.run()` for tool runs, `OpenAIChatModel` over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version as dist_version

from pydantic_ai import Agent
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.usage import UsageLimits

from ..measure import Run

UNLIMITED = UsageLimits(request_limit=None)


def version() -> str:
    """The installed pydantic-ai-slim."""
    return dist_version("pydantic-ai-slim")


def _text_events(event: object) -> int:
    if type(event) is PartDeltaEvent and type(event.delta) is TextPartDelta:
        return 1
    if type(event) is PartStartEvent and type(event.part) is TextPart and event.part.content:
        return 1
    return 0


def stream_run(deltas: int) -> Run:
    """`run_stream_events()` over a `FunctionModel` whose stream function yields prebuilt
    strings."""
    chunks = [f"t{i} " for i in range(deltas)]

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        for chunk in chunks:
            yield chunk

    agent = Agent(FunctionModel(stream_function=stream))

    async def run() -> int:
        count = 0
        async with agent.run_stream_events("go") as events:
            async for event in events:
                count += _text_events(event)
        return count

    return run


def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: the first number.
        b: the second number.
    """
    return a + b


def tool_run(rounds: int) -> Run:
    """`agent.run()` over a `FunctionModel` that calls `add` until `rounds` results."""

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        results = sum(
            1
            for message in messages
            if isinstance(message, ModelRequest)
            for part in message.parts
            if isinstance(part, ToolReturnPart)
        )
        if results < rounds:
            return ModelResponse(parts=[ToolCallPart("add", {"a": 1, "b": 2}, f"call_{results}")])
        return ModelResponse(parts=[TextPart("done")])

    agent = Agent(FunctionModel(respond), tools=[add])

    async def run() -> str:
        result = await agent.run("add 1 and 2", usage_limits=UNLIMITED)
        return str(result.output)

    return run


@asynccontextmanager
async def http_session(base_url: str, prompt: str) -> AsyncIterator[Run]:
    """`run_stream_events()` with `OpenAIChatModel` on an `OpenAIProvider`."""
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    provider = OpenAIProvider(base_url=base_url, api_key="bench")
    agent = Agent(OpenAIChatModel("mock", provider=provider))

    async def run() -> int:
        count = 0
        async with agent.run_stream_events(prompt) as events:
            async for event in events:
                count += _text_events(event)
        return count

    try:
        yield run
    finally:
        await provider.client.close()
