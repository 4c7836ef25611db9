"""FallbackModel with scripted models: it moves on when a call fails before its stream started
with a rate limit, a server error or a timeout (or what `on` says), never mid-stream, and
the usage event names the model that answered."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from helpers import collect, of_type

from remi_web import (
    AgentBuilder,
    ChatCtx,
    Done,
    ErrorEvent,
    FallbackModel,
    Message,
    ModelRetry,
    ScriptedModel,
    Usage,
    UsageEvent,
)
from remi_web.core.compose import Composable
from remi_web.core.errors import ConfigurationError
from remi_web.core.model_io import ModelChunk, ModelRequest, RetryChunk, TextChunk, UsageChunk
from remi_web.model.openai_wire import ChunkParser
from remi_web.model.errors import (
    AuthenticationError,
    ModelTimeoutError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    StreamError,
)

pytestmark = pytest.mark.pyodide


class Failing(Composable[ModelRequest, ModelChunk]):
    """Streams `before`, then raises `error`; counts its calls."""

    def __init__(self, error: Exception, before: tuple[ModelChunk, ...] = (), model: str = "down") -> None:
        self.error, self.before, self.model, self.calls = error, before, model, 0

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        self.calls += 1
        for chunk in self.before:
            yield chunk
        raise self.error


def rate_limited() -> RateLimitError:
    return RateLimitError("rate limited (HTTP 429)", status=429)


def answer(name: str, text: str = "from the fallback") -> ScriptedModel:
    return ScriptedModel([[text]], model=name)


async def chunks(model: FallbackModel, ctx: ChatCtx | None = None) -> list[ModelChunk]:
    return await collect(model.chat(ModelRequest([Message.user("hi")]), ctx or ChatCtx()))


@pytest.mark.parametrize("error", [
    rate_limited(),
    QuotaExceededError("out of credit", status=429),
    ServerError("provider failed (HTTP 503)", status=503),
    ModelTimeoutError("no response headers in time", phase="connect"),
    ModelTimeoutError("the whole call took too long", phase="total"),
], ids=["429", "quota", "503", "connect-timeout", "total-timeout"])
async def test_moves_on_when_the_primary_fails_before_its_stream(error: Exception) -> None:
    primary, backup = Failing(error), answer("backup-1")
    out = await chunks(FallbackModel(primary, backup))
    assert primary.calls == 1 and len(backup.requests) == 1
    assert out[0] == TextChunk("from the fallback")
    usage = [c for c in out if isinstance(c, UsageChunk)]
    assert len(usage) == 1 and usage[0].model == "backup-1"


async def test_other_errors_are_raised_without_trying_the_fallback() -> None:
    backup = answer("backup-1")
    with pytest.raises(AuthenticationError):
        await chunks(FallbackModel(Failing(AuthenticationError("bad key", status=401)), backup))
    assert backup.requests == []


async def test_an_error_after_the_first_chunk_is_raised_never_switched() -> None:
    primary = Failing(ServerError("503 mid-stream", status=503), before=(TextChunk("Hel"),))
    backup = answer("backup-1")
    model = FallbackModel(primary, backup, on=lambda error: True)
    seen: list[ModelChunk] = []
    with pytest.raises(ServerError):
        async for chunk in model.chat(ModelRequest([Message.user("hi")]), ChatCtx()):
            seen.append(chunk)
    assert seen == [TextChunk("Hel")] and backup.requests == []


async def test_retry_notices_before_the_stream_pass_through_and_do_not_count_as_started() -> None:
    notice = RetryChunk(1, 1, 0.5, "rate limited")
    primary = Failing(rate_limited(), before=(notice,))
    out = await chunks(FallbackModel(primary, answer("backup-1")))
    assert out[0] == notice and out[1] == TextChunk("from the fallback")


async def test_the_last_models_error_is_raised_when_all_fail() -> None:
    first, second = Failing(rate_limited()), Failing(ServerError("down too", status=500))
    with pytest.raises(ServerError, match="down too"):
        await chunks(FallbackModel(first, second))
    assert first.calls == second.calls == 1


async def test_on_may_be_error_types_or_a_predicate() -> None:
    stream_error = StreamError("the stream broke")
    backup = answer("backup-1")
    out = await chunks(FallbackModel(Failing(stream_error), backup, on=(StreamError,)))
    assert TextChunk("from the fallback") in out
    with pytest.raises(RateLimitError):  # a 429 no longer qualifies
        await chunks(FallbackModel(Failing(rate_limited()), answer("b"), on=(StreamError,)))
    only_quota = FallbackModel(
        Failing(rate_limited()), answer("b"), on=lambda e: isinstance(e, QuotaExceededError)
    )
    with pytest.raises(RateLimitError):
        await chunks(only_quota)


async def test_the_second_fallback_answers_when_the_first_fails_too() -> None:
    first, second, third = Failing(rate_limited()), Failing(rate_limited()), answer("third")
    out = await chunks(FallbackModel(first, second, third))
    assert [c.model for c in out if isinstance(c, UsageChunk)] == ["third"]


async def test_a_model_without_a_name_is_named_by_the_request_or_its_model_attribute() -> None:
    unnamed = ScriptedModel([["hi"]])
    out = await collect(FallbackModel(Failing(rate_limited()), unnamed).chat(
        ModelRequest([Message.user("hi")], model="gpt-requested"), ChatCtx()))
    assert [c.model for c in out if isinstance(c, UsageChunk)] == ["gpt-requested"]


def test_needs_a_fallback() -> None:
    with pytest.raises(ConfigurationError):
        FallbackModel(ScriptedModel([]))


async def test_an_agent_on_a_fallback_model_reports_the_answering_model() -> None:
    primary = Failing(rate_limited(), before=(RetryChunk(1, 1, 0.0, "rate limited"),))
    agent = AgentBuilder().model(FallbackModel(primary, answer("backup-1", "fine"))).build()
    events = await collect(agent.chat("hello"))
    assert isinstance(events[-1], Done) and events[-1].text == "fine"
    assert [e.model for e in of_type(events, UsageEvent)] == ["backup-1"]
    assert len(of_type(events, ModelRetry)) == 1 and not of_type(events, ErrorEvent)


def test_openai_usage_names_the_model_the_provider_reports() -> None:
    parser = ChunkParser("gpt-configured")
    parser.feed('{"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"hi"},'
                '"finish_reason":"stop"}],"usage":{"prompt_tokens":2,"completion_tokens":1}}')
    assert parser.finish() == [UsageChunk(Usage(2, 1), "gpt-4o-2024-08-06")]
    silent = ChunkParser("gpt-configured")
    silent.feed('{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],'
                '"usage":{"prompt_tokens":2,"completion_tokens":1}}')
    assert silent.finish() == [UsageChunk(Usage(2, 1), "gpt-configured")]
