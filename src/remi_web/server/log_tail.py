"""`LogTail`: a reader of a run that streams on another server of the same database. It
sends what the log holds, then each new event as the run's `NOTIFY` wakes it, until the run
pauses or ends."""

from __future__ import annotations

import asyncio

from ..core.ids import RunId
from ..remote.frames import KEEPALIVE, json_frame
from .cluster import Follower
from .event_log import PAUSES_AND_ENDS, EventLog, LoggedEvent


class LogTail:
    """Streams run `run_id` from the log after event `after`, following it live.

    Args:
        run_id: the run.
        log: the event log.
        follower: wakes this reader when the run logs events.
        backlog: the events already read (after `after`); its last one is not a pause or
            an end (else there is nothing to follow).
        after: the number of the last event the reader has.
    """

    def __init__(
        self,
        run_id: RunId,
        log: EventLog,
        follower: Follower,
        backlog: list[LoggedEvent],
        after: int,
    ) -> None:
        self.run_id = run_id
        self._log = log
        self._follower = follower
        self._pending = backlog
        self._seen = after
        self._over = False
        self._followed = not backlog  # the backlog itself may hold earlier pauses

    async def next_chunk(self, gone: asyncio.Future[None], keepalive: float) -> bytes | None:
        """The next frames, a keep-alive comment after `keepalive` seconds of silence, or
        None once the run paused or ended (or the reader is `gone`)."""
        while not self._over and not gone.done():
            if not self._pending:
                woken = await self._follower.wait(gone, keepalive)
                if gone.done():
                    break
                # a timeout re-reads too: a notification lost with a connection is caught up
                self._pending = await self._log.read(self.run_id, self._seen)
                if not self._pending and not woken:
                    return KEEPALIVE
                if not self._pending:
                    continue
            events, self._pending = self._pending, []
            if self._followed:  # the run's stream ends at its first pause or end from here
                stop = next((i for i, e in enumerate(events) if e.type in PAUSES_AND_ENDS), None)
                if stop is not None:
                    events, self._over = events[: stop + 1], True
            self._followed = True
            self._seen = events[-1].sequence
            return b"".join(json_frame(e.sequence, e.type, e.body) for e in events)
        return None

    def close(self) -> None:
        """The reader is gone; safe to call twice."""
        self._follower.close()
