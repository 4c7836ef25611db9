"""The server's tables in SQLite (event log, approval ledger, run owners, signing key), on
one connection to the file the checkpoint store also opens.

WAL mode with a busy timeout lets several connections and server processes share the file.
Each statement is one short synchronous transaction inside an `async` method: nothing here
starts a thread or awaits mid-write.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..core.errors import StoreError
from ..core.ids import RunId
from ..stores.sqlite import SQLiteStore
from .approvals import ApprovalLedger
from .cluster import Cluster, SingleServer
from .event_log import PAUSES_AND_ENDS, EventLog, LoggedEvent, LogConflict
from .keys import new_key
from .owners import RunOwners
from .principals import Principal

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_events (
    run_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, sequence)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS answered_interrupts (
    run_id TEXT NOT NULL,
    interrupt_id TEXT NOT NULL,
    answered_at REAL NOT NULL,
    PRIMARY KEY (run_id, interrupt_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_owners (
    run_id TEXT PRIMARY KEY,
    principal TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS server_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
)
"""


class SQLiteServerDatabase:
    """Everything the server keeps besides checkpoints, in the SQLite file `path`.

    Args:
        path: the database file (":memory:" for a private one).
        busy_timeout: seconds to wait for another connection's write lock.
    """

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
        where = os.fspath(path)
        try:
            conn = sqlite3.connect(where, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the server database {where!r}: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            with _transaction(conn):
                for statement in _SCHEMA.split(";"):
                    conn.execute(statement)
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot set up the server database {where!r}: {exc}") from exc
        self._conn = conn
        self.events: EventLog = SQLiteEventLog(conn)
        self.ledger: ApprovalLedger = SQLiteApprovalLedger(conn)
        self.owners: RunOwners = SQLiteRunOwners(conn)
        self.cluster: Cluster = SingleServer()

    @classmethod
    def beside(cls, store: SQLiteStore) -> SQLiteServerDatabase:
        """The server tables in the file of `store`."""
        return cls(store.path)

    async def stored_key(self, name: str = "approval_key") -> bytes:
        """The key called `name`, made on first use (of servers racing to make it, all end
        up with the one stored first)."""
        self._conn.execute(
            "INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?, ?)", (name, new_key())
        )
        (value,) = self._conn.execute(
            "SELECT value FROM server_secrets WHERE name = ?", (name,)
        ).fetchone()
        return bytes(value)

    async def close(self) -> None:
        """Close the connection."""
        self._conn.close()


class SQLiteEventLog:
    """The `EventLog` in the `run_events` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def append(self, run_id: RunId, event: LoggedEvent) -> None:
        """Add `event` at the end of the run's log (`LogConflict` if its number is taken)."""
        try:
            self._conn.execute(
                "INSERT INTO run_events (run_id, sequence, type, body) VALUES (?, ?, ?, ?)",
                (run_id, event.sequence, event.type, event.body),
            )
        except sqlite3.IntegrityError as exc:
            raise LogConflict(f"event {event.sequence} of run {run_id!r} exists") from exc

    async def read(self, run_id: RunId, after: int = 0) -> list[LoggedEvent]:
        """The run's events numbered above `after`, in order."""
        rows = self._conn.execute(
            "SELECT sequence, type, body FROM run_events WHERE run_id = ? AND sequence > ?"
            " ORDER BY sequence",
            (run_id, after),
        ).fetchall()
        return [LoggedEvent(sequence, kind, body) for sequence, kind, body in rows]

    async def first(self, run_id: RunId) -> LoggedEvent | None:
        """The run's first event, if the run is known."""
        return self._one(run_id, "ASC")

    async def last(self, run_id: RunId) -> LoggedEvent | None:
        """The run's latest event, if the run is known."""
        return self._one(run_id, "DESC")

    async def unfinished(self, quiet_for: float = 0.0) -> list[RunId]:
        """The runs whose latest event is neither a pause nor an end (`quiet_for` does not
        apply: no other server streams runs of an SQLite file at the same time)."""
        marks = ", ".join("?" for _ in PAUSES_AND_ENDS)
        rows = self._conn.execute(
            "SELECT e.run_id FROM run_events e JOIN ("
            "  SELECT run_id, MAX(sequence) AS last FROM run_events GROUP BY run_id"
            ") m ON e.run_id = m.run_id AND e.sequence = m.last"
            f" WHERE e.type NOT IN ({marks}) ORDER BY e.run_id",
            PAUSES_AND_ENDS,
        ).fetchall()
        return [RunId(run_id) for (run_id,) in rows]

    def _one(self, run_id: RunId, order: str) -> LoggedEvent | None:
        row = self._conn.execute(
            "SELECT sequence, type, body FROM run_events WHERE run_id = ?"
            f" ORDER BY sequence {order} LIMIT 1",
            (run_id,),
        ).fetchone()
        return None if row is None else LoggedEvent(row[0], row[1], row[2])


class SQLiteApprovalLedger:
    """The `ApprovalLedger` in the `answered_interrupts` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def answered(self, run_id: RunId, interrupt_id: str) -> bool:
        """Whether this interrupt was already answered."""
        return self._answered(run_id, interrupt_id)

    def _answered(self, run_id: RunId, interrupt_id: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM answered_interrupts WHERE run_id = ? AND interrupt_id = ?",
            (run_id, interrupt_id),
        ).fetchone()
        return row is not None

    async def consume(self, run_id: RunId, interrupt_ids: list[str]) -> list[str]:
        """Mark the interrupts answered, all or none; the ids that already were."""
        with _transaction(self._conn) as conn:
            used = [iid for iid in interrupt_ids if self._answered(run_id, iid)]
            if not used:
                now = time.time()
                conn.executemany(
                    "INSERT INTO answered_interrupts (run_id, interrupt_id, answered_at)"
                    " VALUES (?, ?, ?)",
                    [(run_id, iid, now) for iid in interrupt_ids],
                )
        return used

    async def release(self, run_id: RunId, interrupt_ids: list[str]) -> None:
        """Forget answers whose resume was refused."""
        self._conn.executemany(
            "DELETE FROM answered_interrupts WHERE run_id = ? AND interrupt_id = ?",
            [(run_id, iid) for iid in interrupt_ids],
        )


class SQLiteRunOwners:
    """The `RunOwners` in the `run_owners` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def record(self, run_id: RunId, principal: Principal) -> None:
        """`principal` started `run_id` (the first owner recorded stays)."""
        self._conn.execute(
            "INSERT OR IGNORE INTO run_owners (run_id, principal) VALUES (?, ?)",
            (run_id, principal.name),
        )

    async def owner(self, run_id: RunId) -> str | None:
        """The name of the run's owner, if recorded."""
        row = self._conn.execute(
            "SELECT principal FROM run_owners WHERE run_id = ?", (run_id,)
        ).fetchone()
        return None if row is None else str(row[0])


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction holding the write lock from its start."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
