"""`ScriptedModel`: a chat model that plays back a script, for tests and demos."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from ..core.schema_types import JsonValue

from ..core.compose import Composable
from ..core.content import content_text
from ..core.ctx import ChatCtx
from ..core.errors import ScriptExhausted
from ..core.model_io import (
    ModelChunk,
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    UsageChunk,
)
from ..core.usage import Usage


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A scripted tool call; its JSON arguments are streamed in small fragments."""

    name: str
    arguments: dict[str, JsonValue] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Thinking:
    """A scripted piece of reasoning."""

    text: str


ScriptItem: TypeAlias = str | ToolCall | Thinking
"""One item of a scripted turn: a `str` is a text delta."""


class ScriptedModel(Composable[ModelRequest, ModelChunk]):
    """Answers the n-th model call with the n-th turn of the script.

    Args:
        turns: one list of items per model call.
        chunk_delay: seconds to wait before each chunk (0: none).
        args_chunk_size: characters per tool-call argument fragment.
        model: the model name its usage chunks carry (default: none).

    Every request received is kept in `.requests`. A call past the end of the script
    raises `ScriptExhausted`.
    """

    def __init__(
        self,
        turns: Sequence[Sequence[ScriptItem]],
        *,
        chunk_delay: float = 0.0,
        args_chunk_size: int = 8,
        model: str | None = None,
    ) -> None:
        self.turns = [list(turn) for turn in turns]
        self.chunk_delay = chunk_delay
        self.args_chunk_size = max(1, args_chunk_size)
        self.requests: list[ModelRequest] = []
        self.model = model

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """Stream the next turn of the script."""
        number = len(self.requests)
        self.requests.append(request)
        if number >= len(self.turns):
            raise ScriptExhausted(
                f"ScriptedModel has {len(self.turns)} turn(s) but was called {number + 1} times; "
                "add a turn to the script."
            )
        delay = self.chunk_delay
        calls = 0
        for item in self.turns[number]:
            if delay:
                await asyncio.sleep(delay)
            if isinstance(item, str):
                yield TextChunk(item)
            elif isinstance(item, Thinking):
                yield ThinkingChunk(item.text)
            else:
                for chunk in self._tool_call_chunks(item, number, calls):
                    yield chunk
                calls += 1
        prompt = sum(len(content_text(m.content).split()) for m in request.messages)
        yield UsageChunk(Usage(prompt, len(self.turns[number])), self.model)

    def _tool_call_chunks(self, call: ToolCall, turn: int, index: int) -> list[ToolCallChunk]:
        text = json.dumps(call.arguments)
        size = self.args_chunk_size
        call_id = call.id or f"call_{turn}_{index}"
        first = ToolCallChunk(index, call_id, call.name, text[:size])
        return [first, *(ToolCallChunk(index, arguments=text[i : i + size])
                         for i in range(size, len(text), size))]
