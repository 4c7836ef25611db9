"""The agent the multi-server tests serve with `remi serve cluster_agent:agent`: a scripted
model (no provider needed) and two tools that write each execution to a side file, so a
test counts what ran, and how often, whatever killed the server after.

The user's message says what the run does: "charge N" (a tool that needs approval and is
not idempotent), "work N" (an idempotent tool), "slow N" (N text deltas, 50 ms apart).
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator

from remi_web import AgentBuilder, ChatCtx, ToolCtx, tool
from remi_web.core.model_io import ModelChunk, ModelRequest, TextChunk, ToolCallChunk

SIDE_FILE_ENV = "REMI_TEST_SIDE_FILE"


def executed(tool_name: str, ctx: ToolCtx) -> None:
    """Record one execution as one line (a single write: whole, whatever happens next)."""
    line = f"{tool_name} {ctx.chat.run_id} {ctx.call_id}\n".encode()
    fd = os.open(os.environ[SIDE_FILE_ENV], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


@tool(idempotent=True)
async def work(n: int, ctx: ToolCtx) -> str:
    """Compute something (idempotent).

    Args:
        n: the job.
    """
    executed("work", ctx)
    await asyncio.sleep(random.uniform(0.05, 0.5))
    return f"worked {n}"


@tool(requires_approval=True)
async def charge(n: int, ctx: ToolCtx) -> str:
    """Charge a card (not idempotent; a human approves it first).

    Args:
        n: the amount.
    """
    executed("charge", ctx)
    await asyncio.sleep(random.uniform(0.05, 0.5))
    return f"charged {n}"


class ScriptedByUser:
    """Does what the user's last message says, then answers."""

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """The chunks of one model turn."""
        last = request.messages[-1]
        if last.role == "tool":
            yield TextChunk(f"finished after {last.content}")
            return
        verb, number = str(last.content).split()
        if verb == "slow":
            for i in range(int(number)):
                await asyncio.sleep(0.05)
                yield TextChunk(f"{i} ")
            return
        await asyncio.sleep(random.uniform(0, 0.1))
        yield ToolCallChunk(0, id=f"call-{number}", name=verb, arguments=f'{{"n": {number}}}')


agent = AgentBuilder().model(ScriptedByUser()).tools(work, charge).build()
