"""remi-web as a contender: `AgentLoop.chat()` with a raw in-process model, the `add`
tool, and `OpenAIModel` over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version as dist_version

from remi_web import AgentBuilder, TextDelta
from remi_web.model import OpenAIModel

from ..measure import Run
from ..stream_workload import RawModel, agent_for, stack
from ..tool_workload import tool_agent, tool_run as run_tools


def version() -> str:
    """The installed remi-web."""
    return dist_version("remi-web")


def stream_run(deltas: int) -> Run:
    """`AgentLoop.chat()` over a model that yields prebuilt chunks."""
    agent = agent_for(RawModel(deltas))

    async def run() -> int:
        return await stack(agent)

    return run


def tool_run(rounds: int) -> Run:
    """`AgentLoop.chat()` to the end, with `rounds` tool rounds."""
    agent = tool_agent(rounds)

    async def run() -> str:
        return await run_tools(agent)

    return run


@asynccontextmanager
async def http_session(base_url: str, prompt: str) -> AsyncIterator[Run]:
    """`OpenAIModel` (httpx transport) under the agent loop."""
    model = OpenAIModel("mock", base_url=base_url, api_key="bench")
    agent = AgentBuilder().model(model).build()

    async def run() -> int:
        count = 0
        async for event in agent.chat(prompt):
            if type(event) is TextDelta:
                count += 1
        return count

    try:
        yield run
    finally:
        await model.aclose()
