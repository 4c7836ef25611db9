"""The bare `openai` client as a reference (not an agent framework): its streaming chat
completions over HTTP, which the OpenAI Agents SDK and LangGraph's `ChatOpenAI` build on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version as dist_version

from openai import AsyncOpenAI

from ..measure import Run


def version() -> str:
    """The installed openai."""
    return dist_version("openai")


def stream_run(deltas: int) -> Run | None:
    """Not an agent framework: no in-process stream."""
    return None


def tool_run(rounds: int) -> Run | None:
    """Not an agent framework: no tool loop."""
    return None


@asynccontextmanager
async def http_session(base_url: str, prompt: str) -> AsyncIterator[Run]:
    """`chat.completions.create(stream=True)`, counting chunks with text."""
    client = AsyncOpenAI(base_url=base_url, api_key="bench")

    async def run() -> int:
        count = 0
        stream = await client.chat.completions.create(
            model="mock",
            messages=[{"role": "user", "content": prompt}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                count += 1
        return count

    try:
        yield run
    finally:
        await client.close()
