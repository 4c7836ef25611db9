"""An agent on Claude's Messages API: extended thinking, a tool round, prompt caching.

Run it with `python examples/anthropic_model.py`. Offline, it starts the bundled mock LLM
server (it speaks the Messages API at `/v1/messages`, checks thinking signatures sent back,
and reports cache writes and reads) on a free loopback port. With `ANTHROPIC_API_KEY` set it
talks to Anthropic instead (`ANTHROPIC_MODEL` names the model, default claude-sonnet-4-5).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    RunStart,
    ThinkingDelta,
    ToolResult,
    UsageEvent,
    tool,
)
from remi_web.model import AnthropicModel


@tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers.

    Args:
        a: the first factor.
        b: the second factor.
    """
    return a * b


@asynccontextmanager
async def mock_server() -> AsyncIterator[str]:
    """The mock LLM server on a free loopback port, in this event loop; yields its root URL."""
    import uvicorn

    from remi_web.testing.mock_server import create_app

    config = uvicorn.Config(create_app(), host="127.0.0.1", port=0, log_level="error")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises why it could not start
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def run(model: AnthropicModel) -> list[str]:
    """Two turns of one conversation; returns the lines printed."""
    agent = AgentBuilder().model(model).system("You are careful.").tools(multiply).build()
    lines: list[str] = []
    thread = None
    for question in ("call multiply with {\"a\": 6, \"b\": 7}", "what did I say?"):
        thinking = ""
        async for event in agent.chat(ChatRequest.user(question, thread_id=thread)):
            if isinstance(event, RunStart):
                thread = event.thread_id  # the second question continues this conversation
            elif isinstance(event, ThinkingDelta):
                thinking += event.text
            elif isinstance(event, ToolResult):
                lines.append(f"tool {event.name} -> {event.content}")
                thinking += " "  # the next turn thinks again
            elif isinstance(event, UsageEvent):
                u = event.usage
                lines.append(f"usage: {u.prompt_tokens} in ({u.cache_write_tokens} cache writes, "
                             f"{u.cached_tokens} cache reads), {u.completion_tokens} out")
            elif isinstance(event, Done):
                lines.append(f"thought: {thinking.strip()[:60]!r}")
                lines.append(f"answer: {event.text!r}")
    for line in lines:
        print(line)
    await model.aclose()
    return lines


async def main() -> list[str]:
    """Against Anthropic if `ANTHROPIC_API_KEY` is set, else against the mock server."""
    if os.environ.get("ANTHROPIC_API_KEY"):
        name = os.environ.get("ANTHROPIC_MODEL", "claude-sonnet-4-5")
        return await run(AnthropicModel(name, thinking_budget=1024, cache=True))
    async with mock_server() as root:
        return await run(
            AnthropicModel(
                "mock", base_url=root, api_key="sk-ant-local", thinking_budget=1024, cache=True
            )
        )


if __name__ == "__main__":
    asyncio.run(main())
