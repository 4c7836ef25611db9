"""Reading one remote run's event stream: until its terminal event, across reconnects,
with cancellation forwarded to the server. Browser-safe (no threads, no sockets)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Protocol

from ..core.cancel import CancellationToken
from ..core.ctx import ChatCtx
from ..core.errors import RemiError
from ..core.events import TERMINAL_TYPES, AgentEvent, Cancelled, ErrorEvent, RunResumed, RunStart
from ..core.ids import RunId
from ..core.abort import IoGuard
from ..http.errors import ModelTimeoutError, NetworkError
from ..http.sse import SseDecoder, SseEvent
from .errors import RemoteUnavailable
from .frames import read_frame
from .protocol import run_path

from ..http.transport import HttpResponse

_log = logging.getLogger("remi_web.remote")


class RunServer(Protocol):
    """What a stream needs of its agent (an `HttpAgent`): reconnect settings and two calls."""

    reconnects: int
    reconnect_delay: float
    cancel_wait: float

    async def events(self, run_id: str, after: int = 0) -> HttpResponse:
        """The raw event stream of a run from event `after` on."""
        ...

    async def send(self, method: str, path: str, body: bytes | None = None) -> HttpResponse:
        """One call to the server (2xx), or the typed error."""
        ...


class _Aborted(Exception):
    """The server did not confirm a cancel in time: stop reading."""


class RemoteStream:
    """The events of one request's stream, as a local agent would yield them.

    Args:
        agent: the `HttpAgent` (for reconnects and the cancel call).
        ctx: the caller's context; its run and thread ids are set from the stream.
        run_id: the run, if already known (from the response header or the request).
    """

    def __init__(self, agent: RunServer, ctx: ChatCtx, run_id: str | None) -> None:
        self.agent = agent
        self.ctx = ctx
        self.run_id = run_id
        self.last_id = 0
        self.finished = False
        self._abort = CancellationToken()
        self._guard = IoGuard(self._abort)
        self._cancel_asked = False
        self._cancel_sent = False
        self._tasks: set[asyncio.Future[None]] = set()
        self._timer: asyncio.TimerHandle | None = None

    async def events(self, response: HttpResponse) -> AsyncIterator[AgentEvent]:
        """The run's events up to and including its terminal one.

        A stream that breaks (or ends early) is reopened from the last event id seen; when
        that keeps failing, the stream ends with an `error` event (`remote_unavailable`).
        """
        undo = self.ctx.token.on_cancel(self._on_cancel)
        current: HttpResponse | None = response
        attempts = 0
        reason = "the stream ended before the run did"
        try:
            while True:
                if current is not None:
                    try:
                        async with aclosing(self._read(current)) as events:
                            async for event in events:
                                attempts = 0
                                yield event
                                if event.type in TERMINAL_TYPES:
                                    self.finished = True
                                    return
                        reason = "the stream ended before the run did"
                    except (NetworkError, ModelTimeoutError) as error:
                        reason = str(error)
                    except _Aborted:
                        yield self._cancelled()
                        return
                    finally:
                        await current.aclose()
                if self._guard.cancelled:
                    yield self._cancelled()
                    return
                if self.run_id is None or attempts >= self.agent.reconnects:
                    yield self._lost(reason)
                    return
                await asyncio.sleep(self.agent.reconnect_delay * 2**attempts)
                attempts += 1
                if self._guard.cancelled:
                    yield self._cancelled()
                    return
                try:
                    current = await self.agent.events(self.run_id, self.last_id)
                except RemoteUnavailable as error:
                    current, reason = None, str(error)
                except RemiError as error:  # the server refused: the run is gone
                    yield ErrorEvent(error.code, f"cannot reconnect to run {self.run_id}: {error}")
                    return
        finally:
            undo()
            self._guard.close()
            self.finished = True
            if self._timer is not None:
                self._timer.cancel()

    async def _read(self, response: HttpResponse) -> AsyncGenerator[AgentEvent, None]:
        decoder = SseDecoder()
        body = aiter(response)
        while True:
            self._guard.enter()
            try:
                chunk = await anext(body)
            except StopAsyncIteration:
                break
            except asyncio.CancelledError:
                if self._guard.absorb():
                    raise _Aborted from None
                raise
            finally:
                self._guard.in_io = False
            for frame in decoder.feed(chunk):
                event = self._accept(frame)
                if event is not None:
                    yield event
            if self._guard.cancelled:
                raise _Aborted
        for frame in decoder.finish():
            event = self._accept(frame)
            if event is not None:
                yield event

    def _accept(self, frame: SseEvent) -> AgentEvent | None:
        """The frame's event, or None for a frame already delivered or not understood."""
        try:
            numbered = read_frame(frame)
        except ValueError as error:
            _log.warning("skipping an SSE frame that is not an event (%s): %.200r", error, frame.data)
            return None
        if numbered.sequence is not None:
            if numbered.sequence <= self.last_id:
                return None  # replayed after a reconnect, already delivered
            self.last_id = numbered.sequence
        event = numbered.event
        if isinstance(event, RunStart | RunResumed):
            self.run_id = event.run_id
            self.ctx.run_id, self.ctx.thread_id = event.run_id, event.thread_id
            if self._cancel_asked:
                self._send_cancel()
        return event

    def _on_cancel(self) -> None:
        """The caller cancelled: ask the server to cancel, and stop waiting after a while."""
        if self.finished or self._cancel_asked:
            return
        self._cancel_asked = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # cancelled from outside the event loop: just stop reading
            self._abort.cancel()
            return
        self._send_cancel()
        self._timer = loop.call_later(self.agent.cancel_wait, self._abort.cancel)

    def _send_cancel(self) -> None:
        if self._cancel_sent or self.run_id is None:
            return
        self._cancel_sent = True
        task = asyncio.ensure_future(self._post_cancel(self.run_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post_cancel(self, run_id: str) -> None:
        try:
            response = await self.agent.send("POST", run_path(run_id, "cancel"), b"{}")
            await response.aclose()
        except RemiError as error:  # the run may have ended meanwhile; the abort timer covers
            _log.info("cancel of remote run %s not confirmed: %s", run_id, error)

    def _cancelled(self) -> Cancelled:
        return Cancelled(RunId(self.run_id or ""))

    def _lost(self, reason: str) -> ErrorEvent:
        run = self.run_id or "(unknown run)"
        return ErrorEvent(
            RemoteUnavailable.code,
            f"lost the event stream of run {run} after {self.agent.reconnects} reconnect "
            f"attempt(s): {reason}",
        )
