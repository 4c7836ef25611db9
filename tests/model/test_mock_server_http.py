"""The mock LLM server over real loopback HTTP, driven by `OpenAIModel` (httpx transport)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from transport.transport_helpers import running
from model_helpers import FakeClock

from remi_web.core.ctx import ChatCtx
from remi_web.core.messages import Message, ToolCallRequest
from remi_web.core.model_io import ModelChunk, ModelRequest, TextChunk, ToolCallChunk, UsageChunk
from model_helpers import CALCULATOR

from remi_web.model import (
    NO_RETRY,
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelNotFoundError,
    OpenAIModel,
    QuotaExceededError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StreamError,
)
from remi_web.http import ModelTimeoutError, Timeouts
from remi_web.testing.mock_server import MockConfig, create_app


def _model(base_url: str, **options: object) -> OpenAIModel:
    return OpenAIModel("mock", base_url=base_url, api_key="sk-local", **options)  # type: ignore[arg-type]


async def _collect(
    model: OpenAIModel, request: ModelRequest, ctx: ChatCtx | None = None
) -> list[ModelChunk]:
    try:
        return [chunk async for chunk in model.chat(request, ctx or ChatCtx())]
    finally:
        await model.aclose()


def _text(chunks: list[ModelChunk]) -> str:
    return "".join(c.text for c in chunks if isinstance(c, TextChunk))


async def _stats(base_url: str) -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base_url}/mock/stats")
        data: dict[str, int] = response.json()
        return data


async def test_streams_a_deterministic_reply(mock_llm: str) -> None:
    chunks = await _collect(_model(mock_llm), ModelRequest([Message.user("hello there")]))
    assert _text(chunks) == "You said: hello there"
    assert isinstance(chunks[-1], UsageChunk) and chunks[-1].usage.completion_tokens > 0


async def test_calculator_round_trip(mock_llm: str) -> None:
    ask = [Message.user("what is 2+3*4 and 10/4?")]
    chunks = await _collect(_model(mock_llm), ModelRequest(ask, [CALCULATOR]))
    calls: dict[int, list[str]] = {}
    ids: dict[int, str] = {}
    for chunk in chunks:
        if isinstance(chunk, ToolCallChunk):
            if chunk.id:
                ids[chunk.index] = chunk.id
                assert chunk.name == "calculator"
            calls.setdefault(chunk.index, []).append(chunk.arguments)
    arguments = {i: json.loads("".join(parts)) for i, parts in calls.items()}
    assert arguments == {0: {"expression": "2+3*4"}, 1: {"expression": "10/4"}}
    history = [
        *ask,
        Message.assistant(
            "", [ToolCallRequest(ids[i], "calculator", json.dumps(arguments[i])) for i in (0, 1)]
        ),
        Message.tool(ids[0], "14"),
        Message.tool(ids[1], "2.5"),
    ]
    answer = await _collect(_model(mock_llm), ModelRequest(history, [CALCULATOR]))
    assert _text(answer) == "2+3*4 = 14 and 10/4 = 2.5."


async def test_models_health_and_plain_completion(mock_llm: str) -> None:
    async with httpx.AsyncClient() as client:
        models = (await client.get(f"{mock_llm}/models")).json()
        assert {"mock", "mock-reasoning", "replay-plain"} <= {m["id"] for m in models["data"]}
        assert (await client.get(mock_llm.removesuffix("/v1") + "/health")).json() == {
            "status": "ok"
        }
        body = {"model": "mock", "messages": [{"role": "user", "content": "what is 6*7"}]}
        completion = (await client.post(f"{mock_llm}/chat/completions", json=body)).json()
        assert completion["object"] == "chat.completion"
        assert completion["choices"][0]["message"]["content"] == "6*7 = 42."
        bad = await client.post(f"{mock_llm}/chat/completions", content=b"{not json")
        assert bad.status_code == 400 and "JSON" in bad.json()["error"]["message"]


async def test_cors_lets_a_page_call_it(mock_llm: str) -> None:
    origin = "http://localhost:5173"
    async with httpx.AsyncClient() as client:
        preflight = await client.options(
            f"{mock_llm}/chat/completions",
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] in ("*", origin)
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        limited = await client.post(
            f"{mock_llm}/chat/completions",
            json={"model": "fault-429", "messages": []},
            headers={"origin": origin},
        )
        assert limited.status_code == 429
        assert limited.headers["access-control-allow-origin"] == "*"
        assert "retry-after" in limited.headers["access-control-expose-headers"].lower()


async def test_rate_limited_twice_then_served_over_http(mock_llm: str, clock: FakeClock) -> None:
    model = _model(
        mock_llm,
        clock=clock,
        retry=RetryPolicy(rng=lambda: 0.0),
        extra_headers={"x-mock-fault": "429; times=2; retry_after=1.5", "x-mock-fault-key": "t1"},
    )
    chunks = await _collect(model, ModelRequest([Message.user("hi")]))
    assert _text(chunks) == "You said: hi"
    assert clock.sleeps == [1.5, 1.5]  # retry-after-ms beats the 0.5 s and 1 s backoff
    stats = await _stats(mock_llm)
    assert stats["requests"] == 3 and stats["faults"] == 2


async def test_rate_limit_that_never_ends(mock_llm: str, clock: FakeClock) -> None:
    model = _model(mock_llm, clock=clock, retry=RetryPolicy(max_retries=2, rng=lambda: 0.0))
    with pytest.raises(RateLimitError) as raised:
        await _collect(model, ModelRequest([Message.user("hi")], model="fault-429"))
    assert raised.value.retry_after == 1.0
    assert clock.sleeps == [1.0, 1.0]
    assert (await _stats(mock_llm))["requests"] == 3


async def test_server_errors_retry_with_backoff(mock_llm: str, clock: FakeClock) -> None:
    model = _model(mock_llm, clock=clock, retry=RetryPolicy(max_retries=3, rng=lambda: 0.0))
    with pytest.raises(ServerError, match="injected"):
        await _collect(model, ModelRequest([Message.user("hi")], model="fault-500"))
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert (await _stats(mock_llm))["requests"] == 4


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("401", AuthenticationError),
        ("400", BadRequestError),
        ("context", ContextLengthError),
        ("404", ModelNotFoundError),
        ("quota", QuotaExceededError),
    ],
)
async def test_client_faults_are_typed_and_not_retried(
    mock_llm: str, clock: FakeClock, fault: str, kind: type[Exception]
) -> None:
    model = _model(mock_llm, clock=clock)
    with pytest.raises(kind, match="injected"):
        await _collect(model, ModelRequest([Message.user("hi")], model=f"fault-{fault}"))
    assert clock.sleeps == []


@pytest.mark.parametrize("fault", ["cut", "truncate", "malformed"])
async def test_broken_streams_end_with_a_stream_error(mock_llm: str, fault: str) -> None:
    model = _model(mock_llm, retry=NO_RETRY)
    seen: list[ModelChunk] = []
    with pytest.raises(StreamError):
        request = ModelRequest([Message.user("one two three four")], model=f"fault-{fault}")
        async for chunk in model.chat(request, ChatCtx()):
            seen.append(chunk)
    await model.aclose()
    assert _text(seen) == "You "  # the role chunk and one token came before the fault
    if fault == "cut":
        assert (await _stats(mock_llm))["dropped"] == 1


async def test_slow_first_byte_hits_the_connect_timeout(mock_llm: str) -> None:
    model = _model(
        mock_llm,
        retry=NO_RETRY,
        timeouts=Timeouts(connect=0.2),
        extra_headers={"x-mock-fault": "slow; delay=30"},
    )
    with pytest.raises(ModelTimeoutError) as raised:
        await _collect(model, ModelRequest([Message.user("hi")]))
    assert raised.value.phase == "connect"


async def test_cancel_closes_the_http_stream(mock_llm: str) -> None:
    model = _model(mock_llm, extra_headers={"x-mock-tps": "50"})
    ctx = ChatCtx()
    seen: list[ModelChunk] = []
    async for chunk in model.chat(ModelRequest([Message.user("count to 500")]), ctx):
        seen.append(chunk)
        if len(seen) == 3:
            asyncio.get_running_loop().call_soon(ctx.cancel)
    await model.aclose()
    assert 3 <= len(seen) < 50
    for _ in range(200):  # bounded wait for the server to notice the closed connection
        stats = await _stats(mock_llm)
        if stats["disconnected"]:
            break
        await asyncio.sleep(0.02)
    assert stats == {**stats, "disconnected": 1, "completed": 0}


async def test_api_key_is_checked_and_never_echoed() -> None:
    async with running(create_app(MockConfig(api_key="sk-right-0123456789"))) as root:
        base_url = root + "/v1"
        wrong = OpenAIModel("mock", base_url=base_url, api_key="sk-wrong-0123456789")
        with pytest.raises(AuthenticationError) as raised:
            await _collect(wrong, ModelRequest([Message.user("hi")]))
        assert "0123456789" not in str(raised.value) and "6789" not in str(raised.value)
        right = OpenAIModel("mock", base_url=base_url, api_key="sk-right-0123456789")
        assert _text(await _collect(right, ModelRequest([Message.user("hi")]))) == "You said: hi"


async def test_pacing_and_chunk_size_keep_the_text() -> None:
    async with running(create_app(MockConfig(tokens_per_second=2000, chunk_size=3))) as root:
        base_url = root + "/v1"
        chunks = await _collect(_model(base_url), ModelRequest([Message.user("count to 12")]))
    texts = [c.text for c in chunks if isinstance(c, TextChunk)]
    assert "".join(texts) == " ".join(str(n) for n in range(1, 13))
    assert len(texts) == 4  # 12 tokens, 3 per event


async def test_unknown_recording_is_model_not_found(mock_llm: str) -> None:
    with pytest.raises(ModelNotFoundError, match="replay-nope"):
        await _collect(_model(mock_llm), ModelRequest([Message.user("hi")], model="replay-nope"))
