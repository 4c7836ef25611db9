"""Helpers of the WebAssembly tests: collecting events, and a model that can be held."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from remi_web import AgentEvent, ChatCtx, ChatRequest, ScriptedModel
from remi_web.core.model_io import ModelChunk, ModelRequest
from remi_web.testing.scripted_model import ScriptItem


async def run(agent: object, request: ChatRequest | str, ctx: ChatCtx | None = None) -> list[AgentEvent]:
    """Every event of one `chat` call."""
    return [event async for event in agent.chat(request, ctx)]  # type: ignore[attr-defined]


def texts(events: list[AgentEvent], kind: str) -> list[str]:
    """A readable field of each event of `type` kind (text, content or message)."""
    out = []
    for event in events:
        if event.type == kind:
            value = getattr(event, "text", None) or getattr(event, "content", None)
            out.append(str(value if value is not None else getattr(event, "message", "")))
    return out


class HeldModel(ScriptedModel):
    """A `ScriptedModel` whose first call stops after its first chunk until `release()`."""

    def __init__(self, turns: Sequence[Sequence[ScriptItem]]) -> None:
        super().__init__(turns)
        self.holding = asyncio.Event()
        self.finished = False
        self._gate = asyncio.Event()

    def release(self) -> None:
        """Let the held call go on."""
        self._gate.set()

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """Stream the next turn; the first turn waits after one chunk."""
        first = not self.requests
        count = 0
        async for chunk in super().chat(request, ctx):
            yield chunk
            count += 1
            if first and count == 1:
                self.holding.set()
                await self._gate.wait()
        self.finished = True
