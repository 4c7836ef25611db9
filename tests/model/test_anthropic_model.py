"""`AnthropicModel` over the scripted transport: the request it sends, the events it reads
(the recordings' exact payloads, split anywhere), typed errors and retries, cancellation,
and the key kept out of sight."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from model_helpers import FakeClock
from pydantic import JsonValue

from remi_web.core.ctx import ChatCtx
from remi_web.core.messages import Message
from remi_web.core.model_io import (
    ModelChunk,
    ModelRequest,
    RetryChunk,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    ToolDefinition,
    UsageChunk,
)
from remi_web.core.usage import Usage
from remi_web.model import (
    NO_RETRY,
    AnthropicModel,
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelHTTPError,
    ModelNotFoundError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    StreamError,
)
from remi_web.model.retry import RetryPolicy
from remi_web.testing import ScriptedResponse, ScriptedTransport, Stall
from remi_web.testing.mock_anthropic_recordings import (
    ANTHROPIC_RECORDINGS,
    MODEL,
    block,
    delta,
    end,
    start,
    stop,
    texts,
)

pytestmark = pytest.mark.pyodide

KEY = "sk-ant-test-Sup3rSecretKey0123456789"
HELLO: list[JsonValue] = [start(3), *texts(0, ["Hello", " world"]), *end("end_turn", 2)]


def _model(transport: ScriptedTransport, **options: object) -> AnthropicModel:
    clock = options.pop("clock", None) or FakeClock()
    return AnthropicModel(
        "claude-test",
        base_url="https://llm.example.test/",
        api_key=KEY,
        transport=transport,
        clock=clock,  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def _sse(payloads: list[JsonValue], split: int | None = None) -> ScriptedResponse:
    return ScriptedResponse.sse(payloads, done=False, split=split)


async def _run(
    model: AnthropicModel, request: ModelRequest | None = None, ctx: ChatCtx | None = None
) -> list[ModelChunk]:
    asked = request or ModelRequest([Message.user("hi")])
    return [chunk async for chunk in model.chat(asked, ctx or ChatCtx())]


def _recorded(name: str, split: int | None = None) -> ScriptedTransport:
    return ScriptedTransport([_sse(ANTHROPIC_RECORDINGS[name].chunks, split)])


async def test_streams_text_and_usage_and_sends_a_proper_request() -> None:
    transport = ScriptedTransport([_sse(HELLO)])
    model = _model(transport, temperature=0.2, betas=["b1", "b2"], extra_headers={"x-team": "a"})
    assert await _run(model) == [
        TextChunk("Hello"), TextChunk(" world"), UsageChunk(Usage(3, 2), MODEL)
    ]
    [sent] = transport.requests
    assert (sent.method, sent.url) == ("POST", "https://llm.example.test/v1/messages")
    assert sent.headers["x-api-key"] == KEY
    assert "authorization" not in sent.headers
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.headers["anthropic-beta"] == "b1,b2"
    assert sent.headers["x-team"] == "a"
    assert sent.body is not None
    body = json.loads(sent.body)
    assert body == {
        "model": "claude-test",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 4096,
        "temperature": 0.2,
        "stream": True,
    }
    assert transport.closed == 1


@pytest.mark.parametrize("split", [None, 1, 7])
async def test_a_recorded_tool_call_streams_its_partial_json(split: int | None) -> None:
    chunks = await _run(_model(_recorded("tool_use", split)))
    assert chunks[:2] == [
        TextChunk("Okay"), TextChunk(", let's check the weather for San Francisco, CA:")
    ]
    assert chunks[2] == ToolCallChunk(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather")
    fragments = [c.arguments for c in chunks if isinstance(c, ToolCallChunk)]
    assert len(fragments) == 9  # the announcement and eight non-empty fragments
    assert json.loads("".join(fragments)) == {"location": "San Francisco, CA", "unit": "fahrenheit"}
    assert chunks[-1] == UsageChunk(Usage(472, 89), MODEL)


async def test_tool_calls_are_numbered_apart_from_other_blocks() -> None:
    chunks = await _run(_model(_recorded("parallel_tool_use")))
    starts = [(c.index, c.id, c.name) for c in chunks if isinstance(c, ToolCallChunk) and c.id]
    assert starts == [(0, "toolu_01A", "calculator"), (1, "toolu_01B", "calculator")]
    by_call: dict[int, str] = {}
    for c in chunks:
        if isinstance(c, ToolCallChunk):
            by_call[c.index] = by_call.get(c.index, "") + c.arguments
    assert by_call == {0: '{"expression": "2+3*4"}', 1: '{"expression": "7-10"}'}


async def test_a_tool_without_input_deltas_gets_its_start_input() -> None:
    chunks = await _run(_model(_recorded("no_input_tool")))
    assert chunks[:2] == [
        ToolCallChunk(0, "toolu_01N", "get_time"), ToolCallChunk(0, arguments="{}")
    ]


async def test_thinking_streams_and_its_signature_comes_last_as_data() -> None:
    chunks = await _run(_model(_recorded("thinking", 3)))
    thinking = [c for c in chunks if isinstance(c, ThinkingChunk)]
    assert "".join(c.text for c in thinking).endswith("So the GCD is 21.")
    assert [c.data for c in thinking[:-1]] == [None] * (len(thinking) - 1)
    assert thinking[-1].text == "" and thinking[-1].data is not None
    assert thinking[-1].data.startswith("EqQBCgIYAhIM")  # the block's signature
    assert chunks[-1] == UsageChunk(Usage(48, 219, reasoning_tokens=160), MODEL)


async def test_cache_counts_are_part_of_the_prompt() -> None:
    written = await _run(_model(_recorded("cache_write")))
    read = await _run(_model(_recorded("cache_read")))
    assert written[-1] == UsageChunk(Usage(21 + 1854, 12, cache_write_tokens=1854), MODEL)
    assert read[-1] == UsageChunk(Usage(19 + 1854, 9, cached_tokens=1854), MODEL)


async def test_message_delta_counts_replace_the_start_counts() -> None:
    payloads = [start(10), *texts(0, ["x"]), *end("end_turn", 5, input_tokens=12)]
    chunks = await _run(_model(ScriptedTransport([_sse(payloads)])))
    assert chunks[-1] == UsageChunk(Usage(12, 5), MODEL)


async def test_pings_unknown_events_and_server_tool_blocks_are_skipped() -> None:
    server_tool = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}
    payloads = [
        start(3),
        {"type": "ping"},
        block(0, server_tool),
        delta(0, {"type": "input_json_delta", "partial_json": '{"query": "x"}'}),
        stop(0),
        {"type": "some_future_event", "x": 1},
        block(1, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}),
        stop(1),
        *texts(2, ["found"]),
        delta(2, {"type": "citations_delta", "citation": {"type": "char_location"}}),
        *end("end_turn", 4),
    ]
    chunks = await _run(_model(ScriptedTransport([_sse(payloads)])))
    assert chunks == [TextChunk("found"), UsageChunk(Usage(3, 4), MODEL)]


async def test_an_error_event_mid_stream_is_a_stream_error_and_is_not_retried() -> None:
    transport = ScriptedTransport([_sse(ANTHROPIC_RECORDINGS["error_event"].chunks)] * 2)
    seen: list[ModelChunk] = []
    with pytest.raises(StreamError, match=r"overloaded_error: Overloaded"):
        async for chunk in _model(transport).chat(ModelRequest([Message.user("hi")]), ChatCtx()):
            seen.append(chunk)
    assert seen == [TextChunk("Partial"), TextChunk(" answer")]
    assert len(transport.requests) == 1
    assert transport.closed == 1


@pytest.mark.parametrize(
    ("payloads", "match"),
    [
        ([start(3), *texts(0, ["cut"])], "connection was cut"),
        ([*texts(0, ["no start"]), *end("end_turn", 1)], "before message_start"),
        ([start(3), delta(0, {"type": "thinking_delta", "thinking": "x"})], "before it started"),
        ([start(3), "{not json"], "malformed event"),
        ([start(3), "[1, 2]"], "not an object"),
        ([start(3), block(0, {"type": "tool_use", "name": "f", "input": {}})], "without id"),
    ],
)
async def test_broken_streams_are_stream_errors(payloads: list[JsonValue], match: str) -> None:
    transport = ScriptedTransport([_sse(payloads)])
    with pytest.raises(StreamError, match=match):
        await _run(_model(transport))
    assert transport.closed == 1


async def test_a_stop_reason_without_message_stop_is_enough() -> None:
    payloads = [start(3), *texts(0, ["ok"]), *end("max_tokens", 1)[:1]]
    chunks = await _run(_model(ScriptedTransport([_sse(payloads)])))
    assert chunks == [TextChunk("ok"), UsageChunk(Usage(3, 1), MODEL)]


def _error(kind: str, message: str) -> JsonValue:
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_1"}


@pytest.mark.parametrize(
    ("status", "payload", "kind", "hint"),
    [
        (401, _error("authentication_error", "invalid x-api-key"), AuthenticationError,
         "ANTHROPIC_API_KEY"),
        (403, _error("permission_error", "no access"), AuthenticationError, "ANTHROPIC_API_KEY"),
        (400, _error("invalid_request_error", "max_tokens: Field required"), BadRequestError, ""),
        (400, _error("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"),
         ContextLengthError, "Shorten the history"),
        (413, _error("request_too_large", "Request exceeds the maximum size"), BadRequestError, ""),
        (404, _error("not_found_error", "model: claude-nope"), ModelNotFoundError, "without /v1"),
        (400, _error("invalid_request_error", "Your credit balance is too low to access the "
                     "Anthropic API."), QuotaExceededError, "Add credit"),
        (402, _error("billing_error", "payment required"), QuotaExceededError, "Add credit"),
    ],
)
async def test_http_errors_are_typed_with_the_provider_message(
    status: int, payload: JsonValue, kind: type[ModelHTTPError], hint: str
) -> None:
    transport = ScriptedTransport([ScriptedResponse.json(status, payload)])
    with pytest.raises(ModelHTTPError) as raised:
        await _run(_model(transport))
    assert type(raised.value) is kind
    assert raised.value.status == status
    assert raised.value.provider_message and raised.value.provider_message in str(raised.value)
    assert hint in str(raised.value)
    assert len(transport.requests) == 1  # none of these is retried


async def test_overloaded_529_is_retried_then_the_stream_comes() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(
        [ScriptedResponse.json(529, _error("overloaded_error", "Overloaded")), _sse(HELLO)]
    )
    chunks = await _run(_model(transport, clock=clock, retry=RetryPolicy(rng=lambda: 0.0)))
    retry = chunks[0]
    assert isinstance(retry, RetryChunk) and retry.attempt == 1
    assert "overloaded" in retry.reason.lower()
    assert chunks[1:] == [TextChunk("Hello"), TextChunk(" world"), UsageChunk(Usage(3, 2), MODEL)]
    assert clock.sleeps == [0.5] and len(transport.requests) == 2


async def test_429_waits_as_long_as_retry_after_says() -> None:
    clock = FakeClock()
    limited = ScriptedResponse.json(
        429, _error("rate_limit_error", "Number of request tokens has exceeded your rate limit"),
        {"retry-after": "3"},
    )
    transport = ScriptedTransport([limited, _sse(HELLO)])
    chunks = await _run(_model(transport, clock=clock, retry=RetryPolicy(rng=lambda: 0.0)))
    assert isinstance(chunks[0], RetryChunk) and chunks[0].delay == 3.0
    assert clock.sleeps == [3.0]


async def test_rate_limits_and_overloads_are_typed_after_the_retries() -> None:
    limited = ScriptedResponse.json(
        429, _error("rate_limit_error", "slow down"), {"retry-after": "2"}
    )
    with pytest.raises(RateLimitError) as raised:
        await _run(_model(ScriptedTransport([limited]), retry=NO_RETRY))
    assert raised.value.retry_after == 2.0
    overloaded = ScriptedResponse.json(529, _error("overloaded_error", "Overloaded"))
    with pytest.raises(ServerError, match="Anthropic is overloaded") as over:
        await _run(_model(ScriptedTransport([overloaded]), retry=NO_RETRY))
    assert over.value.retryable and over.value.status == 529


async def test_a_whole_message_from_a_server_that_ignores_stream() -> None:
    message = {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
        "content": [
            {"type": "thinking", "thinking": "Hmm.", "signature": "sig-1"},
            {"type": "text", "text": "Calling."},
            {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}},
        ],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 5, "output_tokens": 7, "cache_read_input_tokens": 2},
    }
    chunks = await _run(_model(ScriptedTransport([ScriptedResponse.json(200, message)])))
    assert chunks == [
        ThinkingChunk("Hmm."),
        TextChunk("Calling."),
        ToolCallChunk(0, "toolu_1", "f"),
        ToolCallChunk(0, arguments='{"a": 1}'),
        ThinkingChunk("", data="sig-1"),
        UsageChunk(Usage(7, 7, cached_tokens=2), "claude-x"),
    ]


async def test_defaults_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-env-123456")
    transport = ScriptedTransport([_sse(HELLO)])
    await _run(AnthropicModel("m", transport=transport))
    assert transport.requests[0].url == "http://127.0.0.1:9/v1/messages"
    assert transport.requests[0].headers["x-api-key"] == "sk-ant-from-env-123456"


async def test_no_key_sends_none_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    payload = _error("authentication_error", "x-api-key header is required")
    transport = ScriptedTransport([ScriptedResponse.json(401, payload)])
    model = AnthropicModel("m", base_url="http://127.0.0.1:9", transport=transport)
    with pytest.raises(AuthenticationError, match="no API key was sent.*ANTHROPIC_API_KEY"):
        await _run(model)
    assert "x-api-key" not in transport.requests[0].headers


async def test_thinking_cache_and_options_go_into_the_body() -> None:
    transport = ScriptedTransport([_sse(HELLO), _sse(HELLO)])
    model = _model(
        transport, thinking_budget=2048, cache=True, top_k=5, stop="END",
        tool_choice={"type": "any"}, extra_body={"metadata": {"user_id": "u1"}},
    )
    tool = ToolDefinition("f", "", {"type": "object", "properties": {}})
    await _run(model, ModelRequest([Message.user("hi")], [tool], max_tokens=9000))
    await _run(model, ModelRequest([Message.user("hi")], extra={"top_k": 1}))
    first, second = (json.loads(r.body or b"") for r in transport.requests)
    assert first["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert first["cache_control"] == {"type": "ephemeral"}
    assert (first["max_tokens"], first["top_k"], first["stop_sequences"]) == (9000, 5, ["END"])
    assert first["tool_choice"] == {"type": "any"} and first["metadata"] == {"user_id": "u1"}
    assert first["tools"] == [{"name": "f", "input_schema": {"type": "object", "properties": {}}}]
    assert second["max_tokens"] == 2048 + 4096 and second["top_k"] == 1
    assert "tool_choice" not in second and "tools" not in second


def test_max_tokens_must_exceed_the_thinking_budget() -> None:
    with pytest.raises(ValueError, match="must exceed thinking_budget"):
        AnthropicModel("m", api_key="k", max_tokens=1024, thinking_budget=1024)


async def test_content_anthropic_cannot_read_fails_before_sending() -> None:
    from remi_web.core.content import AudioPart

    transport = ScriptedTransport([_sse(HELLO)])
    with pytest.raises(ValueError, match="no audio input"):
        await _run(_model(transport), ModelRequest([Message.user([AudioPart("AAAA")])]))
    assert transport.requests == []


async def test_cancel_while_waiting_for_bytes_closes_the_stream_at_once() -> None:
    payloads = [start(3), *texts(0, ["a"])[:2]]
    raw = b"".join(f"data: {json.dumps(p)}\n\n".encode() for p in payloads)
    transport = ScriptedTransport([ScriptedResponse(200, {}, [raw, Stall()])])
    ctx = ChatCtx()
    seen: list[ModelChunk] = []
    async for chunk in _model(transport).chat(ModelRequest([Message.user("hi")]), ctx):
        seen.append(chunk)
        asyncio.get_running_loop().call_soon(ctx.cancel)  # fires while the model awaits bytes
    assert seen == [TextChunk("a")]
    assert transport.closed == 1


async def test_the_key_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    transport = ScriptedTransport(
        [
            ScriptedResponse.json(529, _error("overloaded_error", f"busy for {KEY}")),
            ScriptedResponse.json(401, _error("authentication_error", f"invalid x-api-key {KEY}")),
        ]
    )
    model = _model(transport, retry=RetryPolicy(rng=lambda: 0.0))
    assert KEY not in repr(model)
    with pytest.raises(AuthenticationError) as raised:
        await _run(model)
    assert KEY not in str(raised.value) and KEY not in raised.value.provider_message
    assert KEY not in caplog.text and "retry" in caplog.text
    assert KEY not in repr(transport.requests[0]) and "***" in repr(transport.requests[0])
    assert KEY in model.secrets()[0].reveal()
