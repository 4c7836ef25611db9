"""`OpenAIModel` over the scripted transport: streaming, typed errors, cancellation, secrets."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from model_helpers import FakeClock
from pydantic import JsonValue

from remi_web.core.agent import Agent
from remi_web.builder import AgentBuilder
from remi_web.core.ctx import ChatCtx
from remi_web.core.events import ErrorEvent
from remi_web.core.messages import Message
from remi_web.core.model_io import (
    ModelChunk,
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    UsageChunk,
)
from remi_web.core.usage import Usage
from remi_web.core.wire import event_to_json
from remi_web.model import (
    NO_RETRY,
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelHTTPError,
    ModelNotFoundError,
    OpenAIModel,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    StreamError,
)
from remi_web.http import HttpRequest, ModelTimeoutError, NetworkError, Timeouts
from remi_web.testing import ScriptedResponse, ScriptedTransport, Stall
from remi_web.model.retry import RetryPolicy

pytestmark = pytest.mark.pyodide

KEY = "sk-test-Sup3rSecretKey0123456789"


def _delta(delta: dict[str, JsonValue], finish: str | None = None) -> JsonValue:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


HELLO = [
    _delta({"role": "assistant", "content": ""}),
    _delta({"content": "Hello"}),
    _delta({"content": " world"}),
    _delta({}, "stop"),
    {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}},
]


def _model(transport: ScriptedTransport, **options: object) -> OpenAIModel:
    clock = options.pop("clock", None) or FakeClock()
    return OpenAIModel(
        "gpt-test",
        base_url="https://llm.example.test/v1/",
        api_key=KEY,
        transport=transport,
        clock=clock,  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def _request(text: str = "hi") -> ModelRequest:
    return ModelRequest([Message.user(text)])


async def _run(model: OpenAIModel, ctx: ChatCtx | None = None) -> list[ModelChunk]:
    return [chunk async for chunk in model.chat(_request(), ctx or ChatCtx())]


async def test_streams_text_and_usage_and_sends_a_proper_request() -> None:
    transport = ScriptedTransport([ScriptedResponse.sse(HELLO)])
    model = _model(transport, temperature=0.2, extra_headers={"x-team": "a"})
    assert await _run(model) == [
        TextChunk("Hello"), TextChunk(" world"), UsageChunk(Usage(3, 2), "gpt-test")
    ]
    [sent] = transport.requests
    assert sent.method == "POST"
    assert sent.url == "https://llm.example.test/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["x-team"] == "a"
    assert sent.body is not None
    body = json.loads(sent.body)
    assert body["model"] == "gpt-test" and body["temperature"] == 0.2 and body["stream"] is True
    assert transport.closed == 1


async def test_bytes_split_anywhere_give_the_same_chunks() -> None:
    transport = ScriptedTransport([ScriptedResponse.sse(HELLO, split=1)])
    assert await _run(_model(transport)) == [
        TextChunk("Hello"),
        TextChunk(" world"),
        UsageChunk(Usage(3, 2), "gpt-test"),
    ]


async def test_reasoning_and_tool_calls_come_through() -> None:
    payloads = [
        _delta({"reasoning_content": "hmm"}),
        _delta(
            {"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": "{"}}]}
        ),
        _delta({"tool_calls": [{"index": 0, "function": {"arguments": "}"}}]}, "tool_calls"),
    ]
    transport = ScriptedTransport([ScriptedResponse.sse(payloads)])
    assert await _run(_model(transport)) == [
        ThinkingChunk("hmm"),
        ToolCallChunk(0, "c", "f", "{"),
        ToolCallChunk(0, arguments="}"),
    ]


async def test_defaults_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-123456")
    transport = ScriptedTransport([ScriptedResponse.sse(HELLO)])
    model = OpenAIModel("m", transport=transport)
    await _run(model)
    assert transport.requests[0].url == "http://127.0.0.1:9/v1/chat/completions"
    assert transport.requests[0].headers["authorization"] == "Bearer sk-from-env-123456"


async def test_no_key_sends_no_authorization(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    transport = ScriptedTransport([ScriptedResponse.json(401, {"error": {"message": "nope"}})])
    model = OpenAIModel("m", base_url="http://127.0.0.1:9/v1", transport=transport)
    with pytest.raises(AuthenticationError, match="no API key was sent"):
        await _run(model)
    assert "authorization" not in transport.requests[0].headers


@pytest.mark.parametrize(
    ("status", "payload", "kind"),
    [
        (
            401,
            {"error": {"message": "Incorrect API key", "code": "invalid_api_key"}},
            AuthenticationError,
        ),
        (403, {"error": {"message": "not allowed"}}, AuthenticationError),
        (400, {"error": {"message": "Invalid 'temperature'"}}, BadRequestError),
        (422, {"detail": "messages: field required"}, BadRequestError),
        (
            400,
            {
                "error": {
                    "message": "This model's maximum context length is 8192 tokens",
                    "code": "context_length_exceeded",
                }
            },
            ContextLengthError,
        ),
        (
            400,
            {"error": {"message": "prompt is too long: 300000 tokens > 200000"}},
            ContextLengthError,
        ),
        (
            404,
            {"error": {"message": "The model `x` does not exist", "code": "model_not_found"}},
            ModelNotFoundError,
        ),
        (400, {"error": {"message": "gpt-9 is not a valid model ID"}}, ModelNotFoundError),
        (
            429,
            {"error": {"message": "You exceeded your current quota", "code": "insufficient_quota"}},
            QuotaExceededError,
        ),
        (418, {"error": {"message": "teapot"}}, ModelHTTPError),
    ],
)
async def test_http_errors_are_typed_with_the_provider_message(
    status: int, payload: JsonValue, kind: type[ModelHTTPError]
) -> None:
    transport = ScriptedTransport([ScriptedResponse.json(status, payload)])
    with pytest.raises(ModelHTTPError) as raised:
        await _run(_model(transport))
    assert type(raised.value) is kind
    assert raised.value.status == status
    assert raised.value.provider_message and raised.value.provider_message in str(raised.value)
    assert len(transport.requests) == 1  # none of these is retried
    assert transport.closed == 1


async def test_rate_limit_and_server_errors_are_typed_after_the_retries() -> None:
    transport = ScriptedTransport(
        [ScriptedResponse.json(429, {"error": {"message": "slow down"}}, {"retry-after": "2"})]
    )
    with pytest.raises(RateLimitError) as raised:
        await _run(_model(transport, retry=NO_RETRY))
    assert raised.value.retry_after == 2.0 and "retry after 2 s" in str(raised.value)
    transport = ScriptedTransport([ScriptedResponse(502, {}, [b"<html>Bad gateway</html>"])])
    with pytest.raises(ServerError, match="Bad gateway"):
        await _run(_model(transport, retry=NO_RETRY))


async def test_network_error_before_the_response() -> None:
    transport = ScriptedTransport([NetworkError("cannot reach host")])
    with pytest.raises(NetworkError):
        await _run(_model(transport, retry=NO_RETRY))


async def test_stream_cut_mid_way_is_a_stream_error_and_closes_the_response() -> None:
    cut = ScriptedResponse(
        200, {"content-type": "text/event-stream"}, [b'data: {"choices": []}\n\n']
    )
    transport = ScriptedTransport([cut])
    with pytest.raises(StreamError, match="cut"):
        await _run(_model(transport))
    assert transport.closed == 1


async def test_connection_broken_mid_stream_is_a_stream_error() -> None:
    body = [
        b'data: {"choices": [{"index": 0, "delta": {"content": "a"}}]}\n\n',
        NetworkError("reset"),
    ]
    transport = ScriptedTransport([ScriptedResponse(200, {}, body)])
    seen: list[ModelChunk] = []
    with pytest.raises(StreamError, match="broke"):
        async for chunk in _model(transport).chat(_request(), ChatCtx()):
            seen.append(chunk)
    assert seen == [TextChunk("a")]


async def test_malformed_chunk_is_a_stream_error() -> None:
    transport = ScriptedTransport([ScriptedResponse.sse(['{"choices": [', *HELLO])])
    with pytest.raises(StreamError, match="malformed"):
        await _run(_model(transport))
    assert transport.closed == 1


async def test_read_timeout_from_the_transport_is_typed() -> None:
    body = [b": hi\n\n", ModelTimeoutError("silent", phase="read")]
    transport = ScriptedTransport([ScriptedResponse(200, {}, body)])
    with pytest.raises(ModelTimeoutError) as raised:
        await _run(_model(transport))
    assert raised.value.phase == "read"


async def test_total_timeout_ends_a_stalled_stream() -> None:
    transport = ScriptedTransport([ScriptedResponse(200, {}, [b": hi\n\n", Stall()])])
    model = _model(transport, timeouts=Timeouts(total=0.05))
    with pytest.raises(ModelTimeoutError) as raised:
        await _run(model)
    assert raised.value.phase == "total"
    assert transport.closed == 1


async def test_json_answer_from_a_server_that_ignores_stream() -> None:
    completion = {
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "whole"}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1},
    }
    transport = ScriptedTransport([ScriptedResponse.json(200, completion)])
    assert await _run(_model(transport)) == [TextChunk("whole"), UsageChunk(Usage(1, 1), "gpt-test")]


async def test_cancel_while_waiting_for_bytes_closes_the_stream_at_once() -> None:
    body = [b'data: {"choices": [{"index": 0, "delta": {"content": "a"}}]}\n\n', Stall()]
    transport = ScriptedTransport([ScriptedResponse(200, {}, body)])
    ctx = ChatCtx()
    seen: list[ModelChunk] = []
    async for chunk in _model(transport).chat(_request(), ctx):
        seen.append(chunk)
        asyncio.get_running_loop().call_soon(ctx.cancel)  # fires while the model awaits bytes
    assert seen == [TextChunk("a")]
    assert transport.closed == 1
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0  # the interruption was undone


async def test_cancel_between_chunks_stops_without_reading_more() -> None:
    transport = ScriptedTransport([ScriptedResponse.sse(HELLO)])
    ctx = ChatCtx()
    seen: list[ModelChunk] = []
    async for chunk in _model(transport).chat(_request(), ctx):
        seen.append(chunk)
        ctx.cancel()
    assert seen == [TextChunk("Hello")]
    assert transport.closed == 1


async def test_cancelled_before_start_sends_nothing() -> None:
    transport = ScriptedTransport([ScriptedResponse.sse(HELLO)])
    ctx = ChatCtx()
    ctx.cancel()
    assert await _run(_model(transport), ctx) == []
    assert transport.requests == []


async def test_cancel_during_retry_backoff_stops_waiting() -> None:
    class StuckClock(FakeClock):
        async def sleep(self, seconds: float) -> None:
            self.sleeps.append(seconds)
            await asyncio.Event().wait()

    clock = StuckClock()
    transport = ScriptedTransport([ScriptedResponse.json(500, {"error": {"message": "x"}})])
    ctx = ChatCtx()
    asyncio.get_running_loop().call_later(0.01, ctx.cancel)
    chunks = await _run(_model(transport, clock=clock), ctx)
    assert [type(chunk).__name__ for chunk in chunks] == ["RetryChunk"]  # said, then stopped waiting
    assert len(clock.sleeps) == 1 and len(transport.requests) == 1


async def test_a_real_task_cancellation_still_propagates() -> None:
    transport = ScriptedTransport([ScriptedResponse(200, {}, [Stall()])])
    task = asyncio.create_task(_run(_model(transport)))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert transport.closed == 1


async def test_breaking_out_early_closes_the_response() -> None:
    transport = ScriptedTransport([ScriptedResponse.sse(HELLO)])
    stream = _model(transport).chat(_request(), ChatCtx())
    assert await anext(stream) == TextChunk("Hello")
    await stream.aclose()  # type: ignore[attr-defined]
    assert transport.closed == 1


async def test_is_composable_and_an_agent() -> None:
    transport = ScriptedTransport([ScriptedResponse.sse(HELLO)])
    agent: Agent[ModelRequest, str] = _model(transport).map_response(lambda c: c.type)
    assert [t async for t in agent.chat(_request(), ChatCtx())] == ["text", "text", "usage"]


async def test_the_key_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = {"error": {"message": f"Incorrect API key provided: {KEY}. Bearer {KEY}"}}
    transport = ScriptedTransport(
        [
            ScriptedResponse.json(503, {"error": {"message": f"busy for {KEY}"}}),
            NetworkError(f"proxy said Authorization: Bearer {KEY}"),
            ScriptedResponse.json(401, echo),
        ]
    )
    model = _model(transport, retry=RetryPolicy(rng=lambda: 0.0))
    assert KEY not in repr(model) and KEY not in str(model)
    with pytest.raises(AuthenticationError) as raised:
        await _run(model)
    error = raised.value
    assert KEY not in str(error) and KEY not in repr(error)
    assert KEY not in error.provider_message
    assert error.__cause__ is None and error.__context__ is None
    assert KEY not in caplog.text and "retry" in caplog.text
    assert KEY not in repr(transport.requests[0])
    assert "***" in repr(transport.requests[0])


async def test_the_key_never_shows_in_agent_events() -> None:
    transport = ScriptedTransport(
        [ScriptedResponse.json(401, {"error": {"message": f"Incorrect API key provided: {KEY}"}})]
    )
    agent = AgentBuilder().model(_model(transport)).build()
    events = [event async for event in agent.chat("hi", ChatCtx())]
    assert isinstance(events[-1], ErrorEvent) and events[-1].code == "model_auth"
    for event in events:
        assert KEY not in event_to_json(event)
        assert "sk-test" not in event_to_json(event)


def test_http_request_repr_hides_credentials() -> None:
    request = HttpRequest("POST", "https://x.test", {"Authorization": "Bearer abc", "api-key": "k"})
    assert "abc" not in repr(request) and "'k'" not in repr(request)


async def test_cancel_inside_an_agent_run_ends_with_cancelled() -> None:
    body = [b'data: {"choices": [{"index": 0, "delta": {"content": "partial"}}]}\n\n', Stall()]
    transport = ScriptedTransport([ScriptedResponse(200, {}, body)])
    agent = AgentBuilder().model(_model(transport)).build()
    ctx = ChatCtx()
    events = []
    async for event in agent.chat("hi", ctx):
        events.append(event)
        if event.type == "text_delta":
            asyncio.get_running_loop().call_soon(ctx.cancel)  # while the model awaits bytes
    assert events[-1].type == "cancelled"
    assert transport.closed == 1
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0
