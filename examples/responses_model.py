"""An agent on OpenAI's Responses API: reasoning summaries, a tool round, and the encrypted
reasoning sent back on the next call.

Run it with `python examples/responses_model.py`. Offline, it starts the bundled mock LLM
server (it speaks the Responses API at `/v1/responses`, checks the encrypted reasoning sent
back, and counts the previous call's prompt as cached) on a free loopback port. With
`OPENAI_API_KEY` set it talks to OpenAI instead (`OPENAI_MODEL` names a reasoning model,
default gpt-5-mini).
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
from remi_web.model import OpenAIResponsesModel


@tool
def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression.

    Args:
        expression: e.g. "2 + 3 * 4".
    """
    if not set(expression) <= set("0123456789+-*/(). "):
        raise ValueError("only digits, + - * / and parentheses")
    return str(eval(expression))  # noqa: S307 - digits and operators only, checked above


@asynccontextmanager
async def mock_server() -> AsyncIterator[str]:
    """The mock LLM server on a free loopback port, in this event loop; yields its `/v1` URL."""
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
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        await task


async def run(model: OpenAIResponsesModel) -> list[str]:
    """Two turns of one conversation; returns the lines printed."""
    agent = AgentBuilder().model(model).system("Use the calculator.").tools(calculator).build()
    lines: list[str] = []
    thread = None
    for question in ("what is 2+3*4?", "what did I say?"):
        thinking = ""  # the reasoning summary of the current model call
        async for event in agent.chat(ChatRequest.user(question, thread_id=thread)):
            if isinstance(event, RunStart):
                thread = event.thread_id  # the second question continues this conversation
            elif isinstance(event, ThinkingDelta):
                thinking += event.text
            elif isinstance(event, ToolResult):
                lines.append(f"tool {event.name} -> {event.content}")
            elif isinstance(event, UsageEvent):  # one model call ended
                u = event.usage
                lines.append(f"thought: {thinking.strip()[:60]!r}")
                lines.append(f"usage: {u.prompt_tokens} in ({u.cached_tokens} cached), "
                             f"{u.completion_tokens} out ({u.reasoning_tokens} reasoning)")
                thinking = ""
            elif isinstance(event, Done):
                lines.append(f"answer: {event.text!r}")
    for line in lines:
        print(line)
    await model.aclose()
    return lines


async def main() -> list[str]:
    """Against OpenAI if `OPENAI_API_KEY` is set, else against the mock server."""
    if os.environ.get("OPENAI_API_KEY"):
        name = os.environ.get("OPENAI_MODEL", "gpt-5-mini")
        return await run(OpenAIResponsesModel(name, reasoning_effort="low", reasoning_summary="auto"))
    async with mock_server() as base_url:
        return await run(
            OpenAIResponsesModel(
                "mock-reasoning", base_url=base_url, api_key="sk-local", reasoning_summary="auto"
            )
        )


if __name__ == "__main__":
    asyncio.run(main())
