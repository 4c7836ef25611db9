"""When to try a model call again: exponential backoff with jitter, server hints, a budget.

Time comes from a `Clock` so tests can record the waits instead of sleeping.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Protocol

from .errors import is_retryable


class Clock(Protocol):
    """Wall time and sleeping, injectable for tests."""

    def time(self) -> float:
        """Seconds since the epoch (to read an HTTP-date `Retry-After`)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...


class SystemClock:
    """The real clock: `time.time()` and `asyncio.sleep`."""

    def time(self) -> float:
        """Seconds since the epoch."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` on the event loop."""
        await asyncio.sleep(seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a model call is retried before its stream starts.

    Args:
        max_retries: attempts after the first.
        initial_delay: seconds before the first retry.
        multiplier: growth of the delay per retry.
        max_delay: cap on one computed delay.
        jitter: each computed delay is shortened by a random fraction up to this.
        respect_retry_after: wait at least what `Retry-After`/`retry-after-ms` says.
        max_retry_after: a server hint longer than this ends the retries at once.
        budget: total seconds of waiting allowed over all retries.
        rng: the random source for jitter (fixed in tests).
    """

    max_retries: int = 4
    initial_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 8.0
    jitter: float = 0.25
    respect_retry_after: bool = True
    max_retry_after: float = 60.0
    budget: float = 120.0
    rng: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def backoff(self, retry: int) -> float:
        """The jittered exponential delay before retry number `retry` (from 0)."""
        base = min(self.initial_delay * max(self.multiplier, 1.0) ** retry, self.max_delay)
        return base * (1.0 - self.jitter * self.rng())

    def delay(self, retry: int, error: Exception, waited: float) -> float | None:
        """Seconds to wait before retry number `retry`, or `None` to give up.

        Args:
            retry: how many retries were made already.
            error: what the last attempt raised.
            waited: seconds already spent waiting in earlier retries.
        """
        if retry >= self.max_retries or not is_retryable(error):
            return None
        wait = self.backoff(retry)
        hint = getattr(error, "retry_after", None)
        if self.respect_retry_after and isinstance(hint, int | float):
            if hint > self.max_retry_after:
                return None
            wait = max(wait, float(hint))
        if waited + wait > self.budget:
            return None
        return wait


NO_RETRY = RetryPolicy(max_retries=0)
"""A policy that never retries."""


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """The server's wait hint: `retry-after-ms`, else `retry-after` (seconds or HTTP-date).

    Args:
        headers: response headers with lower-case names.
        now: the current wall time, to turn an HTTP-date into seconds.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = -1.0
        if value >= 0.0 and value == value:
            return value
    text = headers.get("retry-after")
    if text is None:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(text).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        return max(seconds, 0.0)
    return seconds if seconds >= 0.0 and seconds == seconds and seconds != float("inf") else None
