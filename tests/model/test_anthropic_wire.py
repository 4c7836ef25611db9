"""The Messages API body built from core messages: system prompt, content blocks, tool calls
and merged tool results, signed thinking sent back, options and their precedence."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from remi_web.core.content import (
    AudioPart,
    FilePart,
    ImageBase64Part,
    ImageUrlPart,
    TextPart,
)
from remi_web.core.model_io import ThinkingChunk
from remi_web.core.messages import Message, ToolCallRequest
from remi_web.core.model_io import ModelRequest, ToolDefinition
from remi_web.model.anthropic_reasoning import ThinkingBlock, encode_reasoning, reasoning_blocks
from remi_web.model.anthropic_wire import build_body, messages_to_wire

pytestmark = pytest.mark.pyodide


def _call(call_id: str, arguments: str = '{"x": 1}') -> ToolCallRequest:
    return ToolCallRequest(call_id, "f", arguments)


def test_system_messages_become_the_top_level_system_prompt() -> None:
    system, turns = messages_to_wire(
        [Message.system("Be brief."), Message.user("hi"), Message.system("Answer in French.")]
    )
    assert system == "Be brief.\n\nAnswer in French."
    assert turns == [{"role": "user", "content": "hi"}]


def test_a_tool_round_becomes_tool_use_and_merged_tool_result_blocks() -> None:
    history = [
        Message.user("compute"),
        Message.assistant("Let me see.", [_call("t1"), _call("t2", "")]),
        Message.tool("t1", "1", "f"),
        Message.tool("t2", [TextPart("two"), ImageBase64Part("iVBOR", "image/png")], "f"),
        Message.user("and then?"),
    ]
    _, turns = messages_to_wire(history)
    assert turns == [
        {"role": "user", "content": "compute"},
        {"role": "assistant", "content": [
            {"type": "text", "text": "Let me see."},
            {"type": "tool_use", "id": "t1", "name": "f", "input": {"x": 1}},
            {"type": "tool_use", "id": "t2", "name": "f", "input": {}},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "t1", "content": "1"},
            {"type": "tool_result", "tool_use_id": "t2", "content": [
                {"type": "text", "text": "two"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                             "data": "iVBOR"}},
            ]},
            {"type": "text", "text": "and then?"},
        ]},
    ]


def test_tool_results_come_first_in_their_user_turn() -> None:
    _, turns = messages_to_wire(
        [Message.assistant("", [_call("t1")]), Message.user("wait"), Message.tool("t1", "done")]
    )
    assert turns[1] == {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "t1", "content": "done"},
        {"type": "text", "text": "wait"},
    ]}


def test_malformed_arguments_are_kept_and_empty_replies_left_out() -> None:
    _, turns = messages_to_wire(
        [Message.user("a"), Message.assistant(""), Message.user("b"),
         Message.assistant("", [_call("t1", '{"x": ')])]
    )
    assert turns == [
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "t1", "name": "f", "input": {"INVALID_JSON": '{"x": '}},
        ]},
    ]


def test_images_and_documents_become_blocks() -> None:
    text_file = base64.b64encode("plain words".encode()).decode()
    _, turns = messages_to_wire([Message.user([
        TextPart("look"),
        TextPart(""),
        ImageUrlPart("https://example.test/cat.png"),
        ImageUrlPart("data:image/jpeg;base64,/9j/4AAQ"),
        FilePart("JVBERi0x", "application/pdf", "report.pdf"),
        FilePart(text_file, "text/plain"),
    ])])
    assert turns[0] == {"role": "user", "content": [
        {"type": "text", "text": "look"},
        {"type": "image", "source": {"type": "url", "url": "https://example.test/cat.png"}},
        {"type": "image",
         "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}},
        {"type": "document", "title": "report.pdf",
         "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"}},
        {"type": "document",
         "source": {"type": "text", "media_type": "text/plain", "data": "plain words"}},
    ]}


@pytest.mark.parametrize(
    ("part", "match"),
    [
        (AudioPart("AAAA"), "no audio input"),
        (FilePart("AAAA", "application/zip", "a.zip"), "not 'application/zip'"),
        (ImageUrlPart("data:image/png,rawbytes"), "must be base64"),
        (FilePart("not base64!", "text/plain", "a.txt"), "not base64-encoded UTF-8"),
    ],
)
def test_content_anthropic_cannot_read_is_a_clear_error(
    part: AudioPart | FilePart | ImageUrlPart, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        messages_to_wire([Message.user([part])])


def test_signed_thinking_goes_back_first_and_unsigned_reasoning_does_not() -> None:
    signed = Message.assistant("Hi", [_call("t1")], "I think.", reasoning_data="sig-1")
    unsigned = Message.assistant("Yo", reasoning="From another provider.")
    _, turns = messages_to_wire([Message.user("a"), signed, Message.tool("t1", "ok"), unsigned])
    assert turns[1]["content"][0] == {  # type: ignore[index]
        "type": "thinking", "thinking": "I think.", "signature": "sig-1"
    }
    assert turns[3] == {"role": "assistant", "content": "Yo"}


def test_another_clients_reasoning_record_is_not_sent_as_a_signature() -> None:
    """A conversation moved from the Responses client (say, by a FallbackModel) keeps that
    client's record in `reasoning_data`; Anthropic must not receive it as a signature."""
    from remi_web.model.responses_stream import ResponsesParser
    from remi_web.testing.mock_responses_recordings import RESPONSES_RECORDINGS

    parser = ResponsesParser("gpt")
    chunks = [c for event in RESPONSES_RECORDINGS["reasoning"].chunks
              for c in parser.feed(json.dumps(event))]
    records = [c.data for c in [*chunks, *parser.finish()] if isinstance(c, ThinkingChunk) and c.data]
    assert records and records[-1].startswith("{")
    moved = Message.assistant("Hi", [_call("t1")], "I think.", reasoning_data=records[-1])
    _, turns = messages_to_wire([Message.user("a"), moved, Message.tool("t1", "ok")])
    assert [block["type"] for block in turns[1]["content"]] == ["text", "tool_use"]  # type: ignore[index]


def test_a_failed_tool_result_is_flagged_as_an_error() -> None:
    _, turns = messages_to_wire([
        Message.user("a"), Message.assistant("", [_call("t1"), _call("t2")]),
        Message.tool("t1", "disk on fire", is_error=True), Message.tool("t2", "ok"),
    ])
    results = turns[2]["content"]  # type: ignore[index]
    assert [r.get("is_error") for r in results] == [True, None]  # type: ignore[union-attr]


def test_several_thinking_blocks_and_redacted_ones_round_trip() -> None:
    blocks = [ThinkingBlock(3, "s1"), ThinkingBlock(redacted="opaque"), ThinkingBlock(0, "s2"),
              ThinkingBlock(4, "s3")]
    data = encode_reasoning(blocks)
    assert data is not None and data.startswith("[")
    assert reasoning_blocks("abcdefg", data) == [
        {"type": "thinking", "thinking": "abc", "signature": "s1"},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "thinking", "thinking": "", "signature": "s2"},
        {"type": "thinking", "thinking": "defg", "signature": "s3"},
    ]
    assert encode_reasoning([ThinkingBlock(5, "only")]) == "only"
    assert encode_reasoning([ThinkingBlock(5, "")]) is None
    assert reasoning_blocks(None, "sig") == [
        {"type": "thinking", "thinking": "", "signature": "sig"}
    ]


@pytest.mark.parametrize("data", ['[{"type": "thinking", "chars": 2, "signature": "s"}]', "[oops",
                                  '[{"type": "mystery"}]'])
def test_data_that_does_not_fit_the_reasoning_is_dropped_with_a_warning(
    data: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert reasoning_blocks("abc", data) == []
    assert "reasoning_data does not match" in caplog.text


def test_tools_and_the_precedence_of_options() -> None:
    tools = [
        ToolDefinition(
            "calc", "Evaluate.", {"type": "object", "properties": {"e": {"type": "string"}}}
        ),
        ToolDefinition("now", ""),
    ]
    request = ModelRequest(
        [Message.user("hi")], tools, model="claude-b", temperature=0.5,
        extra={"top_p": 0.3, "metadata": {"user_id": "u"}},
    )
    body = build_body(
        request,
        model="claude-a",
        defaults={"max_tokens": 100, "temperature": 1.0, "top_p": 0.9, "top_k": 3},
        extra_body={"top_k": 7, "stream": False},
    )
    assert body["model"] == "claude-b"
    assert body["tools"] == [
        {"name": "calc", "description": "Evaluate.",
         "input_schema": {"type": "object", "properties": {"e": {"type": "string"}}}},
        {"name": "now", "input_schema": {"type": "object", "properties": {}}},
    ]
    options = (body["max_tokens"], body["temperature"], body["top_p"], body["top_k"])
    assert options == (100, 0.5, 0.3, 7)
    assert body["metadata"] == {"user_id": "u"} and body["stream"] is True
    assert "system" not in body
    json.dumps(body)  # all of it is JSON
