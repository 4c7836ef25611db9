"""Retries: attempt counts and waits, asserted through an injected clock (no wall time)."""

from __future__ import annotations

import pytest
from model_helpers import FakeClock
from pydantic import JsonValue

from remi_web.core.ctx import ChatCtx
from remi_web.core.messages import Message
from remi_web.core.model_io import ModelRequest, RetryChunk, TextChunk
from remi_web.model import (
    NO_RETRY,
    BadRequestError,
    ModelHTTPError,
    OpenAIModel,
    QuotaExceededError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StreamError,
    retry_after_seconds,
)
from remi_web.http import ModelTimeoutError, NetworkError
from remi_web.testing import ScriptedResponse, ScriptedTransport

pytestmark = pytest.mark.pyodide

OK: list[JsonValue] = [
    {"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}
]
EXACT = RetryPolicy(rng=lambda: 0.0)  # no jitter: waits are exactly the backoff


def _rate_limited(headers: dict[str, str] | None = None) -> ScriptedResponse:
    return ScriptedResponse.json(429, {"error": {"message": "slow down"}}, headers)


def _server_error() -> ScriptedResponse:
    return ScriptedResponse.json(500, {"error": {"message": "boom"}})


async def _run(transport: ScriptedTransport, clock: FakeClock, policy: RetryPolicy) -> list[object]:
    model = OpenAIModel(
        "m",
        base_url="http://x.test/v1",
        api_key="k",
        transport=transport,
        clock=clock,
        retry=policy,
    )
    return [c async for c in model.chat(ModelRequest([Message.user("hi")]), ChatCtx())]


def test_backoff_grows_then_caps_and_jitter_only_shortens() -> None:
    assert [EXACT.backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    jittered = RetryPolicy(jitter=0.25, rng=lambda: 1.0)
    assert jittered.backoff(0) == 0.375
    assert RetryPolicy(multiplier=0.5, rng=lambda: 0.0).backoff(3) == 0.5  # never shrinks


def test_delay_rules() -> None:
    limited = RateLimitError("x", status=429, retry_after=3.0)
    assert EXACT.delay(0, limited, 0.0) == 3.0  # the server's hint wins when longer
    assert RetryPolicy(respect_retry_after=False, rng=lambda: 0.0).delay(0, limited, 0.0) == 0.5
    assert EXACT.delay(4, limited, 0.0) is None  # out of retries
    assert EXACT.delay(0, RateLimitError("x", status=429, retry_after=600.0), 0.0) is None
    assert RetryPolicy(budget=5.0, rng=lambda: 0.0).delay(0, limited, 3.0) is None
    assert EXACT.delay(0, BadRequestError("x", status=400), 0.0) is None
    assert EXACT.delay(0, QuotaExceededError("x", status=429), 0.0) is None
    assert EXACT.delay(0, NetworkError("x"), 0.0) == 0.5
    assert EXACT.delay(0, ModelTimeoutError("x", phase="connect"), 0.0) == 0.5
    assert EXACT.delay(0, ModelTimeoutError("x", phase="read"), 0.0) is None
    assert EXACT.delay(0, StreamError("x"), 0.0) is None


def test_retry_after_headers() -> None:
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}, 0.0) == 1.5
    assert retry_after_seconds({"retry-after": "2"}, 0.0) == 2.0
    assert retry_after_seconds({"retry-after": "0.25"}, 0.0) == 0.25
    now = 1_445_412_480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:30 GMT"}, now) == 30.0
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:27:00 GMT"}, now) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}, 0.0) is None
    assert retry_after_seconds({"retry-after": "-1"}, 0.0) is None
    assert retry_after_seconds({"retry-after-ms": "x", "retry-after": "3"}, 0.0) == 3.0
    assert retry_after_seconds({}, 0.0) is None


async def test_rate_limited_twice_then_served(clock: FakeClock) -> None:
    transport = ScriptedTransport(
        [
            _rate_limited({"retry-after-ms": "1200"}),
            _rate_limited({"retry-after": "0"}),
            ScriptedResponse.sse(OK),
        ]
    )
    chunks = await _run(transport, clock, EXACT)
    assert chunks[-1] == TextChunk("ok") and len(transport.requests) == 3
    assert clock.sleeps == [1.2, 1.0]  # max(hint, backoff) each time
    # Before each wait the model says so, for a "retrying (1/4) in 1.2 s" on screen.
    assert [(c.attempt, c.max_retries, c.delay) for c in chunks[:-1] if isinstance(c, RetryChunk)] == [
        (1, 4, 1.2), (2, 4, 1.0)
    ]
    assert all("slow down" in c.reason for c in chunks[:-1] if isinstance(c, RetryChunk))


async def test_http_date_retry_after_uses_the_injected_clock(clock: FakeClock) -> None:
    clock.now = 1_445_412_480.0
    transport = ScriptedTransport(
        [_rate_limited({"retry-after": "Wed, 21 Oct 2015 07:28:07 GMT"}), ScriptedResponse.sse(OK)]
    )
    await _run(transport, clock, EXACT)
    assert clock.sleeps == [7.0]


async def test_server_errors_exhaust_the_retries(clock: FakeClock) -> None:
    transport = ScriptedTransport([_server_error() for _ in range(5)])
    with pytest.raises(ServerError):
        await _run(transport, clock, EXACT)
    assert len(transport.requests) == 5  # 1 + max_retries (4)
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]
    assert transport.closed == 5


async def test_rate_limit_beyond_the_budget_gives_up_at_once(clock: FakeClock) -> None:
    transport = ScriptedTransport([_rate_limited({"retry-after": "3600"})])
    with pytest.raises(RateLimitError) as raised:
        await _run(transport, clock, EXACT)
    assert raised.value.retry_after == 3600.0
    assert clock.sleeps == [] and len(transport.requests) == 1


async def test_budget_bounds_the_total_wait(clock: FakeClock) -> None:
    transport = ScriptedTransport([_server_error() for _ in range(3)])
    with pytest.raises(ServerError):
        await _run(transport, clock, RetryPolicy(budget=2.0, rng=lambda: 0.0))
    assert clock.sleeps == [0.5, 1.0]  # a third wait of 2.0 would pass the 2 s budget
    assert len(transport.requests) == 3


async def test_network_errors_and_connect_timeouts_are_retried(clock: FakeClock) -> None:
    transport = ScriptedTransport(
        [
            NetworkError("refused"),
            ModelTimeoutError("slow", phase="connect"),
            ScriptedResponse.sse(OK),
        ]
    )
    chunks = await _run(transport, clock, EXACT)
    assert [type(c).__name__ for c in chunks] == ["RetryChunk", "RetryChunk", "TextChunk"]
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    "answer",
    [
        ScriptedResponse.json(400, {"error": {"message": "bad"}}),
        ScriptedResponse.json(401, {"error": {"message": "who"}}),
        ScriptedResponse.json(429, {"error": {"message": "q", "code": "insufficient_quota"}}),
    ],
)
async def test_client_errors_are_not_retried(clock: FakeClock, answer: ScriptedResponse) -> None:
    transport = ScriptedTransport([answer, ScriptedResponse.sse(OK)])
    with pytest.raises(ModelHTTPError):
        await _run(transport, clock, EXACT)
    assert len(transport.requests) == 1 and clock.sleeps == []


async def test_a_stream_that_started_is_never_retried(clock: FakeClock) -> None:
    body = [
        b'data: {"choices": [{"index": 0, "delta": {"content": "a"}}]}\n\n',
        NetworkError("reset"),
    ]
    transport = ScriptedTransport([ScriptedResponse(200, {}, body), ScriptedResponse.sse(OK)])
    with pytest.raises(StreamError):
        await _run(transport, clock, EXACT)
    assert len(transport.requests) == 1 and clock.sleeps == []


async def test_no_retry_policy(clock: FakeClock) -> None:
    transport = ScriptedTransport([_server_error(), ScriptedResponse.sse(OK)])
    with pytest.raises(ServerError):
        await _run(transport, clock, NO_RETRY)
    assert len(transport.requests) == 1


async def test_the_loop_streams_a_model_retry_event_before_the_first_token(clock: FakeClock) -> None:
    from remi_web.builder import AgentBuilder
    from remi_web.core.events import ModelRetry, TextDelta
    from remi_web.core.wire import event_from_json, event_to_json

    transport = ScriptedTransport([_server_error(), ScriptedResponse.sse(OK)])
    model = OpenAIModel(
        "m", base_url="http://x.test/v1", api_key="sk-secret-key-123456", transport=transport,
        clock=clock, retry=EXACT,
    )
    events = [e async for e in AgentBuilder().model(model).build().chat("hi")]
    retries = [e for e in events if isinstance(e, ModelRetry)]
    assert [(e.attempt, e.max_retries, e.delay) for e in retries] == [(1, 4, 0.5)]
    assert "boom" in retries[0].reason and "sk-secret" not in retries[0].reason
    assert events.index(retries[0]) < next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    assert event_from_json(event_to_json(retries[0])) == retries[0]
    assert events[-1].type == "done"
