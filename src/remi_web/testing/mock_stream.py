"""The mock's reply on the wire: streamed chunks or a whole completion, and recordings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core.schema_types import JsonValue

from .mock_policy import Reply, count_tokens, tokens
from .mock_recordings import Recording
from ..http.sse import encode_comment, encode_event

CREATED = 1735689600
"""The fixed `created` timestamp of every mock completion (replies are deterministic)."""


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One encoded event and how many tokens it carries (for pacing)."""

    data: bytes
    tokens: int = 0


def completion_id(body: bytes) -> str:
    """A deterministic id for the completion answering `body`."""
    return "chatcmpl-mock-" + hashlib.sha256(body).hexdigest()[:20]


def call_id(body: bytes, index: int) -> str:
    """A deterministic tool call id, distinct per request and per call."""
    return "call_" + hashlib.sha256(body + b"#" + str(index).encode()).hexdigest()[:20]


def usage_of(messages: Sequence[Mapping[str, JsonValue]], reply: Reply) -> dict[str, JsonValue]:
    """The mock's token counts: pieces of every message in, pieces of the reply out."""
    prompt = sum(count_tokens(json.dumps(m.get("content"), ensure_ascii=False)) for m in messages)
    completion = count_tokens(reply.text) + count_tokens(reply.reasoning)
    completion += sum(1 + len(call.arguments) // 4 for call in reply.tool_calls)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _envelope(cid: str, model: str, choices: list[JsonValue]) -> dict[str, JsonValue]:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "system_fingerprint": "fp_mock",
        "choices": choices,
    }


def _choice(delta: dict[str, JsonValue], finish: str | None = None) -> list[JsonValue]:
    return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]


def _groups(pieces: list[str], size: int) -> list[tuple[str, int]]:
    size = max(size, 1)
    return [
        ("".join(pieces[i : i + size]), len(pieces[i : i + size]))
        for i in range(0, len(pieces), size)
    ]


def _event(payload: JsonValue, tokens_in: int = 0) -> StreamEvent:
    return StreamEvent(encode_event(json.dumps(payload, ensure_ascii=False)), tokens_in)


def stream_events(
    reply: Reply,
    *,
    body: bytes,
    model: str,
    chunk_size: int = 1,
    include_usage: bool = True,
    usage: Mapping[str, JsonValue] | None = None,
) -> list[StreamEvent]:
    """The events of a streamed reply: role, reasoning, text, tool calls (arguments in
    small fragments), finish, usage (if asked), `[DONE]`.

    Args:
        reply: what to say.
        body: the request body (seeds the deterministic ids).
        model: the model name to echo.
        chunk_size: tokens per event.
        include_usage: send the usage chunk (`stream_options.include_usage`).
        usage: the usage to report.
    """
    cid = completion_id(body)
    events = [_event(_envelope(cid, model, _choice({"role": "assistant", "content": ""})))]
    for text, n in _groups(tokens(reply.reasoning), chunk_size):
        events.append(_event(_envelope(cid, model, _choice({"reasoning_content": text})), n))
    for text, n in _groups(tokens(reply.text), chunk_size):
        events.append(_event(_envelope(cid, model, _choice({"content": text})), n))
    for index, call in enumerate(reply.tool_calls):
        start: JsonValue = {
            "index": index,
            "id": call_id(body, index),
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        events.append(_event(_envelope(cid, model, _choice({"tool_calls": [start]})), 1))
        step = 4 * max(chunk_size, 1)
        for i in range(0, len(call.arguments), step):
            piece: JsonValue = {
                "index": index,
                "function": {"arguments": call.arguments[i : i + step]},
            }
            events.append(_event(_envelope(cid, model, _choice({"tool_calls": [piece]})), 1))
    finish = "tool_calls" if reply.tool_calls else "stop"
    events.append(_event(_envelope(cid, model, _choice({}, finish))))
    if include_usage and usage is not None:
        last = _envelope(cid, model, [])
        last["usage"] = dict(usage)
        events.append(_event(last))
    events.append(StreamEvent(encode_event("[DONE]")))
    return events


def completion_object(
    reply: Reply, *, body: bytes, model: str, usage: Mapping[str, JsonValue]
) -> dict[str, JsonValue]:
    """The whole (non-streamed) `chat.completion` for `reply`."""
    message: dict[str, JsonValue] = {
        "role": "assistant",
        "content": reply.text if reply.text or not reply.tool_calls else None,
        "refusal": None,
    }
    if reply.reasoning:
        message["reasoning_content"] = reply.reasoning
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call_id(body, index),
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for index, call in enumerate(reply.tool_calls)
        ]
    return {
        "id": completion_id(body),
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "system_fingerprint": "fp_mock",
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
            }
        ],
        "usage": dict(usage),
    }


def recording_events(recording: Recording) -> list[StreamEvent]:
    """The bytes of a recording, as the writes the server makes (one per event, or
    `byte_split`-sized pieces)."""
    ending = recording.line_ending
    writes: list[bytes] = []
    for payload in recording.chunks:
        data = b""
        if recording.comments:
            data += encode_comment("keep-alive", ending)
        if isinstance(payload, str):
            text = payload
        else:
            indent = 1 if recording.multiline else None
            text = json.dumps(payload, ensure_ascii=False, indent=indent)
        writes.append(data + encode_event(text, line_ending=ending))
    split = recording.byte_split
    if not split:
        return [StreamEvent(data) for data in writes]
    raw = b"".join(writes)
    return [StreamEvent(raw[i : i + split]) for i in range(0, len(raw), split)]
