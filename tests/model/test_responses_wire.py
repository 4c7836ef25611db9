"""`OpenAIResponsesModel` over the scripted transport: the request body built from the
history, the stream parser's edge cases, typed errors, retries and reasoning sent back."""

from __future__ import annotations

import json

import pytest
from helpers import collect, of_type
from model_helpers import CALCULATOR, FakeClock
from pydantic import JsonValue

from remi_web import AgentBuilder, Done, ThinkingDelta, ToolResult, tool
from remi_web.core.content import AudioPart, FilePart, ImageBase64Part, ImageUrlPart, TextPart
from remi_web.core.ctx import ChatCtx
from remi_web.core.errors import RequestError
from remi_web.core.messages import Message, ToolCallRequest
from remi_web.core.model_io import (
    ModelChunk,
    ModelRequest,
    RetryChunk,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    UsageChunk,
)
from remi_web.core.usage import Usage
from remi_web.http.sse import encode_event
from remi_web.model import (
    AuthenticationError,
    ContextLengthError,
    IncompleteResponseError,
    OpenAIResponsesModel,
    RateLimitError,
    ServerError,
    StreamError,
)
from remi_web.model.retry import RetryPolicy
from remi_web.testing import ScriptedResponse, ScriptedTransport, Stall
from remi_web.testing.mock_responses_recordings import (
    RESPONSES_RECORDINGS,
    call_events,
    call_item,
    message_events,
    message_item,
    numbered,
    reasoning_events,
    reasoning_item,
    response_object,
    usage_object,
)

pytestmark = pytest.mark.pyodide

KEY = "sk-test-Sup3rSecretKey0123456789"
URL = "https://llm.example.test/v1"


def _stream(events: list[JsonValue], *, split: int | None = None, lines: bool = True) -> ScriptedResponse:
    """A 200 event stream as OpenAI sends it: `event:` and `data:` lines, no `[DONE]`."""
    raw = b"".join(
        encode_event(json.dumps(e), event=str(e["type"]) if lines and isinstance(e, dict) else None)
        for e in numbered(events)
    )
    body = [raw[i : i + split] for i in range(0, len(raw), split)] if split else [raw]
    return ScriptedResponse(200, {"content-type": "text/event-stream"}, body)


def _recording(name: str, split: int | None = None) -> ScriptedResponse:
    return _stream(list(RESPONSES_RECORDINGS[name].chunks), split=split)


def _completed(output: list[JsonValue], usage: JsonValue = None, model: str = "gpt-test") -> JsonValue:
    return {
        "type": "response.completed",
        "response": response_object("completed", output, usage, model=model),
    }


def _model(transport: ScriptedTransport, **options: object) -> OpenAIResponsesModel:
    return OpenAIResponsesModel(
        "gpt-test", base_url=URL + "/", api_key=KEY, transport=transport,
        clock=FakeClock(), **options,  # type: ignore[arg-type]
    )


async def _chunks(model: OpenAIResponsesModel, request: ModelRequest | None = None) -> list[ModelChunk]:
    request = request or ModelRequest([Message.user("hi")])
    return [chunk async for chunk in model.chat(request, ChatCtx())]


def _body(request: ModelRequest, **options: object) -> dict[str, JsonValue]:
    return _model(ScriptedTransport([]), **options).body(request)


# The request body.


def test_the_system_prompt_is_instructions_and_user_parts_are_input_parts() -> None:
    parts = [
        TextPart("look"),
        ImageUrlPart("https://example.test/cat.png", detail="low"),
        ImageBase64Part("iVBORw0KGgo=", "image/png"),
        FilePart("JVBERi0=", "application/pdf", "report.pdf"),
    ]
    request = ModelRequest([
        Message.system("Be brief."), Message.system("Answer in French."),
        Message.user(parts), Message.system("Late note."), Message.user("plain"),
    ])
    body = _body(request)
    assert body["instructions"] == "Be brief.\n\nAnswer in French."
    assert body["input"] == [
        {"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": "look"},
            {"type": "input_image", "image_url": "https://example.test/cat.png", "detail": "low"},
            {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "auto"},
            {"type": "input_file", "file_data": "data:application/pdf;base64,JVBERi0=",
             "filename": "report.pdf"},
        ]},
        {"type": "message", "role": "system", "content": "Late note."},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "plain"}]},
    ]
    assert body["stream"] is True and body["store"] is False and body["model"] == "gpt-test"


def test_audio_input_is_refused_with_a_clear_error() -> None:
    with pytest.raises(RequestError, match="no audio input"):
        _body(ModelRequest([Message.user([AudioPart("UklGRg==")])]))


def test_a_tool_round_becomes_function_call_and_output_items_without_ids() -> None:
    calls = [ToolCallRequest("call_a", "calculator", '{"expression": "2+3"}'),
             ToolCallRequest("call_b", "calculator", "")]
    request = ModelRequest(
        [
            Message.user("what is 2+3 and 4*5?"),
            Message.assistant("Let me compute.", calls),
            Message.tool("call_a", "5"),
            Message.tool("call_b", [TextPart("see "), ImageUrlPart("https://example.test/plot.png")]),
        ],
        tools=[CALCULATOR],
    )
    body = _body(request, tool_choice="required", parallel_tool_calls=False)
    assert body["input"][1:] == [  # type: ignore[index]
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "Let me compute."}]},
        {"type": "function_call", "call_id": "call_a", "name": "calculator",
         "arguments": '{"expression": "2+3"}'},
        {"type": "function_call", "call_id": "call_b", "name": "calculator", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_a", "output": "5"},
        {"type": "function_call_output", "call_id": "call_b", "output": [
            {"type": "input_text", "text": "see "},
            {"type": "input_image", "image_url": "https://example.test/plot.png", "detail": "auto"},
        ]},
    ]
    assert body["tools"] == [{
        "type": "function", "name": "calculator", "description": CALCULATOR.description,
        "parameters": CALCULATOR.parameters, "strict": False,
    }]
    assert body["tool_choice"] == "required" and body["parallel_tool_calls"] is False
    assert _body(request, strict=True)["tools"][0]["strict"] is True  # type: ignore[index]
    plain = _body(ModelRequest([Message.user("hi")]), tool_choice="required")
    assert "tool_choice" not in plain and "tools" not in plain


def test_options_precedence_reasoning_and_the_output_format() -> None:
    request = ModelRequest(
        [Message.user("hi")], temperature=0.1, max_tokens=64,
        extra={"response_format": {"type": "json_schema", "json_schema": {
            "name": "final_result", "schema": {"type": "object"}}}, "user": "u1"},
    )
    body = _body(request, temperature=0.9, max_tokens=10, reasoning_effort="low",
                 reasoning_summary="auto", extra_body={"service_tier": "flex", "temperature": 0.5})
    assert body["temperature"] == 0.5  # extra_body wins over the request's own settings
    assert body["max_output_tokens"] == 64  # the request's own wins over the client's
    assert _body(request, temperature=0.9)["temperature"] == 0.1
    assert body["reasoning"] == {"effort": "low", "summary": "auto"}
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["service_tier"] == "flex" and body["user"] == "u1"
    assert body["text"] == {"format": {"type": "json_schema", "name": "final_result",
                                       "schema": {"type": "object"}}}
    assert "response_format" not in body
    stored = _body(ModelRequest([Message.user("hi")]), reasoning_effort="high", store=True)
    assert stored["store"] is True and "include" not in stored
    assert "include" not in _body(ModelRequest([Message.user("hi")]))


async def test_it_posts_to_responses_with_the_key_and_the_env_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://env.example.test/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    transport = ScriptedTransport([_recording("text")])
    model = OpenAIResponsesModel("gpt-test", transport=transport)
    assert model.base_url == "https://env.example.test/v1"
    await _chunks(model)
    [sent] = transport.requests
    assert sent.method == "POST" and sent.url == "https://env.example.test/v1/responses"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["accept"] == "text/event-stream"
    assert KEY not in repr(model) and KEY not in repr(sent)


# The stream.


async def test_text_split_anywhere_gives_text_then_usage_with_cache_and_reasoning_tokens() -> None:
    for split in (None, 1, 7):
        transport = ScriptedTransport([_recording("reasoning", split)])
        chunks = await _chunks(_model(transport))
        text = "".join(c.text for c in chunks if isinstance(c, TextChunk))
        thought = "".join(c.text for c in chunks if isinstance(c, ThinkingChunk))
        assert text == "Hello! How can I help?"
        assert thought == (
            "**Responding to a greeting**\n\nThe user said hello; I greet back."
            "\n\n**Keeping it short**\n\nOne friendly line is enough."
        )
        assert chunks[-1] == UsageChunk(
            Usage(1024, 210, cached_tokens=896, reasoning_tokens=192), "gpt-5-mini-2025-08-07"
        )
        record = chunks[-2]
        assert isinstance(record, ThinkingChunk) and record.text == "" and record.data is not None
        assert json.loads(record.data) == {"openai_responses": [
            {"type": "reasoning", "id": "rs_6806bfca0b2481918a5748308061a260",
             "summary": [
                 {"type": "summary_text", "text": "**Responding to a greeting**\n\nThe user said hello; I greet back."},
                 {"type": "summary_text", "text": "**Keeping it short**\n\nOne friendly line is enough."},
             ],
             "encrypted_content": RESPONSES_RECORDINGS["reasoning"].chunks[-1]["response"]["output"][0]["encrypted_content"]},  # type: ignore[call-overload, index]
            {"type": "message"},
        ]}


async def test_data_lines_without_event_lines_read_the_same() -> None:
    events = list(RESPONSES_RECORDINGS["parallel_calls"].chunks)
    with_lines = await _chunks(_model(ScriptedTransport([_stream(events)])))
    without = await _chunks(_model(ScriptedTransport([_stream(events, lines=False)])))
    assert with_lines == without


async def test_function_calls_stream_their_arguments_by_index() -> None:
    chunks = await _chunks(_model(ScriptedTransport([_recording("parallel_calls")])))
    assert chunks[:5] == [
        ToolCallChunk(0, "call_one", "calculator", ""),
        ToolCallChunk(0, arguments='{"expr'),
        ToolCallChunk(0, arguments='ession": "2+'),
        ToolCallChunk(0, arguments='3*4"}'),
        ToolCallChunk(1, "call_two", "calculator", ""),
    ]
    assert chunks[-1] == UsageChunk(Usage(55, 30), "gpt-5-mini-2025-08-07")
    assert not any(isinstance(c, ThinkingChunk) for c in chunks)  # no reasoning: no record


async def test_done_events_give_what_the_deltas_did_not() -> None:
    events: list[JsonValue] = [
        {"type": "response.created", "response": response_object("in_progress")},
        # a function call whose arguments come only with .done, a message without deltas
        {"type": "response.output_item.added", "output_index": 0,
         "item": call_item("fc_1", "call_1", "lookup", "", "in_progress")},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0,
         "delta": '{"q": '},
        {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 0,
         "arguments": '{"q": "remi"}'},
        {"type": "response.output_item.done", "output_index": 1, "item": message_item("msg_1", "Found it.")},
        # an item seen only in response.completed (a server that streams little)
        _completed([call_item("fc_1", "call_1", "lookup", '{"q": "remi"}'),
                    message_item("msg_1", "Found it."),
                    call_item("fc_2", "call_2", "open", '{"id": 7}')]),
    ]
    chunks = await _chunks(_model(ScriptedTransport([_stream(events)])))
    assert chunks == [
        ToolCallChunk(0, "call_1", "lookup", ""),
        ToolCallChunk(0, arguments='{"q": '),
        ToolCallChunk(0, arguments='"remi"}'),
        TextChunk("Found it."),
        ToolCallChunk(1, "call_2", "open", '{"id": 7}'),
    ]


async def test_raw_reasoning_text_streams_as_thinking_and_unknown_events_are_skipped() -> None:
    at = {"item_id": "rs_1", "output_index": 0, "content_index": 0}
    events: list[JsonValue] = [
        {"type": "response.created", "response": response_object("in_progress", model="gpt-oss-20b")},
        {"type": "response.output_item.added", "output_index": 0, "item": reasoning_item("rs_1", [])},
        {"type": "response.reasoning_text.delta", **at, "delta": "Think"},
        {"type": "response.reasoning_text.delta", **at, "delta": "ing."},
        {"type": "response.web_search_call.searching", "item_id": "ws_1", "output_index": 9},
        {"type": "response.output_text.annotation.added", "item_id": "m", "output_index": 1},
        *message_events(1, "msg_1", ["Done."]),
        _completed([], usage_object(3, 4), model="gpt-oss-20b"),
    ]
    chunks = await _chunks(_model(ScriptedTransport([_stream(events)])))
    assert chunks[:3] == [ThinkingChunk("Think"), ThinkingChunk("ing."), TextChunk("Done.")]
    assert chunks[-1] == UsageChunk(Usage(3, 4), "gpt-oss-20b")


@pytest.mark.parametrize(
    ("name", "kind", "said"),
    [
        ("error_event", RateLimitError, "Rate limit reached for gpt-5-mini"),
        ("failed", ServerError, "An error occurred while processing your request"),
    ],
)
async def test_errors_in_the_stream_are_typed_and_not_retried(
    name: str, kind: type[Exception], said: str
) -> None:
    transport = ScriptedTransport([_recording(name), _recording("text")])
    model = _model(transport, retry=RetryPolicy(max_retries=3))
    seen: list[ModelChunk] = []
    with pytest.raises(kind, match=said) as caught:
        async for chunk in model.chat(ModelRequest([Message.user("hi")]), ChatCtx()):
            seen.append(chunk)
    assert "mid-stream" in str(caught.value)
    assert len(transport.requests) == 1 and transport.remaining == 1
    assert not any(isinstance(c, RetryChunk) for c in seen)
    if name == "error_event":
        assert seen == [TextChunk("Partial")]


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ({"type": "error", "code": "context_length_exceeded", "message": "Your input exceeds the "
          "context window of this model.", "param": "input"}, ContextLengthError),
        ({"type": "error", "error": {"type": "invalid_request_error", "code": "invalid_value",
                                     "message": "bad value"}}, None),
        ({"type": "error", "code": "something_new", "message": "a new kind of failure"}, StreamError),
        ({"type": "response.failed", "response": response_object(
            "failed", error={"code": "invalid_image_url", "message": "Error downloading image."})}, None),
    ],
)
async def test_error_codes_map_to_error_types(event: JsonValue, kind: type[Exception] | None) -> None:
    from remi_web.model import BadRequestError

    events: list[JsonValue] = [{"type": "response.created", "response": response_object("in_progress")}, event]
    with pytest.raises(kind or BadRequestError) as caught:
        await _chunks(_model(ScriptedTransport([_stream(events)])))
    assert type(caught.value) is (kind or BadRequestError)
    assert "mid-stream" in str(caught.value)


async def test_a_cut_or_malformed_stream_is_a_stream_error() -> None:
    events = list(RESPONSES_RECORDINGS["text"].chunks)[:-1]  # no response.completed
    with pytest.raises(StreamError, match="ended before response.completed"):
        await _chunks(_model(ScriptedTransport([_stream(events)])))
    bad = ScriptedResponse(200, {"content-type": "text/event-stream"}, [b'data: {"type": "resp\n\n'])
    with pytest.raises(StreamError, match="malformed event"):
        await _chunks(_model(ScriptedTransport([bad])))


async def test_an_incomplete_reply_keeps_its_text_but_an_empty_one_is_an_error() -> None:
    chunks = await _chunks(_model(ScriptedTransport([_recording("incomplete")])))
    assert chunks == [TextChunk("The answer"), TextChunk(" is long and"),
                      UsageChunk(Usage(20, 16), "gpt-5-mini-2025-08-07")]
    events: list[JsonValue] = [
        {"type": "response.created", "response": response_object("in_progress")},
        *reasoning_events(0, "rs_1", [["Thinking", " a lot"]]),
        {"type": "response.incomplete", "response": response_object(
            "incomplete", [], usage_object(9, 64, reasoning=64), incomplete="max_output_tokens")},
    ]
    with pytest.raises(IncompleteResponseError, match="max_output_tokens") as caught:
        await _chunks(_model(ScriptedTransport([_stream(events)])))
    assert caught.value.reason == "max_output_tokens" and caught.value.code == "response_incomplete"


async def test_http_errors_retry_before_the_stream_and_auth_errors_name_the_env() -> None:
    busy = ScriptedResponse.json(
        429, {"error": {"message": "Rate limit reached", "type": "requests",
                        "code": "rate_limit_exceeded"}}, {"retry-after": "2"},
    )
    transport = ScriptedTransport([busy, _recording("text")])
    chunks = await _chunks(_model(transport))
    assert isinstance(chunks[0], RetryChunk) and chunks[0].delay == 2
    assert "".join(c.text for c in chunks if isinstance(c, TextChunk)) == "Hi there! How can I help?"
    denied = ScriptedResponse.json(401, {"error": {"message": f"Incorrect API key provided: {KEY}",
                                                   "type": "invalid_request_error",
                                                   "code": "invalid_api_key"}})
    with pytest.raises(AuthenticationError) as caught:
        await _chunks(_model(ScriptedTransport([denied])))
    assert "OPENAI_API_KEY" in str(caught.value) and KEY not in str(caught.value)


async def test_a_whole_json_response_gives_the_same_chunks_as_its_stream() -> None:
    completed = RESPONSES_RECORDINGS["reasoning_tool_call"].chunks[-1]
    assert isinstance(completed, dict)
    whole = ScriptedResponse.json(200, completed["response"])
    from_json = await _chunks(_model(ScriptedTransport([whole])))
    streamed = await _chunks(_model(ScriptedTransport([_recording("reasoning_tool_call")])))

    def joined(chunks: list[ModelChunk]) -> tuple[str, str, list[tuple[str | None, str | None]], str]:
        thought = "".join(c.text for c in chunks if isinstance(c, ThinkingChunk))
        args = "".join(c.arguments for c in chunks if isinstance(c, ToolCallChunk))
        heads = [(c.id, c.name) for c in chunks if isinstance(c, ToolCallChunk) and c.name]
        return thought, args, heads, repr(chunks[-2:])

    assert joined(from_json) == joined(streamed)


async def test_cancelling_mid_stream_ends_quietly_and_closes_the_response() -> None:
    events = list(RESPONSES_RECORDINGS["text"].chunks)[:5]
    raw = b"".join(encode_event(json.dumps(e)) for e in events)
    transport = ScriptedTransport([ScriptedResponse(200, {"content-type": "text/event-stream"},
                                                    [raw, Stall()])])
    ctx = ChatCtx()
    seen: list[ModelChunk] = []
    async for chunk in _model(transport).chat(ModelRequest([Message.user("hi")]), ctx):
        seen.append(chunk)
        ctx.cancel()
    assert seen == [TextChunk("Hi")] and transport.closed == 1


# Reasoning sent back.


def _reasoned_reply(encrypted: str | None) -> list[JsonValue]:
    args = '{"expression": "2+3*4"}'
    return [
        {"type": "response.created", "response": response_object("in_progress")},
        *reasoning_events(0, "rs_a", [["I should use", " the calculator."]], encrypted),
        *call_events(1, "fc_a", "call_a", "calculator", [args[:9], args[9:]]),
        _completed([], usage_object(50, 20, reasoning=12)),
    ]


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3".
    """
    assert set(expression) <= set("0123456789+-*/(). ")
    return str(eval(expression))  # noqa: S307 - digits and operators only, checked above


async def test_an_agent_sends_the_encrypted_reasoning_back_before_its_call() -> None:
    answer = [{"type": "response.created", "response": response_object("in_progress")},
              *message_events(0, "msg_b", ["2+3*4 = 14."]), _completed([], usage_object(80, 6))]
    transport = ScriptedTransport([_stream(_reasoned_reply("gAAAA-sealed")), _stream(answer)])
    model = _model(transport, reasoning_effort="low", reasoning_summary="auto")
    agent = AgentBuilder().model(model).tools(calculator).system("Use tools.").build()
    events = await collect(agent.chat("what is 2+3*4?"))
    assert [d.text for d in of_type(events, ThinkingDelta)] == ["I should use", " the calculator."]
    assert [r.content for r in of_type(events, ToolResult)] == ["14"]
    done = events[-1]
    assert isinstance(done, Done) and done.text == "2+3*4 = 14." and done.usage.reasoning_tokens == 12
    second = json.loads(transport.requests[1].body or b"")
    assert second["instructions"] == "Use tools."
    assert second["include"] == ["reasoning.encrypted_content"]
    assert second["input"] == [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "what is 2+3*4?"}]},
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "I should use the calculator."}],
         "encrypted_content": "gAAAA-sealed"},
        {"type": "function_call", "call_id": "call_a", "name": "calculator",
         "arguments": '{"expression": "2+3*4"}'},
        {"type": "function_call_output", "call_id": "call_a", "output": "14"},
    ]


def test_reasoning_is_sent_by_id_only_when_stored_and_foreign_records_are_ignored() -> None:
    record = json.dumps({"openai_responses": [
        {"type": "reasoning", "id": "rs_x", "summary": []},
        {"type": "message"},
    ]})
    reply = Message.assistant("Hi.", reasoning="hm", reasoning_data=record)
    request = ModelRequest([Message.user("hi"), reply, Message.user("again")])
    stateless = _body(request)["input"]
    stored = _body(request, store=True)["input"]
    said = {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi."}]}
    assert stateless[1:3] == [said, {"type": "message", "role": "user",  # type: ignore[index]
                                     "content": [{"type": "input_text", "text": "again"}]}]
    assert stored[1:3] == [{"type": "reasoning", "summary": [], "id": "rs_x"}, said]  # type: ignore[index]
    for foreign in ("EqQBCkgIARABGAIiQP", '[{"type": "thinking", "chars": 2, "signature": "s"}]', "{oops"):
        other = Message.assistant("Hi.", reasoning="hm", reasoning_data=foreign)
        items = _body(ModelRequest([Message.user("hi"), other]))["input"]
        assert items[1:] == [said]  # type: ignore[index]
