"""Stock layers: retry of the setup phase with backoff, and logging."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .agent import Agent
from .compose import Composable
from .ctx import ChatCtx
from .errors import ConfigurationError, RequestError

R = TypeVar("R")
E = TypeVar("E")

_log = logging.getLogger("remi_web")


def is_transient(error: Exception) -> bool:
    """Default retry rule: retry anything but a bad request or a misconfiguration."""
    return not isinstance(error, RequestError | ConfigurationError)


@dataclass(frozen=True, slots=True)
class RetryLayer:
    """Retries an agent whose stream fails before its first event (the setup phase).

    Once an event has been yielded the stream is never retried, so nothing is repeated.

    Args:
        max_retries: extra attempts after the first.
        base_delay: seconds before the first retry; doubled each time, with jitter.
        max_delay: cap on one delay.
        retry_if: which errors are worth another attempt.
    """

    max_retries: int = 2
    base_delay: float = 0.1
    max_delay: float = 5.0
    retry_if: Callable[[Exception], bool] = is_transient

    def layer(self, inner: Agent[R, E]) -> RetryAgent[R, E]:
        """`inner` with retries."""
        return RetryAgent(inner, self)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (from 0): full jitter backoff."""
        return random.uniform(0.5, 1.0) * min(self.max_delay, self.base_delay * 2.0**attempt)


@dataclass(slots=True)
class RetryAgent(Composable[R, E], Generic[R, E]):
    """An agent retried by a `RetryLayer`."""

    inner: Agent[R, E]
    policy: RetryLayer

    async def chat(self, request: R, ctx: ChatCtx) -> AsyncIterator[E]:
        attempt = 0
        while True:
            stream = self.inner.chat(request, ctx)
            try:
                first = await anext(stream)
            except StopAsyncIteration:
                return
            except Exception as error:
                if attempt >= self.policy.max_retries or not self.policy.retry_if(error):
                    raise
                _log.warning("retry %d/%d after %r", attempt + 1, self.policy.max_retries, error)
                await asyncio.sleep(self.policy.delay(attempt))
                attempt += 1
                continue
            break
        yield first
        async for event in stream:
            yield event


@dataclass(frozen=True, slots=True)
class LoggingLayer:
    """Logs each request and event at `level` on the `remi_web` logger."""

    level: int = logging.DEBUG
    logger: logging.Logger = field(default=_log)

    def layer(self, inner: Agent[R, E]) -> LoggingAgent[R, E]:
        """`inner` with logging."""
        return LoggingAgent(inner, self.logger, self.level)


@dataclass(slots=True)
class LoggingAgent(Composable[R, E], Generic[R, E]):
    """An agent logged by a `LoggingLayer`."""

    inner: Agent[R, E]
    logger: logging.Logger
    level: int

    async def chat(self, request: R, ctx: ChatCtx) -> AsyncIterator[E]:
        self.logger.log(self.level, "-> %r", request)
        async for event in self.inner.chat(request, ctx):
            self.logger.log(self.level, "<- %r", event)
            yield event
