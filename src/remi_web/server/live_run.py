"""A run being streamed by this server process, and the readers subscribed to it.

Frames are kept in memory for the run's current stream and fanned out to every reader;
a reader that falls behind gets what it missed in one batch. When the last reader leaves
before the run ends, the run is cancelled after a grace period (a reader reconnecting with
`Last-Event-ID` within it keeps the run going).
"""

from __future__ import annotations

import asyncio

from ..core.ctx import ChatCtx
from ..core.ids import RunId
from ..remote.frames import KEEPALIVE

PICKUP_SECONDS = 30.0
"""How long a new stream waits for its first reader (the request that started it)."""


class LiveRun:
    """The in-memory side of one live stream of run `run_id`.

    Args:
        run_id: the run.
        ctx: the run's context (cancelling it stops the run).
        after: the sequence number of the run's last event before this stream.
        grace: seconds a run may go on without any reader before it is cancelled (None:
            never cancelled for lack of readers, as a recovered run).
    """

    def __init__(self, run_id: RunId, ctx: ChatCtx, after: int, grace: float | None) -> None:
        self.run_id = run_id
        self.ctx = ctx
        self.after = after
        self.grace = grace
        self.frames: list[bytes] = []
        self.finished = False
        loop = asyncio.get_running_loop()
        self.ended: asyncio.Future[None] = loop.create_future()
        self._wakeup: asyncio.Future[None] | None = None
        self._readers = 0
        self._timer: asyncio.TimerHandle | None = None
        if grace is not None:
            self._arm(max(grace, PICKUP_SECONDS))  # a stream nobody picks up is cancelled too

    @property
    def last_sequence(self) -> int:
        """The sequence number of the newest frame."""
        return self.after + len(self.frames)

    def publish(self, frame: bytes) -> None:
        """Add the next frame (numbered `last_sequence + 1`) and wake the readers."""
        self.frames.append(frame)
        self._wake()

    def finish(self) -> None:
        """The stream is over: readers drain what is left and stop."""
        self.finished = True
        if self._timer is not None:
            self._timer.cancel()
        if not self.ended.done():
            self.ended.set_result(None)
        self._wake()

    async def wait(self, gone: asyncio.Future[None], timeout: float) -> bool:
        """Wait for a new frame, the end, or `gone`; False if `timeout` passed first."""
        if self._wakeup is None:
            self._wakeup = asyncio.get_running_loop().create_future()
        done, _ = await asyncio.wait(
            {self._wakeup, gone}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        return bool(done)

    def attach(self) -> None:
        """A reader subscribed."""
        self._readers += 1
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def detach(self) -> None:
        """A reader left (done or disconnected)."""
        self._readers -= 1
        if self._readers == 0 and not self.finished and self.grace is not None:
            self._arm(self.grace)

    def _arm(self, delay: float) -> None:
        if delay <= 0:
            self.ctx.cancel()
        else:
            self._timer = asyncio.get_running_loop().call_later(delay, self._expire)

    def _expire(self) -> None:
        self._timer = None
        if self._readers == 0 and not self.finished:
            self.ctx.cancel()

    def _wake(self) -> None:
        wakeup, self._wakeup = self._wakeup, None
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)


class Subscription:
    """One reader of a run: logged frames it missed first, then the live ones.

    Args:
        backlog: frames read from the event log (already numbered).
        live: the run's live stream, if there is one.
        after: the sequence number of the last frame the reader already has.
    """

    def __init__(self, backlog: list[bytes], live: LiveRun | None, after: int) -> None:
        self._backlog = backlog
        self._live = live
        self._index = max(0, after - live.after) if live is not None else 0
        self._closed = False
        if live is not None:
            live.attach()

    async def next_chunk(self, gone: asyncio.Future[None], keepalive: float) -> bytes | None:
        """The next bytes to send: frames, or a keep-alive comment after `keepalive`
        seconds of silence; None once the stream is over or the reader is `gone`."""
        if self._backlog:
            data, self._backlog = b"".join(self._backlog), []
            return data
        live = self._live
        while live is not None and not gone.done():
            if self._index < len(live.frames):
                data = b"".join(live.frames[self._index :])
                self._index = len(live.frames)
                return data
            if live.finished:
                return None
            if not await live.wait(gone, keepalive):
                return KEEPALIVE
        return None

    def close(self) -> None:
        """The reader is gone; safe to call twice."""
        if not self._closed:
            self._closed = True
            if self._live is not None:
                self._live.detach()
