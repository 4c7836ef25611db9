"""Messages API streams, shaped like Anthropic's documented examples, that the mock server
replays for model `replay-<name>` at `POST /v1/messages`.

They cover what the API does on the wire: text, tool input as partial JSON split anywhere,
several tool calls, extended thinking with its `signature_delta`, redacted thinking, prompt
cache counts (also repeated in `message_delta`), `ping`s, an `error` event mid-stream, and
multi-byte text cut inside UTF-8 sequences. Each payload is sent as an event named by its
`type`, as the API names them.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.schema_types import JsonValue
from .mock_recordings import Recording

MODEL = "claude-sonnet-4-5-20250929"
"""The model the recordings name."""

PING: dict[str, JsonValue] = {"type": "ping"}


def start(
    input_tokens: int, *, cache_write: int = 0, cache_read: int = 0, message_id: str = "msg_01"
) -> dict[str, JsonValue]:
    """`message_start`: the message with no content yet, and the input usage."""
    return {
        "type": "message_start",
        "message": {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {
                "input_tokens": input_tokens,
                "cache_creation_input_tokens": cache_write,
                "cache_read_input_tokens": cache_read,
                "cache_creation": {
                    "ephemeral_5m_input_tokens": cache_write,
                    "ephemeral_1h_input_tokens": 0,
                },
                "output_tokens": 1,
                "service_tier": "standard",
            },
        },
    }


def block(index: int, content: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """`content_block_start` of block `index`."""
    return {"type": "content_block_start", "index": index, "content_block": dict(content)}


def delta(index: int, payload: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """`content_block_delta` of block `index`."""
    return {"type": "content_block_delta", "index": index, "delta": dict(payload)}


def stop(index: int) -> dict[str, JsonValue]:
    """`content_block_stop` of block `index`."""
    return {"type": "content_block_stop", "index": index}


def texts(index: int, pieces: list[str]) -> list[JsonValue]:
    """A whole text block: start, one `text_delta` per piece, stop."""
    return [
        block(index, {"type": "text", "text": ""}),
        *[delta(index, {"type": "text_delta", "text": piece}) for piece in pieces],
        stop(index),
    ]


def thinking(index: int, pieces: list[str], signature: str) -> list[JsonValue]:
    """A whole thinking block: start, `thinking_delta`s, the `signature_delta`, stop."""
    return [
        block(index, {"type": "thinking", "thinking": "", "signature": ""}),
        *[delta(index, {"type": "thinking_delta", "thinking": piece}) for piece in pieces],
        delta(index, {"type": "signature_delta", "signature": signature}),
        stop(index),
    ]


def tool_use(index: int, call_id: str, name: str, pieces: list[str]) -> list[JsonValue]:
    """A whole tool_use block: its input as `input_json_delta` fragments (the API's first
    one is often empty)."""
    return [
        block(index, {"type": "tool_use", "id": call_id, "name": name, "input": {}}),
        *[delta(index, {"type": "input_json_delta", "partial_json": piece}) for piece in pieces],
        stop(index),
    ]


def end(stop_reason: str, output_tokens: int, **usage: JsonValue) -> list[JsonValue]:
    """`message_delta` (stop reason, cumulative usage: `usage` adds counts) and
    `message_stop`."""
    return [
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": output_tokens, **usage},
        },
        {"type": "message_stop"},
    ]


_SIGNATURE = (
    "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds5mL0zdKfGmA8aQbtqHGpU/a1Hp"
    "2kQmOpXkZeP9x9gD23Bw2cTOYEZJJ4FgVbNXDr3j6xkTydHQeQxVy5YvqN3h8gI"
)

_REDACTED = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"

ANTHROPIC_RECORDINGS: dict[str, Recording] = {
    "text": Recording(
        [
            start(25),
            block(0, {"type": "text", "text": ""}),
            PING,
            *[
                delta(0, {"type": "text_delta", "text": piece})
                for piece in ["Hello", "!", " How can I", " help you", " today?"]
            ],
            stop(0),
            *end("end_turn", 15),
        ],
        description="plain text with a ping inside the block (the documented basic stream)",
    ),
    "tool_use": Recording(
        [
            start(472),
            *texts(0, ["Okay", ", let's check the weather for San Francisco, CA:"]),
            *tool_use(
                1,
                "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
                "get_weather",
                ["", '{"location":', ' "San', " Francisc", 'o,', ' CA"', ", ", '"unit": "fah',
                 'renheit"}'],
            ),
            *end("tool_use", 89),
        ],
        description="text, then one tool call whose input is split mid-token (the documented "
        "tool-use stream)",
    ),
    "parallel_tool_use": Recording(
        [
            start(610),
            *texts(0, ["I'll compute both."]),
            *tool_use(1, "toolu_01A", "calculator", ["", '{"expr', 'ession": "2+', '3*4"}']),
            PING,
            *tool_use(2, "toolu_01B", "calculator", ['{"expression":', ' "7-10"}']),
            *end("tool_use", 112),
        ],
        description="two tool calls in one reply, with a ping between them",
    ),
    "no_input_tool": Recording(
        [
            start(120),
            *tool_use(0, "toolu_01N", "get_time", [""]),
            *end("tool_use", 30),
        ],
        description="a tool without parameters: one empty input_json_delta, input {}",
    ),
    "thinking": Recording(
        [
            start(48),
            *thinking(
                0,
                [
                    "I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n",
                    "1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n",
                    "147 = 7 × 21 + 0\n\nSo the GCD is 21.",
                ],
                _SIGNATURE,
            ),
            *texts(1, ["The greatest common divisor", " of 1071 and 462 is **21**."]),
            *end("end_turn", 219, output_tokens_details={"thinking_tokens": 160}),
        ],
        description="extended thinking: thinking deltas, a signature_delta, then the answer",
    ),
    "thinking_tool_use": Recording(
        [
            start(1020),
            *thinking(0, ["The user wants the weather in Paris.", " I should call get_weather."],
                      "ErUBCkYIBRgCIkB" + "x" * 40 + "=="),
            *tool_use(1, "toolu_01TH", "get_weather", ['{"location": "Par', 'is, FR"}']),
            *end("tool_use", 96),
        ],
        description="thinking that precedes a tool call (its signed block must be sent back)",
    ),
    "redacted_thinking": Recording(
        [
            start(70),
            *thinking(0, ["Let me think about this safely."], "EpMCCkYIBRgCKkBsig0=="),
            block(1, {"type": "redacted_thinking", "data": _REDACTED}),
            stop(1),
            *texts(2, ["Here is my answer."]),
            *end("end_turn", 160),
        ],
        description="a thinking block, then a redacted_thinking block (opaque data), then text",
    ),
    "cache_write": Recording(
        [
            start(21, cache_write=1854),
            *texts(0, ["The document", " is about prompt caching."]),
            *end("end_turn", 12, input_tokens=21, cache_creation_input_tokens=1854,
                 cache_read_input_tokens=0),
        ],
        description="a first cached call: tokens written to the cache, repeated in message_delta",
    ),
    "cache_read": Recording(
        [
            start(19, cache_read=1854),
            *texts(0, ["Yes: it", " explains cache reads."]),
            *end("end_turn", 9),
        ],
        description="a later cached call: tokens read from the cache (message_start only)",
    ),
    "unicode": Recording(
        [
            start(8),
            *texts(0, ["Grüße ", "aus ", "東京", " 👩", "\u200d💻", " e", "\u0301", "!"]),
            *end("end_turn", 11),
        ],
        byte_split=5,
        line_ending="\r\n",
        description="multi-byte text written 5 bytes at a time with CRLF line ends",
    ),
    "error_event": Recording(
        [
            start(30),
            *texts(0, ["Partial", " answer"])[:-1],
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        ],
        description="an overloaded_error event in the middle of the stream",
    ),
}
"""The Anthropic recordings, by name."""
