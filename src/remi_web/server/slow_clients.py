"""Slow and abusive clients: uvicorn's HTTP/1.1 protocol with a header timeout and a connection
cap, and a rate limit on the log lines of refused accepts.

uvicorn times out idle keep-alive connections but not a request whose headers trickle in
(slowloris): `GuardedH11Protocol` closes a connection that has not sent a whole request head
within `header_timeout` seconds of connecting (or of its last response), and at
`max_connections` a new connection evicts the oldest one still waiting for its head (or is
closed itself when every connection is busy), so descriptors stay free for real clients. When
accept() fails anyway (descriptors exhausted), asyncio logs a traceback per attempt:
`AcceptLogLimiter` lets one line through per interval, with a count of the rest.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
MAX_CONNECTIONS = 1000


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with a header timeout and a connection cap (see the module).

    The limits are class attributes; `guarded_protocol` makes a subclass with others.
    """

    header_timeout: float = HEADER_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    waiting: ClassVar[dict[GuardedH11Protocol, None]] = {}  # waiting for a head, oldest first

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Count the connection; past the cap, evict the oldest one still waiting for its
        head (or close this one); start its clock."""
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            oldest = next(iter(self.waiting), None)
            if oldest is None:
                transport.close()
                return
            oldest._too_slow()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock."""
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        """Parse what came; a whole request head stops the clock."""
        super().handle_events()
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()

    def on_response_complete(self) -> None:
        """The next request's head must come within the timeout too."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._too_slow)
        self.waiting[self] = None

    def _disarm(self) -> None:
        self.waiting.pop(self, None)
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._disarm()
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(header_timeout: float, max_connections: int) -> type[GuardedH11Protocol]:
    """`GuardedH11Protocol` with these limits."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": header_timeout, "max_connections": max_connections, "waiting": {}},
    )


def default_max_connections(ceiling: int = MAX_CONNECTIONS) -> int:
    """A connection cap at half this process's file descriptor limit: room for the database,
    the model's connections, and a burst of accepts (asyncio accepts up to 100 at a time,
    before evicted connections are closed)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return ceiling
    if soft == resource.RLIM_INFINITY:
        return ceiling
    return max(16, min(ceiling, soft // 2))


class AcceptLogLimiter(logging.Filter):
    """Lets one "accept() failed" record through per `interval` seconds, without its
    traceback, saying how many were held back; other records pass unchanged."""

    def __init__(self, interval: float = 10.0) -> None:
        super().__init__()
        self.interval = interval
        self._last = 0.0
        self._held = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether `record` is logged."""
        if "accept" not in str(record.msg):
            return True
        now = time.monotonic()
        if now - self._last < self.interval:
            self._held += 1
            return False
        held, self._held, self._last = self._held, 0, now
        record.exc_info, record.exc_text = None, None
        record.msg = f"{record.msg} ({held} more like it in the last {self.interval:g} s)"
        return True


def limit_accept_logs(interval: float = 10.0) -> AcceptLogLimiter:
    """Install an `AcceptLogLimiter` on asyncio's logger (once); it is returned."""
    logger = logging.getLogger("asyncio")
    for existing in logger.filters:
        if isinstance(existing, AcceptLogLimiter):
            return existing
    limiter = AcceptLogLimiter(interval)
    logger.addFilter(limiter)
    return limiter
