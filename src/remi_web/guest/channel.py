"""`HostChannel`: how guest code asks the host for something and waits for the answer.

`await channel.ask(request)` registers the request and suspends the task; the run hands the
request to the host (`RequestOut`), and `provide(id, reply)` resumes the task with the reply.
Proxies built once (at build time) find the channel of the run they serve through
`current_channel()`, a context variable every task of the run inherits.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextvars import ContextVar

from ..core.errors import RemiError
from .protocol import Failure, HostRequest, Reply
from .step_loop import StepLoop


class GuestProtocolError(RemiError):
    """The host broke the protocol (e.g. answered a request with the wrong kind of reply)."""

    code = "guest_protocol"


class HostError(RemiError):
    """The host could not do what the guest asked; `code` is the host's error code."""

    code = "host_error"


def host_error(failure: Failure) -> RemiError:
    """The exception to raise in the guest for a host's `Failure` (keeping its code)."""
    kind: type[HostError] = type("HostError", (HostError,), {"code": failure.code})
    return kind(failure.message)


class HostChannel:
    """The requests of one run: waiting to be handed out, and waiting for their replies."""

    def __init__(self, loop: StepLoop) -> None:
        """A channel whose replies resume tasks of `loop`."""
        self._loop = loop
        self._next_id = 1
        self._queued: deque[tuple[int, HostRequest]] = deque()
        self._waiting: dict[int, asyncio.Future[Reply]] = {}

    async def ask(self, request: HostRequest) -> Reply:
        """Ask the host and wait for its reply."""
        return (await self.open(request))[1]

    async def open(self, request: HostRequest) -> tuple[int, Reply]:
        """Ask the host; returns the request's id (model calls refer to it) and the reply."""
        request_id = self._queue(request)
        future: asyncio.Future[Reply] = self._loop.create_future()
        self._waiting[request_id] = future
        try:
            return request_id, await future
        finally:
            self._waiting.pop(request_id, None)
            self._drop(request_id)

    def notify(self, request: HostRequest) -> None:
        """Tell the host something without waiting (its reply is ignored)."""
        self._queue(request)

    def take(self) -> tuple[int, HostRequest] | None:
        """The oldest request not yet handed to the host."""
        return self._queued.popleft() if self._queued else None

    @property
    def queued(self) -> bool:
        """Whether requests wait to be handed out."""
        return bool(self._queued)

    def resolve(self, request_id: int, reply: Reply) -> None:
        """Deliver the host's reply; replies to requests nobody waits for any more (their task
        was cancelled, or they were notifications) are dropped."""
        if not 0 < request_id < self._next_id:
            raise GuestProtocolError(f"The host answered request {request_id}, which was never made.")
        future = self._waiting.get(request_id)
        if future is not None and not future.done():
            future.set_result(reply)

    def _queue(self, request: HostRequest) -> int:
        request_id = self._next_id
        self._next_id += 1
        self._queued.append((request_id, request))
        return request_id

    def _drop(self, request_id: int) -> None:
        for index, (queued_id, _) in enumerate(self._queued):
            if queued_id == request_id:
                del self._queued[index]
                return


_CURRENT: ContextVar[HostChannel] = ContextVar("remi_guest_channel")


def current_channel() -> HostChannel:
    """The channel of the run this code serves."""
    try:
        return _CURRENT.get()
    except LookupError:
        raise RemiError(
            "This proxy only works inside a guest run (a component built by `remi build`)."
        ) from None


def set_channel(channel: HostChannel) -> None:
    """Make `channel` the current one (in the run's own context)."""
    _CURRENT.set(channel)
