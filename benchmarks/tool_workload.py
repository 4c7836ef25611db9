"""The tool workload: a model that calls the `add` tool until a run has `rounds` tool
results, then answers. It reads the request (like pydantic-ai's `FunctionModel`) instead of
playing a script, so one agent serves any number of runs, one after another or at once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from remi_web import AgentBuilder, AgentLoop, ChatCtx, Usage, tool
from remi_web.core.model_io import ModelChunk, ModelRequest
from remi_web.core.model_io import TextChunk, ToolCallChunk, UsageChunk

ARGUMENTS = json.dumps({"a": 1, "b": 2})


@tool
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: the first number.
        b: the second number.
    """
    return a + b


class ToolLoopModel:
    """Calls `add` while the request holds fewer than `rounds` tool results, then says
    "done". With `text` it also streams that many text chunks per turn, and with
    `yield_each` it gives the event loop a turn before every chunk (as a network would)."""

    def __init__(self, rounds: int = 1, text: int = 0, yield_each: bool = False) -> None:
        self.rounds = rounds
        self.text = [TextChunk(f"t{i} ") for i in range(text)]
        self.yield_each = yield_each
        self.usage = UsageChunk(Usage(10, 5))
        self.final = TextChunk("done")

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """One turn: optional text, then a tool call or the final answer."""
        results = sum(1 for m in request.messages if m.role == "tool")
        for chunk in self.text:
            if self.yield_each:
                await asyncio.sleep(0)
            yield chunk
        if self.yield_each:
            await asyncio.sleep(0)
        if results < self.rounds:
            yield ToolCallChunk(0, f"call_{results}", "add", ARGUMENTS)
        else:
            yield self.final
        yield self.usage


def tool_agent(rounds: int = 1, text: int = 0, yield_each: bool = False) -> AgentLoop:
    """An agent with the `add` tool whose model makes `rounds` tool rounds per run."""
    model = ToolLoopModel(rounds, text, yield_each)
    return AgentBuilder().model(model).tools(add).max_turns(rounds + 1).build()


async def tool_run(agent: AgentLoop) -> str:
    """One run to the end; the final text (the run must end with `done`)."""
    last = None
    async for event in agent.chat("add 1 and 2"):
        last = event
    if getattr(last, "type", None) != "done":
        raise RuntimeError(f"the tool run did not end with done: {last!r}")
    return str(getattr(last, "text", ""))
