"""Responses API streams the mock server replays byte for byte (model `replay-<name>` at
`POST /v1/responses`), written after OpenAI's documented streaming examples.

They cover text, a function call whose arguments are split inside JSON tokens, parallel
calls, reasoning summaries in several parts with encrypted reasoning items, a reasoning model
calling a tool, usage with cached and reasoning tokens, UTF-8 split across writes, a reply
cut short by `max_output_tokens`, and errors inside the stream (`error`, `response.failed`).
Each event is sent as `event: <type>` plus one `data:` line, as OpenAI does.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.schema_types import JsonValue
from .mock_recordings import Recording

MODEL = "gpt-5-mini-2025-08-07"
CREATED = 1735689600


def response_object(
    status: str,
    output: Sequence[JsonValue] = (),
    usage: JsonValue = None,
    *,
    response_id: str = "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
    model: str = MODEL,
    error: JsonValue = None,
    incomplete: str | None = None,
    reasoning: JsonValue = None,
) -> dict[str, JsonValue]:
    """A `response` object shaped like OpenAI's (the lifecycle events carry one)."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": CREATED,
        "status": status,
        "background": False,
        "error": error,
        "incomplete_details": None if incomplete is None else {"reason": incomplete},
        "instructions": None,
        "max_output_tokens": None,
        "model": model,
        "output": list(output),
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": reasoning if reasoning is not None else {"effort": None, "summary": None},
        "store": False,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": usage,
        "user": None,
        "metadata": {},
    }


def usage_object(
    prompt: int, completion: int, *, cached: int = 0, reasoning: int = 0, cache_write: int = 0
) -> dict[str, JsonValue]:
    """A Responses `usage` object."""
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": cached, "cache_write_tokens": cache_write},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": prompt + completion,
    }


def message_item(item_id: str, text: str, status: str = "completed") -> dict[str, JsonValue]:
    """An assistant `message` output item holding `text`."""
    content: list[JsonValue] = (
        [{"type": "output_text", "annotations": [], "logprobs": [], "text": text}]
        if status == "completed" or text
        else []
    )
    return {"id": item_id, "type": "message", "status": status, "content": content,
            "role": "assistant"}


def call_item(
    item_id: str, call_id: str, name: str, arguments: str, status: str = "completed"
) -> dict[str, JsonValue]:
    """A `function_call` output item."""
    return {"id": item_id, "type": "function_call", "status": status, "arguments": arguments,
            "call_id": call_id, "name": name}


def reasoning_item(
    item_id: str, summaries: Sequence[str], encrypted: str | None = None
) -> dict[str, JsonValue]:
    """A `reasoning` output item with its summary parts (and encrypted content)."""
    item: dict[str, JsonValue] = {
        "id": item_id,
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text} for text in summaries],
    }
    if encrypted is not None:
        item["encrypted_content"] = encrypted
    return item


def message_events(index: int, item_id: str, pieces: Sequence[str]) -> list[JsonValue]:
    """The events of one streamed message: item, part, text deltas, dones."""
    text = "".join(pieces)
    part: JsonValue = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
    done_part: JsonValue = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
    at: dict[str, JsonValue] = {"item_id": item_id, "output_index": index, "content_index": 0}
    return [
        {"type": "response.output_item.added", "output_index": index,
         "item": message_item(item_id, "", "in_progress")},
        {"type": "response.content_part.added", **at, "part": part},
        *[
            {"type": "response.output_text.delta", **at, "delta": piece, "logprobs": []}
            for piece in pieces
        ],
        {"type": "response.output_text.done", **at, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **at, "part": done_part},
        {"type": "response.output_item.done", "output_index": index,
         "item": message_item(item_id, text)},
    ]


def call_events(
    index: int, item_id: str, call_id: str, name: str, pieces: Sequence[str]
) -> list[JsonValue]:
    """The events of one streamed function call: item, argument deltas, dones."""
    arguments = "".join(pieces)
    at: dict[str, JsonValue] = {"item_id": item_id, "output_index": index}
    return [
        {"type": "response.output_item.added", "output_index": index,
         "item": call_item(item_id, call_id, name, "", "in_progress")},
        *[
            {"type": "response.function_call_arguments.delta", **at, "delta": piece}
            for piece in pieces
        ],
        {"type": "response.function_call_arguments.done", **at, "arguments": arguments},
        {"type": "response.output_item.done", "output_index": index,
         "item": call_item(item_id, call_id, name, arguments)},
    ]


def reasoning_events(
    index: int, item_id: str, parts: Sequence[Sequence[str]], encrypted: str | None = None
) -> list[JsonValue]:
    """The events of one reasoning item whose summary streams in `parts` (each a list of
    deltas); the item's encrypted content comes with `output_item.done`."""
    events: list[JsonValue] = [
        {"type": "response.output_item.added", "output_index": index,
         "item": reasoning_item(item_id, [])},
    ]
    texts = ["".join(pieces) for pieces in parts]
    for number, pieces in enumerate(parts):
        at: dict[str, JsonValue] = {
            "item_id": item_id, "output_index": index, "summary_index": number,
        }
        events += [
            {"type": "response.reasoning_summary_part.added", **at,
             "part": {"type": "summary_text", "text": ""}},
            *[
                {"type": "response.reasoning_summary_text.delta", **at, "delta": piece}
                for piece in pieces
            ],
            {"type": "response.reasoning_summary_text.done", **at, "text": texts[number]},
            {"type": "response.reasoning_summary_part.done", **at,
             "part": {"type": "summary_text", "text": texts[number]}},
        ]
    events.append(
        {"type": "response.output_item.done", "output_index": index,
         "item": reasoning_item(item_id, texts, encrypted)}
    )
    return events


def numbered(events: Sequence[JsonValue]) -> list[JsonValue]:
    """`events` with their `sequence_number`s (0, 1, 2...)."""
    out: list[JsonValue] = []
    for number, event in enumerate(events):
        out.append({**event, "sequence_number": number} if isinstance(event, dict) else event)
    return out


def _stream(
    middle: Sequence[JsonValue], end: JsonValue, *, reasoning: JsonValue = None
) -> list[JsonValue]:
    """created, in_progress, `middle`, then the closing event `end`."""
    start = response_object("in_progress", reasoning=reasoning)
    return numbered(
        [
            {"type": "response.created", "response": start},
            {"type": "response.in_progress", "response": start},
            *middle,
            end,
        ]
    )


def _completed(
    output: Sequence[JsonValue], usage: JsonValue, *, reasoning: JsonValue = None
) -> JsonValue:
    return {
        "type": "response.completed",
        "response": response_object("completed", output, usage, reasoning=reasoning),
    }


_ENCRYPTED_1 = "gAAAAABoISQ24OyVRYbkYfukswBmXqpYmbsIQ0xmYVwgJIcyEv3j0ik0XJTWcWvXSpvOdh2Amb=="
_ENCRYPTED_2 = "gAAAAABoISQ3bGJpaDJzZ3ZsY1J3b3JkX3NwbGl0X2ludG9fdGhlX2NpcGhlcg9xVnJ0Ym4xdz=="
_REASONED: JsonValue = {"effort": "medium", "summary": "auto"}
_WEATHER_ARGS = ['{"', "location", '":"', "Paris", ",", " France", '","', "unit", '":"c', '"}']
_RS_GREETING, _MSG_GREETING = "rs_6806bfca0b2481918a5748308061a260", "msg_6806bfcb8da0819181"
_GREETING_PARTS = [
    ["**Responding", " to a greeting**\n\n", "The user said hello;", " I greet back."],
    ["**Keeping it short**\n\n", "One friendly line is enough."],
]
_HELLO = ["Hello", "!", " How", " can", " I", " help", "?"]
_WEATHER_THOUGHT = ["I need the weather;", " call get_weather."]
_UTF8 = ["Grüße ", "aus ", "東京", " 👩", "\u200d💻", " e", "\u0301", "!"]


RESPONSES_RECORDINGS: dict[str, Recording] = {
    "text": Recording(
        _stream(
            message_events(0, "msg_67ccd2bf17f0819081ff3bb2cf6508e6",
                           ["Hi", " there", "!", " How", " can", " I", " help", "?"]),
            _completed(
                [message_item("msg_67ccd2bf17f0819081ff3bb2cf6508e6", "Hi there! How can I help?")],
                usage_object(37, 11),
            ),
        ),
        description="plain text: one message item, its deltas, response.completed with usage",
    ),
    "function_call": Recording(
        _stream(
            call_events(0, "fc_12345xyz", "call_12345xyz", "get_weather", _WEATHER_ARGS),
            _completed(
                [call_item("fc_12345xyz", "call_12345xyz", "get_weather", "".join(_WEATHER_ARGS))],
                usage_object(291, 23),
            ),
        ),
        description="one function call, its arguments split inside JSON tokens over ten deltas",
    ),
    "parallel_calls": Recording(
        _stream(
            [
                *call_events(0, "fc_one", "call_one", "calculator",
                             ['{"expr', 'ession": "2+', '3*4"}']),
                *call_events(1, "fc_two", "call_two", "calculator",
                             ['{"expression":', ' "4*5"}']),
            ],
            _completed(
                [
                    call_item("fc_one", "call_one", "calculator", '{"expression": "2+3*4"}'),
                    call_item("fc_two", "call_two", "calculator", '{"expression": "4*5"}'),
                ],
                usage_object(55, 30),
            ),
        ),
        description="two function calls in one reply (output items 0 and 1)",
    ),
    "reasoning": Recording(
        _stream(
            [
                *reasoning_events(0, _RS_GREETING, _GREETING_PARTS, _ENCRYPTED_1),
                *message_events(1, _MSG_GREETING, _HELLO),
            ],
            _completed(
                [
                    reasoning_item(
                        _RS_GREETING, ["".join(part) for part in _GREETING_PARTS], _ENCRYPTED_1
                    ),
                    message_item(_MSG_GREETING, "".join(_HELLO)),
                ],
                usage_object(1024, 210, cached=896, reasoning=192),
                reasoning=_REASONED,
            ),
            reasoning=_REASONED,
        ),
        description="a reasoning summary in two parts, the encrypted item, then the answer; "
        "usage with cached and reasoning tokens",
    ),
    "reasoning_tool_call": Recording(
        _stream(
            [
                *reasoning_events(0, "rs_tool_0a1b2c", [_WEATHER_THOUGHT], _ENCRYPTED_2),
                *call_events(1, "fc_tool_0a1b2c", "call_tool_0a1b2c", "get_weather", _WEATHER_ARGS),
            ],
            _completed(
                [
                    reasoning_item("rs_tool_0a1b2c", ["".join(_WEATHER_THOUGHT)], _ENCRYPTED_2),
                    call_item("fc_tool_0a1b2c", "call_tool_0a1b2c", "get_weather",
                              "".join(_WEATHER_ARGS)),
                ],
                usage_object(400, 90, reasoning=64),
                reasoning=_REASONED,
            ),
            reasoning=_REASONED,
        ),
        description="a reasoning model calls a tool: the reasoning item must go back with it",
    ),
    "cached_usage": Recording(
        _stream(
            message_events(0, "msg_cache_1", ["Cached", " prompt", " reply."]),
            _completed(
                [message_item("msg_cache_1", "Cached prompt reply.")],
                usage_object(2006, 300, cached=1920, cache_write=64),
            ),
        ),
        description="a long prompt mostly read from the prompt cache",
    ),
    "unicode": Recording(
        _stream(
            message_events(0, "msg_utf8", _UTF8),
            _completed([message_item("msg_utf8", "".join(_UTF8))], usage_object(5, 8)),
        ),
        byte_split=5,
        description="multi-byte text written 5 bytes at a time (UTF-8 split across writes)",
    ),
    "incomplete": Recording(
        _stream(
            message_events(0, "msg_cut", ["The answer", " is long and"]),
            {
                "type": "response.incomplete",
                "response": response_object(
                    "incomplete",
                    [message_item("msg_cut", "The answer is long and", "incomplete")],
                    usage_object(20, 16),
                    incomplete="max_output_tokens",
                ),
            },
        ),
        description="cut short by max_output_tokens: response.incomplete, the text so far kept",
    ),
    "error_event": Recording(
        _stream(
            message_events(0, "msg_err", ["Partial"])[:3],
            {
                "type": "error",
                "code": "rate_limit_exceeded",
                "message": "Rate limit reached for gpt-5-mini in organization org-x on tokens "
                "per min (TPM): Limit 200000, Used 200000. Please try again in 2.1s.",
                "param": None,
            },
        ),
        description="an error event mid-stream after some text",
    ),
    "failed": Recording(
        _stream(
            [],
            {
                "type": "response.failed",
                "response": response_object(
                    "failed",
                    error={
                        "code": "server_error",
                        "message": "An error occurred while processing your request. You can "
                        "retry your request.",
                    },
                ),
            },
        ),
        description="response.failed before any output (a server error)",
    ),
}
"""The built-in Responses recordings, by name."""
