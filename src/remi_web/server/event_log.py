"""The per-run event log: every event the server sent, numbered, so a client that
reconnects with `Last-Event-ID` gets exactly the events it missed, even after a restart."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..core.ids import RunId
from .database import create_schema

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_events (
    run_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, sequence)
) WITHOUT ROWID
"""


PAUSES_AND_ENDS = ("done", "error", "cancelled", "interrupt", "need_tool_execution")
"""The event types after which a run's stream is over."""


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One logged event: its number within the run, its `type` and its JSON."""

    sequence: int
    type: str
    body: str


class EventLog:
    """Appends and reads the events of runs (a table of the server's SQLite database).

    Sequence numbers start at 1 for a run's first event and continue across the run's
    streams (start, resume, tool results); `(run_id, sequence)` is unique.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        create_schema(conn, _SCHEMA)

    def append(self, run_id: RunId, event: LoggedEvent) -> None:
        """Add `event` at the end of the run's log (its sequence must be new)."""
        self._conn.execute(
            "INSERT INTO run_events (run_id, sequence, type, body) VALUES (?, ?, ?, ?)",
            (run_id, event.sequence, event.type, event.body),
        )

    def read(self, run_id: RunId, after: int = 0) -> list[LoggedEvent]:
        """The run's events numbered above `after`, in order."""
        rows = self._conn.execute(
            "SELECT sequence, type, body FROM run_events WHERE run_id = ? AND sequence > ?"
            " ORDER BY sequence",
            (run_id, after),
        ).fetchall()
        return [LoggedEvent(sequence, kind, body) for sequence, kind, body in rows]

    def first(self, run_id: RunId) -> LoggedEvent | None:
        """The run's first event, if the run is known."""
        return self._one(run_id, "ASC")

    def last(self, run_id: RunId) -> LoggedEvent | None:
        """The run's latest event, if the run is known."""
        return self._one(run_id, "DESC")

    def unfinished(self, ended: tuple[str, ...] = PAUSES_AND_ENDS) -> list[RunId]:
        """The runs whose latest event is neither a pause nor an end (their stream was cut:
        live here, or their server died)."""
        marks = ", ".join("?" for _ in ended)
        rows = self._conn.execute(
            "SELECT e.run_id FROM run_events e JOIN ("
            "  SELECT run_id, MAX(sequence) AS last FROM run_events GROUP BY run_id"
            ") m ON e.run_id = m.run_id AND e.sequence = m.last"
            f" WHERE e.type NOT IN ({marks}) ORDER BY e.run_id",
            ended,
        ).fetchall()
        return [RunId(run_id) for (run_id,) in rows]

    def _one(self, run_id: RunId, order: str) -> LoggedEvent | None:
        row = self._conn.execute(
            "SELECT sequence, type, body FROM run_events WHERE run_id = ?"
            f" ORDER BY sequence {order} LIMIT 1",
            (run_id,),
        ).fetchone()
        return None if row is None else LoggedEvent(row[0], row[1], row[2])
