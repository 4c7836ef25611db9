"""The ASGI response that streams a run to one reader: frames as they come, keep-alive
comments when idle, and the reader's disconnect noticed at once."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from ..remote.protocol import EVENT_STREAM


class ChunkSource(Protocol):
    """What a stream sends: a run's `Subscription` or `LogTail` (or a translation of one)."""

    async def next_chunk(self, gone: asyncio.Future[None], keepalive: float) -> bytes | None:
        """The next bytes; None once the stream is over or the reader is `gone`."""
        ...

    def close(self) -> None:
        """The reader is gone."""
        ...


class EventStreamResponse(Response):
    """Streams a `Subscription` as `text/event-stream`.

    Args:
        subscription: what to send.
        keepalive: seconds of silence before a keep-alive comment.
        headers: extra response headers (the run id...).
    """

    def __init__(
        self, subscription: ChunkSource, keepalive: float, headers: Mapping[str, str]
    ) -> None:
        super().__init__(media_type=EVENT_STREAM)
        self.subscription = subscription
        self.keepalive = keepalive
        self.extra_headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the stream until it ends or the reader leaves."""
        gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def watch() -> None:
            while True:
                message: Message = await receive()
                if message["type"] == "http.disconnect":
                    if not gone.done():
                        gone.set_result(None)
                    return

        watcher = asyncio.create_task(watch())
        headers = [
            (b"content-type", f"{EVENT_STREAM}; charset=utf-8".encode()),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),
            *((name.encode(), value.encode()) for name, value in self.extra_headers.items()),
        ]
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            while True:
                data = await self.subscription.next_chunk(gone, self.keepalive)
                if data is None:
                    break
                await send({"type": "http.response.body", "body": data, "more_body": True})
            if not gone.done():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the connection broke under our feet: the reader is gone
            pass
        finally:
            watcher.cancel()
            self.subscription.close()
