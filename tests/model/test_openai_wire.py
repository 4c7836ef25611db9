"""The Chat Completions wire format: what we send, and how streamed chunks are read."""

from __future__ import annotations

import json

import pytest
from pydantic import JsonValue

from remi_web.core.content import AudioPart, FilePart, ImageBase64Part, ImageUrlPart, TextPart
from remi_web.core.messages import Message, ToolCallRequest
from remi_web.core.model_io import (
    ModelChunk,
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    ToolDefinition,
    UsageChunk,
)
from remi_web.core.usage import Usage
from remi_web.model.errors import StreamError
from remi_web.model.openai_wire import ChunkParser, build_body, completion_to_chunks

pytestmark = pytest.mark.pyodide

CALC = ToolDefinition(
    "calculator",
    "Evaluate arithmetic.",
    {"type": "object", "properties": {"expression": {"type": "string"}}},
)


def test_body_has_only_standard_keys() -> None:
    request = ModelRequest(
        [
            Message.system("be brief"),
            Message.user("hi", name="ann"),
            Message.assistant(
                "", [ToolCallRequest("c1", "calculator", '{"expression":"1+1"}')], reasoning="r"
            ),
            Message.tool("c1", "2"),
        ],
        tools=[CALC],
    )
    body = build_body(request, model="gpt-x")
    assert set(body) == {"model", "messages", "tools", "stream", "stream_options"}
    assert body["model"] == "gpt-x"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi", "name": "ann"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "calculator", "arguments": '{"expression":"1+1"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "2"},
    ]
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "calculator",
                "parameters": CALC.parameters,
                "description": "Evaluate arithmetic.",
            },
        }
    ]
    text = json.dumps(body)
    for message in request.messages:  # internal message ids never leave
        assert message.id not in text


def test_reasoning_is_echoed_only_when_asked() -> None:
    request = ModelRequest([Message.assistant("ok", reasoning="because")])
    assert "reasoning_content" not in json.dumps(build_body(request, model="m"))
    body = build_body(request, model="m", send_reasoning=True)
    messages = body["messages"]
    assert isinstance(messages, list)
    assert messages[0] == {"role": "assistant", "content": "ok", "reasoning_content": "because"}


def test_multimodal_parts_map_to_provider_parts() -> None:
    content = [
        TextPart("look"),
        ImageUrlPart("https://example.test/cat.png", detail="low"),
        ImageBase64Part("aGk=", media_type="image/jpeg"),
        AudioPart("UklG", format="wav"),
        FilePart("JVBE", media_type="application/pdf", filename="a.pdf"),
    ]
    body = build_body(ModelRequest([Message.user(content)]), model="m")
    messages = body["messages"]
    assert isinstance(messages, list)
    assert messages[0] == {
        "role": "user",
        "content": [
            {"type": "text", "text": "look"},
            {
                "type": "image_url",
                "image_url": {"url": "https://example.test/cat.png", "detail": "low"},
            },
            {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,aGk="}},
            {"type": "input_audio", "input_audio": {"data": "UklG", "format": "wav"}},
            {
                "type": "file",
                "file": {"file_data": "data:application/pdf;base64,JVBE", "filename": "a.pdf"},
            },
        ],
    }


def test_option_precedence_and_escape_hatches() -> None:
    request = ModelRequest(
        [Message.user("x")],
        model="override",
        temperature=0.1,
        max_tokens=5,
        extra={"top_k": 3, "seed": 9},
    )
    body = build_body(
        request,
        model="default",
        defaults={"temperature": 0.9, "seed": 1, "tool_choice": "auto", "top_p": 0.5},
        extra_body={"seed": 2, "stream": False, "stream_options": {"x": 1}},
        max_tokens_param="max_completion_tokens",
    )
    assert body["model"] == "override"
    assert body["temperature"] == 0.1
    assert body["max_completion_tokens"] == 5 and "max_tokens" not in body
    assert body["seed"] == 9 and body["top_k"] == 3 and body["top_p"] == 0.5
    assert "tool_choice" not in body  # only allowed with tools
    assert body["stream"] is True
    assert body["stream_options"] == {"x": 1, "include_usage": True}


def _parse(payloads: list[JsonValue | str]) -> list[ModelChunk]:
    parser = ChunkParser()
    out: list[ModelChunk] = []
    for payload in payloads:
        out.extend(parser.feed(payload if isinstance(payload, str) else json.dumps(payload)))
    out.extend(parser.finish())
    return out


def _delta(delta: dict[str, JsonValue], finish: str | None = None) -> JsonValue:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def _tc(
    index: int | None, call_id: str | None = None, name: str | None = None, args: str | None = None
) -> JsonValue:
    call: dict[str, JsonValue] = {}
    if index is not None:
        call["index"] = index
    if call_id is not None:
        call["id"] = call_id
    function: dict[str, JsonValue] = {}
    if name is not None:
        function["name"] = name
    if args is not None:
        function["arguments"] = args
    call["function"] = function
    return _delta({"tool_calls": [call]})


def test_text_reasoning_and_usage_after_finish() -> None:
    chunks = _parse(
        [
            _delta({"role": "assistant", "content": ""}),
            _delta({"reasoning_content": "think"}),
            _delta({"reasoning": " more"}),
            _delta({"content": "Hel"}),
            _delta({"content": None}),
            _delta({"content": "lo"}),
            _delta({}, "stop"),
            {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}},
            "[DONE]",
        ]
    )
    assert chunks == [
        ThinkingChunk("think"),
        ThinkingChunk(" more"),
        TextChunk("Hel"),
        TextChunk("lo"),
        UsageChunk(Usage(3, 2)),
    ]


def test_usage_after_done_and_only_the_last_usage_counts() -> None:
    chunks = _parse(
        [
            {
                "choices": [{"index": 0, "delta": {"content": "a"}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1},
            },
            _delta({}, "stop"),
            "[DONE]",
            {"choices": [], "usage": {"input_tokens": 4, "output_tokens": 6}},
        ]
    )
    assert chunks == [TextChunk("a"), UsageChunk(Usage(4, 6))]


def test_cached_and_reasoning_token_details_are_kept() -> None:
    usage = {
        "prompt_tokens": 2006, "completion_tokens": 300,
        "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 256},
    }
    chunks = _parse([_delta({"content": "a"}, "stop"), {"choices": [], "usage": usage}])
    assert chunks[-1] == UsageChunk(Usage(2006, 300, cached_tokens=1920, reasoning_tokens=256))


def test_tool_call_split_arguments() -> None:
    chunks = _parse(
        [
            _tc(0, "call_1", "calculator", ""),
            _tc(0, args='{"expr'),
            _tc(0, args='ession": "1+1"}'),
            _delta({}, "tool_calls"),
        ]
    )
    assert chunks == [
        ToolCallChunk(0, "call_1", "calculator", ""),
        ToolCallChunk(0, arguments='{"expr'),
        ToolCallChunk(0, arguments='ession": "1+1"}'),
    ]


def test_parallel_calls_interleaved_keep_their_indexes() -> None:
    chunks = _parse(
        [
            _tc(0, "a", "f", "{"),
            _tc(1, "b", "g", "["),
            _tc(1, args="]"),
            _tc(0, args="}"),
            _delta({}, "tool_calls"),
            "[DONE]",
        ]
    )
    assert chunks == [
        ToolCallChunk(0, "a", "f", "{"),
        ToolCallChunk(1, "b", "g", "["),
        ToolCallChunk(1, arguments="]"),
        ToolCallChunk(0, arguments="}"),
    ]


def test_name_arriving_after_the_id_holds_arguments_until_announced() -> None:
    chunks = _parse(
        [_tc(0, "id0", None, '{"a"'), _tc(0, None, "f", ": 1"), _tc(0, args="}"), "[DONE]"]
    )
    assert chunks == [ToolCallChunk(0, "id0", "f", '{"a": 1'), ToolCallChunk(0, arguments="}")]


def test_repeated_id_is_not_a_new_call_and_missing_ids_are_made_up() -> None:
    chunks = _parse([_tc(0, "x", "f", "{"), _tc(0, "x", None, "}"), "[DONE]"])
    assert chunks == [ToolCallChunk(0, "x", "f", "{"), ToolCallChunk(0, arguments="}")]
    made = _parse([_tc(0, None, "f", "{}"), "[DONE]"])
    assert isinstance(made[0], ToolCallChunk) and made[0].id and made[0].id.startswith("call_")


def test_index_reused_for_a_new_call_gets_its_own_index() -> None:
    chunks = _parse([_tc(0, "one", "f", "{}"), _tc(0, "two", "g", "{"), _tc(0, args="}"), "[DONE]"])
    assert chunks == [
        ToolCallChunk(0, "one", "f", "{}"),
        ToolCallChunk(1, "two", "g", "{"),
        ToolCallChunk(1, arguments="}"),
    ]


def test_calls_without_index_and_object_arguments() -> None:
    chunks = _parse(
        [
            _delta(
                {
                    "tool_calls": [
                        {"id": "p", "function": {"name": "f", "arguments": {"x": 1}}},
                        {"id": "q", "function": {"name": "g", "arguments": "{}"}},
                    ]
                }
            ),
            "[DONE]",
        ]
    )
    assert chunks == [ToolCallChunk(0, "p", "f", '{"x": 1}'), ToolCallChunk(1, "q", "g", "{}")]


def test_content_given_as_parts() -> None:
    chunks = _parse([_delta({"content": [{"type": "text", "text": "hi"}]}, "stop")])
    assert chunks == [TextChunk("hi")]


def test_one_choice_chunks_read_the_same_whatever_else_they_carry() -> None:
    chunks = _parse(
        [
            _delta({"content": "a", "tool_calls": None}),
            _delta({"content": "b", "reasoning_content": "r"}),
            {"choices": [{"index": 1, "delta": {"content": "other choice"}}]},
            {"choices": [{"delta": {"content": "c"}}], "usage": {"prompt_tokens": 1}},
            {"choices": [{"index": 0, "delta": {"content": "d"}, "finish_reason": "stop"}]},
        ]
    )
    assert chunks == [
        TextChunk("a"),
        ThinkingChunk("r"),
        TextChunk("b"),
        TextChunk("c"),
        TextChunk("d"),
        UsageChunk(Usage(1, 0)),
    ]


def test_whitespace_around_a_payload_is_allowed() -> None:
    padded = "  " + json.dumps(_delta({"content": "a"})) + "\n"
    assert _parse([padded, _delta({}, "stop"), " [DONE] "]) == [TextChunk("a")]


def test_malformed_chunk_is_a_stream_error() -> None:
    with pytest.raises(StreamError, match="malformed"):
        _parse([_delta({"content": "a"}), '{"choices": [{"delta": {"content": "oo'])
    with pytest.raises(StreamError, match="malformed"):
        _parse([json.dumps(_delta({"content": "a"})) + "{}"])


def test_error_chunk_mid_stream_is_a_stream_error() -> None:
    with pytest.raises(StreamError, match="overloaded"):
        _parse(
            [_delta({"content": "a"}), {"error": {"message": "overloaded", "type": "server_error"}}]
        )


def test_stream_cut_before_finish_is_a_stream_error() -> None:
    with pytest.raises(StreamError, match="cut"):
        _parse([_delta({"content": "a"})])
    assert _parse([_delta({"content": "a"}, "length")]) == [TextChunk("a")]


def test_tool_call_that_never_got_a_name_is_a_stream_error() -> None:
    with pytest.raises(StreamError, match="without a name"):
        _parse([_tc(0, "id", None, "{}"), "[DONE]"])


def test_whole_completion_for_servers_that_do_not_stream() -> None:
    chunks = completion_to_chunks(
        {
            "choices": [
                {
                    "message": {
                        "content": "hi",
                        "reasoning_content": "r",
                        "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{}"}}],
                    }
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2},
        }
    )
    assert chunks == [
        ThinkingChunk("r"),
        TextChunk("hi"),
        ToolCallChunk(0, "c", "f", "{}"),
        UsageChunk(Usage(1, 2)),
    ]
