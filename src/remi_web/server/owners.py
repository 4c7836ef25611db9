"""Who owns which run (a table of the server's database), and who may do what with it.

A run belongs to the principal that started it. Others get 404, as if it did not exist,
except principals with the `approve` scope, who may read a run and answer its interrupts,
and admins. Thread ids are scoped per principal: the same `thread_id` from two principals
names two threads.
"""

from __future__ import annotations

import sqlite3

from ..core.ids import RunId, ThreadId
from .database import create_schema
from .principals import ANONYMOUS, Principal
from .run_status import not_found

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_owners (
    run_id TEXT PRIMARY KEY,
    principal TEXT NOT NULL
) WITHOUT ROWID
"""


class RunOwners:
    """The owner of each run started through this server."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        create_schema(conn, _SCHEMA)

    def record(self, run_id: RunId, principal: Principal) -> None:
        """`principal` started `run_id` (the first owner recorded stays)."""
        self._conn.execute(
            "INSERT OR IGNORE INTO run_owners (run_id, principal) VALUES (?, ?)",
            (run_id, principal.name),
        )

    def owner(self, run_id: RunId) -> str | None:
        """The name of the run's owner (None for a run started before owners were kept)."""
        row = self._conn.execute(
            "SELECT principal FROM run_owners WHERE run_id = ?", (run_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def check(self, run_id: RunId, principal: Principal, *, reading_or_answering: bool = False) -> str | None:
        """Refuse (404) a principal that may not touch the run; the run's owner."""
        owner = self.owner(run_id)
        if owner is None or owner == principal.name or principal.can("admin"):
            return owner
        if reading_or_answering and principal.can("approve"):
            return owner
        raise not_found(run_id)


def scoped_thread(principal: Principal, thread_id: ThreadId) -> ThreadId:
    """The server's id of a principal's thread (unchanged without authentication)."""
    return thread_id if principal is ANONYMOUS else ThreadId(f"{principal.name}:{thread_id}")


def unscoped_thread(thread_id: ThreadId) -> ThreadId:
    """The id a client knows a scoped thread by."""
    return ThreadId(thread_id.split(":", 1)[1]) if ":" in thread_id else thread_id
