"""Recorded-style streams the mock server replays byte for byte (model `replay-<name>`).

They cover what real providers do on the wire: reasoning deltas, tool-call arguments split
over many chunks, parallel calls interleaved, usage after `finish_reason`, unicode split
inside a UTF-8 sequence, empty deltas, CRLF line ends, comments, multi-line `data:`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.schema_types import JsonValue


@dataclass(frozen=True, slots=True)
class Recording:
    """A stream to replay.

    Args:
        chunks: the `data:` payloads in order: objects are sent as JSON, strings as-is
            (e.g. `"[DONE]"`).
        line_ending: `"\\n"` or `"\\r\\n"`.
        byte_split: send the bytes in writes of this many bytes (splits UTF-8 sequences).
        comments: put a `: keep-alive` comment between events.
        multiline: spread each JSON payload over several `data:` lines.
    """

    chunks: list[JsonValue]
    line_ending: str = "\n"
    byte_split: int | None = None
    comments: bool = False
    multiline: bool = False
    description: str = field(default="", compare=False)


def chunk(
    delta: Mapping[str, JsonValue] | None,
    finish: str | None = None,
    *,
    usage: Mapping[str, JsonValue] | None = None,
    model: str = "gpt-4o-mini-2024-07-18",
) -> dict[str, JsonValue]:
    """One `chat.completion.chunk` like OpenAI sends it (`delta=None`: no choices)."""
    choices: list[JsonValue] = []
    if delta is not None:
        choices.append(
            {"index": 0, "delta": dict(delta), "logprobs": None, "finish_reason": finish}
        )
    body: dict[str, JsonValue] = {
        "id": "chatcmpl-recorded",
        "object": "chat.completion.chunk",
        "created": 1735689600,
        "model": model,
        "system_fingerprint": "fp_recorded",
        "choices": choices,
    }
    if usage is not None:
        body["usage"] = dict(usage)
    return body


def _usage(prompt: int, completion: int) -> dict[str, JsonValue]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _call(
    index: int, call_id: str | None = None, name: str | None = None, args: str = ""
) -> dict[str, JsonValue]:
    call: dict[str, JsonValue] = {"index": index}
    function: dict[str, JsonValue] = {"arguments": args}
    if call_id is not None:
        call["id"] = call_id
        call["type"] = "function"
    if name is not None:
        function["name"] = name
    call["function"] = function
    return {"tool_calls": [call]}


def _text(pieces: list[str]) -> list[JsonValue]:
    return [chunk({"content": piece}) for piece in pieces]


RECORDINGS: dict[str, Recording] = {
    "plain": Recording(
        [
            chunk({"role": "assistant", "content": "", "refusal": None}),
            *_text(["Hello", "!", " How", " can", " I", " help", " you", " today", "?"]),
            chunk({}, "stop"),
            chunk(None, usage=_usage(9, 10)),
            "[DONE]",
        ],
        description="plain text, usage in its own chunk after finish_reason",
    ),
    "reasoning": Recording(
        [
            chunk({"role": "assistant", "content": None, "reasoning_content": ""}),
            chunk({"content": None, "reasoning_content": "The user greets me."}),
            chunk({"content": None, "reasoning_content": " I should greet back."}),
            chunk({"content": "Hi", "reasoning_content": None}),
            chunk({"content": " there."}),
            chunk({}, "stop", usage=_usage(12, 14)),
            "[DONE]",
        ],
        description="DeepSeek-style reasoning_content before the answer, usage on the last chunk",
    ),
    "tool_call": Recording(
        [
            chunk({"role": "assistant", "content": None}),
            chunk(_call(0, "call_abc123", "get_weather")),
            *[chunk(_call(0, args=piece)) for piece in ['{"', "city", '":"', "Par", "is", '"}']],
            chunk({}, "tool_calls"),
            chunk(None, usage=_usage(40, 17)),
            "[DONE]",
        ],
        description="one tool call, arguments split over six chunks",
    ),
    "parallel_tool_calls": Recording(
        [
            chunk({"role": "assistant", "content": None}),
            chunk(_call(0, "call_one", "calculator")),
            chunk(_call(1, "call_two", "calculator")),
            chunk(_call(0, args='{"expr')),
            chunk(_call(1, args='{"expression":')),
            chunk(_call(0, args='ession": "2+')),
            chunk(_call(1, args=' "4*5"}')),
            chunk(_call(0, args='3*4"}')),
            chunk({"content": None}, "tool_calls"),
            chunk(None, usage=_usage(55, 30)),
            "[DONE]",
        ],
        description="two parallel calls whose argument fragments interleave",
    ),
    "text_then_tool": Recording(
        [
            chunk({"role": "assistant", "content": "Let me check."}),
            chunk(_call(0, "call_x", "lookup", '{"q": "re')),
            chunk(_call(0, args='mi"}')),
            chunk({}, "tool_calls"),
            chunk(None, usage=_usage(20, 9)),
            "[DONE]",
        ],
        description="text, then a call whose first chunk already carries arguments",
    ),
    "unicode": Recording(
        [
            chunk({"role": "assistant", "content": ""}),
            *_text(["Grüße ", "aus ", "東京", " 👩", "\u200d💻", " e", "\u0301", "!"]),
            chunk({}, "stop"),
            chunk(None, usage=_usage(5, 8)),
            "[DONE]",
        ],
        byte_split=3,
        description="multi-byte text written 3 bytes at a time; a ZWJ emoji and a combining "
        "accent split across deltas",
    ),
    "empty_deltas": Recording(
        [
            chunk({"role": "assistant", "content": ""}),
            chunk({}),
            chunk({"content": ""}),
            chunk({"content": None}),
            chunk({"content": "ok"}),
            chunk(_call(0, "call_e", "noop", "")),
            chunk(_call(0, args="")),
            chunk(_call(0, args="{}")),
            chunk({"content": ""}, "tool_calls"),
            chunk(None, usage=_usage(3, 2)),
            "[DONE]",
        ],
        description="empty and null deltas, empty argument fragments",
    ),
    "crlf_comments": Recording(
        [
            chunk({"role": "assistant", "content": ""}),
            *_text(["Line one.\n", "Line two."]),
            chunk({}, "stop"),
            chunk(None, usage=_usage(4, 6)),
            "[DONE]",
        ],
        line_ending="\r\n",
        comments=True,
        description="CRLF line ends and keep-alive comments between events (OpenRouter-like)",
    ),
    "multiline": Recording(
        [
            chunk({"role": "assistant", "content": ""}),
            *_text(["multi", "-line ", "data"]),
            chunk({}, "length"),
            chunk(None, usage=_usage(2, 3)),
            "[DONE]",
        ],
        multiline=True,
        description="each JSON payload pretty-printed over several data: lines",
    ),
    "no_usage": Recording(
        [
            chunk({"role": "assistant", "content": "No"}),
            chunk({"content": " usage."}),
            chunk({}, "stop"),
            "[DONE]",
        ],
        description="a server that never reports usage (older local servers)",
    ),
}
"""The built-in recordings, by name."""
