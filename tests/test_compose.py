"""Agents compose: map_request / map_response / map_err / layer / boxed, retry, logging."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from helpers import collect

from remi_web import (
    Agent,
    AgentBuilder,
    ChatCtx,
    ChatRequest,
    Done,
    RequestError,
    RetryLayer,
    ScriptedModel,
    TextDelta,
    boxed,
    map_err,
    map_request,
    map_response,
)
from remi_web.core.compose import Composable
from remi_web.core.layers import LoggingLayer

pytestmark = pytest.mark.pyodide


@dataclass
class Echo(Composable[str, str]):
    """Echoes each word; counts how many streams really started."""

    started: int = 0

    async def chat(self, request: str, ctx: ChatCtx) -> AsyncIterator[str]:
        self.started += 1
        for word in request.split():
            yield word


@dataclass
class Flaky(Composable[str, str]):
    """Fails in its setup phase `failures` times, then echoes."""

    failures: int
    error: Exception = field(default_factory=lambda: ConnectionError("down"))
    attempts: int = 0

    async def chat(self, request: str, ctx: ChatCtx) -> AsyncIterator[str]:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error
        yield request


async def test_streams_are_lazy() -> None:
    echo = Echo()
    stream = echo.map_response(str.upper).chat("a b", ChatCtx())
    assert echo.started == 0
    assert await collect(stream) == ["A", "B"]
    assert echo.started == 1


async def test_combinators_as_functions_and_methods() -> None:
    echo = Echo()
    counted = map_response(map_request(echo, lambda n: "x " * n), lambda w: w + "!")
    assert await collect(counted.chat(3, ChatCtx())) == ["x!", "x!", "x!"]
    chained = echo.map_request(lambda n: "y " * n).map_response(len)
    assert await collect(chained.chat(2, ChatCtx())) == [1, 1]


async def test_map_err_replaces_raised_errors_only() -> None:
    wrapped = map_err(Flaky(failures=1), lambda e: RuntimeError(f"wrapped: {e}"))
    with pytest.raises(RuntimeError, match="wrapped: down"):
        await collect(wrapped.chat("hi", ChatCtx()))
    assert await collect(wrapped.chat("hi", ChatCtx())) == ["hi"]


async def test_boxed_agents_share_one_face() -> None:
    agents: list[Agent[str, str]] = [boxed(Echo()), Echo().map_response(str.upper).boxed()]
    assert [await collect(a.chat("q", ChatCtx())) for a in agents] == [["q"], ["Q"]]


async def test_retry_layer_retries_the_setup_phase_with_backoff() -> None:
    flaky = Flaky(failures=2)
    agent = flaky.layer(RetryLayer(max_retries=2, base_delay=0.001))
    assert await collect(agent.chat("hi", ChatCtx())) == ["hi"]
    assert flaky.attempts == 3
    too_flaky = Flaky(failures=2)
    with pytest.raises(ConnectionError):
        await collect(too_flaky.layer(RetryLayer(max_retries=1, base_delay=0.001)).chat("x", ChatCtx()))
    assert too_flaky.attempts == 2


async def test_retry_layer_does_not_retry_bad_requests() -> None:
    flaky = Flaky(failures=1, error=RequestError("bad"))
    with pytest.raises(RequestError):
        await collect(flaky.layer(RetryLayer(base_delay=0.001)).chat("x", ChatCtx()))
    assert flaky.attempts == 1


def test_retry_delays_grow_and_stay_capped() -> None:
    policy = RetryLayer(base_delay=1.0, max_delay=3.0)
    assert [policy.delay(0) <= 1.0, 1.0 <= policy.delay(1) <= 2.0, policy.delay(5) <= 3.0] == [True] * 3


async def test_logging_layer_logs_requests_and_events(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="remi_web"):
        await collect(Echo().layer(LoggingLayer(logging.INFO)).chat("a b", ChatCtx()))
    assert [r.getMessage() for r in caplog.records] == ["-> 'a b'", "<- 'a'", "<- 'b'"]


async def test_a_built_agent_is_an_agent_and_takes_layers() -> None:
    agent = AgentBuilder().model(ScriptedModel([["hi"], ["again"]])).build()
    texts = agent.map_response(lambda e: e.text if isinstance(e, TextDelta) else None)
    assert [t for t in await collect(texts.chat(ChatRequest.user("x"), ChatCtx())) if t] == ["hi"]
    retried = agent.layer(RetryLayer())
    events = await collect(retried.chat(ChatRequest.user("y"), ChatCtx()))
    assert isinstance(events[-1], Done) and events[-1].text == "again"
