"""The narrow HTTP interface the model client is written against.

One method sends a request and returns a streaming response; httpx (native), the browser's
fetch (Pyodide) and scripted bytes (tests) implement it. Transports raise `NetworkError` and
`ModelTimeoutError` from `remi_web.model.errors`, nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol


_SECRET_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "proxy-authorization"})


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds allowed for each phase of a call; `None` waits forever.

    Args:
        connect: until the response headers arrive (a slow first byte counts here; local
            servers may load the model first, hence the generous default).
        read: the longest silent gap between two pieces of the body.
        total: the whole call, from sending to the last byte (enforced by the model).
    """

    connect: float | None = 60.0
    read: float | None = 600.0
    total: float | None = None


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """What to send. Its `repr` hides credential headers."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)

    def __repr__(self) -> str:
        shown = {
            name: ("***" if name.lower() in _SECRET_HEADERS else value)
            for name, value in self.headers.items()
        }
        size = 0 if self.body is None else len(self.body)
        return f"HttpRequest({self.method} {self.url}, headers={shown}, body={size} bytes)"


async def _nothing() -> None:
    return None


class HttpResponse:
    """A response whose body streams in as bytes; `aclose()` releases it at once.

    Args:
        status: the HTTP status code.
        headers: the response headers (names are lower-cased here).
        chunks: the body, piece by piece.
        close: releases the connection (idempotent is not required: called once).
    """

    __slots__ = ("status", "headers", "_chunks", "_close", "_closed")

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        chunks: AsyncIterator[bytes],
        close: Callable[[], Awaitable[None]] = _nothing,
    ) -> None:
        self.status = status
        self.headers = {name.lower(): value for name, value in headers.items()}
        self._chunks = chunks
        self._close = close
        self._closed = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks

    async def read(self, limit: int = 1 << 20) -> bytes:
        """The body (at most `limit` bytes; the rest is dropped), then close."""
        parts: list[bytes] = []
        size = 0
        try:
            async for chunk in self._chunks:
                parts.append(chunk)
                size += len(chunk)
                if size >= limit:
                    break
        finally:
            await self.aclose()
        return b"".join(parts)[:limit]

    @property
    def closed(self) -> bool:
        """Whether `aclose()` was called."""
        return self._closed

    async def aclose(self) -> None:
        """Abort or finish the body and free the connection; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        await self._close()


class HttpTransport(Protocol):
    """Sends one request and returns its streaming response."""

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send `request`; the response body is not read yet."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...
