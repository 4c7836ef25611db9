"""`MockModel`: the bundled mock model in process, no HTTP: the replies of `remi mock-llm`
(calculator, `call NAME with {...}`, "count to N", the deep-agent script...), streamed token
by token. It is what `remi chat` and `remi tui` use when no model is configured, and it runs
in Pyodide too."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator

from ..core.schema_types import JsonValue

from ..core.content import content_text
from ..core.ctx import ChatCtx
from ..core.messages import Message
from ..core.model_io import (
    ModelChunk,
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    UsageChunk,
)
from ..core.usage import Usage
from .mock_deep import deep_reply
from .mock_policy import count_tokens, plan_reply, tokens


class MockModel:
    """The mock model, in process.

    Args:
        name: the model name ("mock"; a name with "reason" or "think" also streams reasoning).
        tokens_per_second: pace of the stream (None: as fast as possible).
    """

    def __init__(self, name: str = "mock", *, tokens_per_second: float | None = None) -> None:
        self.name = name
        self.tokens_per_second = tokens_per_second

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """Stream the mock's reply to `request`."""
        messages = [_wire(message) for message in request.messages]
        tools: list[dict[str, JsonValue]] = [
            {"type": "function", "function": {"name": t.name, "parameters": t.parameters}}
            for t in request.tools
        ]
        model = request.model or self.name
        reply = deep_reply(messages, tools) or plan_reply(
            messages, tools, model, request.extra.get("response_format")
        )
        pause = 1.0 / self.tokens_per_second if self.tokens_per_second else 0.0
        for piece in tokens(reply.reasoning):
            yield ThinkingChunk(piece)
            if pause:
                await asyncio.sleep(pause)
        for piece in tokens(reply.text):
            yield TextChunk(piece)
            if pause:
                await asyncio.sleep(pause)
        seed = json.dumps(messages, sort_keys=True, default=str).encode()
        for index, call in enumerate(reply.tool_calls):
            call_id = "call_" + hashlib.sha256(seed + b"#%d" % index).hexdigest()[:20]
            yield ToolCallChunk(index, id=call_id, name=call.name, arguments=call.arguments)
        prompt = sum(count_tokens(content_text(m.content)) for m in request.messages)
        yield UsageChunk(Usage(prompt, count_tokens(reply.text) + len(reply.tool_calls)))


def _wire(message: Message) -> dict[str, JsonValue]:
    """A message as the mock policy reads it (Chat Completions shape)."""
    wire: dict[str, JsonValue] = {"role": message.role, "content": content_text(message.content)}
    if message.tool_calls:
        wire["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
    if message.tool_call_id:
        wire["tool_call_id"] = message.tool_call_id
    return wire
