"""The server's own SQLite connection (event log, approval ledger, signing key).

It opens the same file as the checkpoint store, in WAL mode with a busy timeout, so several
connections and server processes share it. Each statement is one short synchronous
transaction: nothing here starts a thread or awaits mid-write.
"""

from __future__ import annotations

import os
import sqlite3

from ..core.errors import StoreError


def open_database(path: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> sqlite3.Connection:
    """A connection to `path` (":memory:" for a private one) in autocommit mode.

    Args:
        path: the database file.
        busy_timeout: seconds to wait for another connection's write lock.
    """
    where = os.fspath(path)
    try:
        conn = sqlite3.connect(where, timeout=busy_timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the server database {where!r}: {exc}") from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"cannot set up the server database {where!r}: {exc}") from exc
    return conn


def create_schema(conn: sqlite3.Connection, schema: str) -> None:
    """Run the `CREATE ... IF NOT EXISTS` statements of `schema` in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in schema.split(";"):
            if statement.strip():
                conn.execute(statement)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
