"""The per-run event log: every event the server sent, numbered, so a client that
reconnects with `Last-Event-ID` gets exactly the events it missed, even after a restart or
on another server of the same database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..core.errors import StoreError
from ..core.ids import RunId

PAUSES_AND_ENDS = ("done", "error", "cancelled", "interrupt", "need_tool_execution")
"""The event types after which a run's stream is over."""


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One logged event: its number within the run, its `type` and its JSON."""

    sequence: int
    type: str
    body: str


class LogConflict(StoreError):
    """An event's number was already taken: another stream (here or on another server)
    wrote the run meanwhile."""


class EventLog(Protocol):
    """Appends and reads the events of runs (a table of the server's database).

    Sequence numbers start at 1 for a run's first event and continue across the run's
    streams (start, resume, tool results); `(run_id, sequence)` is unique.
    """

    async def append(self, run_id: RunId, event: LoggedEvent) -> None:
        """Add `event` at the end of the run's log; `LogConflict` if its number is taken."""
        ...

    async def read(self, run_id: RunId, after: int = 0) -> list[LoggedEvent]:
        """The run's events numbered above `after`, in order."""
        ...

    async def first(self, run_id: RunId) -> LoggedEvent | None:
        """The run's first event, if the run is known."""
        ...

    async def last(self, run_id: RunId) -> LoggedEvent | None:
        """The run's latest event, if the run is known."""
        ...

    async def unfinished(self, quiet_for: float = 0.0) -> list[RunId]:
        """The runs whose latest event is neither a pause nor an end (their stream was cut:
        live here or on another server, or their server died), and was logged at least
        `quiet_for` seconds ago where other servers may be logging it."""
        ...
