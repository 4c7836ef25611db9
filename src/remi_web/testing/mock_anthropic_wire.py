"""The mock's Messages API wire format: a request read as the policy's conversation, a reply
written as Anthropic's events (or one whole message), and the mock's thinking signatures.

Pure Python: the endpoint (`mock_anthropic`) serves what this builds.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from ..core.schema_types import JsonValue
from ..http.sse import encode_comment, encode_event
from .mock_policy import Reply, tokens
from .mock_recordings import Recording
from .mock_stream import StreamEvent


@dataclass(frozen=True, slots=True)
class Counts:
    """The usage the mock reports: uncached input, cache writes and reads, output."""

    input_tokens: int
    output_tokens: int
    cache_write: int = 0
    cache_read: int = 0

    def wire(self) -> dict[str, JsonValue]:
        """The `usage` object of `message_start` (or of a whole message)."""
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_write,
            "cache_read_input_tokens": self.cache_read,
            "output_tokens": self.output_tokens,
        }


def sign(thinking: str) -> str:
    """The mock's signature of a thinking block's text (the mock checks it when the block
    comes back, as Anthropic does)."""
    digest = hashlib.sha256(b"mock-thinking\0" + thinking.encode()).digest()
    return base64.b64encode(digest).decode()


def _text(content: JsonValue) -> str:
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    return "".join(
        str(b.get("text", "")) for b in parts if isinstance(b, dict) and b.get("type") == "text"
    )


def conversation(
    body: Mapping[str, JsonValue],
) -> tuple[list[dict[str, JsonValue]], list[dict[str, JsonValue]]]:
    """The request as the policy reads it: Chat Completions messages and tools (system
    first, `tool_result` blocks as tool messages before the rest of their user turn,
    `tool_use` blocks as tool calls, images and documents as parts the policy counts)."""
    out: list[dict[str, JsonValue]] = []
    system = _text(body.get("system"))
    if system:
        out.append({"role": "system", "content": system})
    raw = body.get("messages")
    for message in raw if isinstance(raw, list) else []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        if message.get("role") == "assistant":
            wire: dict[str, JsonValue] = {"role": "assistant", "content": _text(content)}
            calls: list[JsonValue] = [
                {
                    "id": b.get("id"),
                    "type": "function",
                    "function": {"name": b.get("name"), "arguments": json.dumps(b.get("input"))},
                }
                for b in blocks
                if isinstance(b, dict) and b.get("type") == "tool_use"
            ]
            if calls:
                wire["tool_calls"] = calls
            out.append(wire)
            continue
        parts: list[JsonValue] = []
        for b in blocks:
            if not isinstance(b, dict):
                continue
            if b.get("type") == "tool_result":
                out.append(
                    {"role": "tool", "tool_call_id": b.get("tool_use_id"),
                     "content": _text(b.get("content"))}
                )
            elif b.get("type") == "text":
                parts.append({"type": "text", "text": b.get("text")})
            elif b.get("type") == "image":
                parts.append({"type": "image_url", "image_url": {"url": "(image)"}})
            elif b.get("type") == "document":
                parts.append({"type": "file", "file": {}})
        if isinstance(content, str):
            out.append({"role": "user", "content": content})
        elif parts:
            out.append({"role": "user", "content": parts})
    raw_tools = body.get("tools")
    tools: list[dict[str, JsonValue]] = [
        {
            "type": "function",
            "function": {
                "name": t.get("name"),
                "description": t.get("description", ""),
                "parameters": t.get("input_schema"),
            },
        }
        for t in (raw_tools if isinstance(raw_tools, list) else [])
        if isinstance(t, dict)
    ]
    return out, tools


def thinking_problem(body: Mapping[str, JsonValue]) -> str | None:
    """What Anthropic would reject about the thinking blocks sent back, if anything: a
    signature that is not the mock's, or (thinking on) a last assistant turn that called
    tools without starting with its thinking."""
    raw = body.get("messages")
    messages = raw if isinstance(raw, list) else []
    last = -1
    for n, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") != "assistant":
            continue
        last = n
        content = message.get("content")
        for i, b in enumerate(content if isinstance(content, list) else []):
            if isinstance(b, dict) and b.get("type") == "thinking":
                if b.get("signature") != sign(str(b.get("thinking", ""))):
                    return f"messages.{n}.content.{i}: Invalid `signature` in `thinking` block"
    thinking = body.get("thinking")
    if last < 0 or not isinstance(thinking, dict) or thinking.get("type") == "disabled":
        return None
    message = messages[last]
    assert isinstance(message, dict)
    content = message.get("content")
    blocks = content if isinstance(content, list) else []
    uses_tools = any(isinstance(b, dict) and b.get("type") == "tool_use" for b in blocks)
    first = blocks[0].get("type") if blocks and isinstance(blocks[0], dict) else None
    if uses_tools and first not in ("thinking", "redacted_thinking"):
        return (
            f"messages.{last}.content.0.type: Expected `thinking` or `redacted_thinking`, but "
            f"found `{first}`. When `thinking` is enabled, a final `assistant` message must "
            "start with a thinking block (preceding the lastmost set of `tool_use` and "
            "`tool_result` blocks). To avoid this requirement, disable `thinking`."
        )
    return None


def message_id(seed: bytes) -> str:
    """A deterministic message id for the request `seed` stands for."""
    return "msg_mock_" + hashlib.sha256(seed).hexdigest()[:24]


def tool_use_id(seed: bytes, index: int) -> str:
    """A deterministic tool_use id, distinct per request and per call."""
    return "toolu_mock_" + hashlib.sha256(seed + b"#" + str(index).encode()).hexdigest()[:20]


def _event(payload: Mapping[str, JsonValue], n: int = 0) -> StreamEvent:
    data = json.dumps(payload, ensure_ascii=False)
    return StreamEvent(encode_event(data, event=str(payload["type"])), n)


def _groups(text: str, size: int) -> list[tuple[str, int]]:
    pieces = tokens(text)
    size = max(size, 1)
    return [("".join(pieces[i : i + size]), len(pieces[i : i + size]))
            for i in range(0, len(pieces), size)]


def reply_events(
    reply: Reply, *, seed: bytes, model: str, counts: Counts, chunk_size: int = 1
) -> list[StreamEvent]:
    """The events of a streamed reply, as Anthropic sends them: `message_start`, a `ping`,
    a signed thinking block, a text block, `tool_use` blocks (input in small
    `input_json_delta` fragments after an empty one), `message_delta`, `message_stop`."""
    message: dict[str, JsonValue] = {
        "id": message_id(seed), "type": "message", "role": "assistant", "model": model,
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {**counts.wire(), "output_tokens": 1},
    }
    events = [_event({"type": "message_start", "message": message}), _event({"type": "ping"})]
    index = 0

    def block(content: dict[str, JsonValue], deltas: list[tuple[JsonValue, int]]) -> None:
        nonlocal index
        events.append(
            _event({"type": "content_block_start", "index": index, "content_block": content})
        )
        for payload, n in deltas:
            events.append(
                _event({"type": "content_block_delta", "index": index, "delta": payload}, n)
            )
        events.append(_event({"type": "content_block_stop", "index": index}))
        index += 1

    if reply.reasoning:
        deltas: list[tuple[JsonValue, int]] = [
            ({"type": "thinking_delta", "thinking": text}, n)
            for text, n in _groups(reply.reasoning, chunk_size)
        ]
        deltas.append(({"type": "signature_delta", "signature": sign(reply.reasoning)}, 0))
        block({"type": "thinking", "thinking": "", "signature": ""}, deltas)
    if reply.text:
        block(
            {"type": "text", "text": ""},
            [({"type": "text_delta", "text": t}, n) for t, n in _groups(reply.text, chunk_size)],
        )
    step = 4 * max(chunk_size, 1)
    for n, call in enumerate(reply.tool_calls):
        pieces = [call.arguments[i : i + step] for i in range(0, len(call.arguments), step)]
        block(
            {"type": "tool_use", "id": tool_use_id(seed, n), "name": call.name, "input": {}},
            [({"type": "input_json_delta", "partial_json": p}, 1) for p in ["", *pieces]],
        )
    events.append(_event({
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use" if reply.tool_calls else "end_turn",
                  "stop_sequence": None},
        "usage": {"output_tokens": counts.output_tokens},
    }))
    events.append(_event({"type": "message_stop"}))
    return events


def whole_message(reply: Reply, *, seed: bytes, model: str, counts: Counts) -> dict[str, JsonValue]:
    """The whole (non-streamed) message for `reply`."""
    content: list[JsonValue] = []
    if reply.reasoning:
        signature = sign(reply.reasoning)
        content.append({"type": "thinking", "thinking": reply.reasoning, "signature": signature})
    if reply.text:
        content.append({"type": "text", "text": reply.text})
    for n, call in enumerate(reply.tool_calls):
        content.append(
            {"type": "tool_use", "id": tool_use_id(seed, n), "name": call.name,
             "input": json.loads(call.arguments or "{}")}
        )
    return {
        "id": message_id(seed), "type": "message", "role": "assistant", "model": model,
        "content": content, "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
        "stop_sequence": None, "usage": counts.wire(),
    }


def recording_events(recording: Recording) -> list[StreamEvent]:
    """The bytes of an Anthropic recording: each payload an event named by its `type`
    (written whole, or in `byte_split`-sized pieces)."""
    ending = recording.line_ending
    writes: list[bytes] = []
    for payload in recording.chunks:
        data = encode_comment("keep-alive", ending) if recording.comments else b""
        text = payload if isinstance(payload, str) else json.dumps(
            payload, ensure_ascii=False, indent=1 if recording.multiline else None
        )
        name = payload.get("type") if isinstance(payload, dict) else None
        event = name if isinstance(name, str) else None
        writes.append(data + encode_event(text, event=event, line_ending=ending))
    split = recording.byte_split
    if not split:
        return [StreamEvent(data) for data in writes]
    raw = b"".join(writes)
    return [StreamEvent(raw[i : i + split]) for i in range(0, len(raw), split)]


def count_text(value: JsonValue) -> int:
    """The mock's token count of a JSON value (as `mock_stream.usage_of` counts content)."""
    return len(tokens(json.dumps(value, ensure_ascii=False)))


def prompt_counts(body: Mapping[str, JsonValue], output: int, cached: set[str]) -> Counts:
    """The usage of a call: the system prompt and each turn's content counted in, `output`
    out. With prompt caching asked for (top-level `cache_control`), the prompt up to its last
    turn is cached: the longest prefix cached by an earlier call is read, the rest written
    (and remembered in `cached`); the last turn is plain input."""
    raw = body.get("messages")
    turns = [t for t in raw if isinstance(t, dict)] if isinstance(raw, list) else []
    system, tools = body.get("system"), body.get("tools")
    head = count_text(system) if system else 0
    sizes = [count_text(turn.get("content")) for turn in turns]
    total = head + sum(sizes)
    if not isinstance(body.get("cache_control"), dict) or not turns:
        return Counts(total, output)

    def key(n: int) -> str:
        value: JsonValue = [system, tools, list[JsonValue](turns[:n])]
        return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()

    last = len(turns) - 1
    hit = next((n for n in range(last, -1, -1) if key(n) in cached), None)
    read = 0 if hit is None else head + sum(sizes[:hit])
    prefix = head + sum(sizes[:last])
    cached.add(key(last))
    return Counts(total - prefix, output, cache_write=prefix - read, cache_read=read)
