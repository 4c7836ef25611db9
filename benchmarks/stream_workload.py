"""The streaming workload: a model that streams prebuilt text chunks, the floor that reads
them bare, and the same stream through `AgentLoop.chat()`.

Pure Python on `remi_web` alone, so the Pyodide benchmark runs this very file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from remi_web import AgentBuilder, AgentLoop, ChatCtx, TextDelta
from remi_web.core.model_io import ModelChunk, ModelRequest
from remi_web.core.model_io import TextChunk


class RawModel:
    """Streams prebuilt chunks with no work of its own: the cheapest possible model."""

    def __init__(self, deltas: int) -> None:
        self.chunks = [TextChunk(f"t{i} ") for i in range(deltas)]

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """Yield every chunk, never awaiting anything."""
        for chunk in self.chunks:
            yield chunk


async def floor(model: RawModel) -> int:
    """Iterate the model stream directly: the floor."""
    count = 0
    async for _ in model.chat(ModelRequest(messages=[]), ChatCtx()):
        count += 1
    return count


def agent_for(model: RawModel) -> AgentLoop:
    """The agent whose overhead is measured: the model, no tools, tracing off."""
    return AgentBuilder().model(model).build()


async def stack(agent: AgentLoop) -> int:
    """Run one chat through the whole agent loop; the number of text deltas seen."""
    count = 0
    async for event in agent.chat("go"):
        if type(event) is TextDelta:
            count += 1
    return count
