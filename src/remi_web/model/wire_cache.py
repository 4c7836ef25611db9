"""`WireCache`: the request body of a Chat Completions call, built from the wire JSON of each
message and tool encoded once. On a long run a turn encodes only its new messages; the bytes
sent still carry the whole history, but the CPU does not redo it."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..core.schema_types import JsonValue

from ..core.messages import Message
from ..core.model_io import ModelRequest, ToolDefinition
from .openai_wire import MaxTokensParam, body_settings, message_to_wire, tool_to_wire

_MESSAGES, _TOOLS = "\x00messages\x00", "\x00tools\x00"


class WireCache:
    """Encoded messages and tool definitions, by object (an entry holds its object, so an
    id is never reused while cached); the oldest go past `limit` entries.

    Args:
        send_reasoning: echo assistant reasoning back (see `message_to_wire`).
        limit: the most entries kept.
    """

    def __init__(self, *, send_reasoning: bool = False, limit: int = 20_000) -> None:
        self.send_reasoning = send_reasoning
        self.limit = limit
        self._entries: dict[int, tuple[object, bytes]] = {}

    def message(self, message: Message) -> bytes:
        """The wire JSON of `message`."""
        entry = self._entries.get(id(message))
        if entry is not None and entry[0] is message:
            return entry[1]
        encoded = json.dumps(message_to_wire(message, send_reasoning=self.send_reasoning))
        return self._keep(message, encoded.encode())

    def tool(self, tool: ToolDefinition) -> bytes:
        """The wire JSON of `tool`."""
        entry = self._entries.get(id(tool))
        if entry is not None and entry[0] is tool:
            return entry[1]
        return self._keep(tool, json.dumps(tool_to_wire(tool)).encode())

    def body(
        self,
        request: ModelRequest,
        *,
        model: str,
        defaults: Mapping[str, JsonValue] | None = None,
        extra_body: Mapping[str, JsonValue] | None = None,
        max_tokens_param: MaxTokensParam = "max_tokens",
    ) -> bytes:
        """The body `build_body` makes, as JSON bytes."""
        body: dict[str, JsonValue] = {"model": request.model or model, "messages": _MESSAGES}
        if request.tools:
            body["tools"] = _TOOLS
        body.update(body_settings(request, defaults, extra_body, max_tokens_param))
        encoded = json.dumps(body).encode()
        messages = b"[" + b", ".join(self.message(m) for m in request.messages) + b"]"
        encoded = encoded.replace(json.dumps(_MESSAGES).encode(), messages, 1)
        if request.tools:
            tools = b"[" + b", ".join(self.tool(t) for t in request.tools) + b"]"
            encoded = encoded.replace(json.dumps(_TOOLS).encode(), tools, 1)
        return encoded

    def _keep(self, item: object, encoded: bytes) -> bytes:
        entries = self._entries
        if len(entries) >= self.limit:
            del entries[next(iter(entries))]  # the oldest entry
        entries[id(item)] = (item, encoded)
        return encoded
