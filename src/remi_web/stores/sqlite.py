"""`SQLiteStore`: checkpoints and thread histories in an SQLite file (stdlib `sqlite3`).

The database runs in WAL mode with a busy timeout, so several connections and several
processes can read and write one file at once. Each operation is one short synchronous
transaction inside its `async` method: it never starts a thread and never awaits mid-write.
Writes use `synchronous=NORMAL`: a commit survives a crash of the process, while a power loss
may drop the last few commits (never corrupting the file).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from pydantic import TypeAdapter, ValidationError

from ..core.errors import StoreError
from ..core.ids import RunId, ThreadId
from ..core.messages import Message
from ..core.state import CHECKPOINT_ADAPTER, Checkpoint

_MESSAGE_ADAPTER: TypeAdapter[Message] = TypeAdapter(Message)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS checkpoints_by_run ON checkpoints (run_id, sequence);
CREATE INDEX IF NOT EXISTS checkpoints_by_thread ON checkpoints (thread_id, created_at);
CREATE TABLE IF NOT EXISTS threads (
    thread_id TEXT PRIMARY KEY,
    updated_at REAL NOT NULL,
    revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS threads_by_revision ON threads (revision);
CREATE TABLE IF NOT EXISTS thread_messages (
    thread_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (thread_id, position)
) WITHOUT ROWID;
"""
# `threads.revision` is a store-wide counter taken inside the write transaction, so
# `list_threads` orders by commit order even when two updates share a timestamp.

_PUT_CHECKPOINT = """
INSERT INTO checkpoints (id, run_id, thread_id, sequence, status, created_at, body)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    run_id = excluded.run_id, thread_id = excluded.thread_id, sequence = excluded.sequence,
    status = excluded.status, created_at = excluded.created_at, body = excluded.body
"""

_TOUCH_THREAD = """
INSERT INTO threads (thread_id, updated_at, revision)
VALUES (?, ?, (SELECT COALESCE(MAX(revision), 0) + 1 FROM threads))
ON CONFLICT (thread_id) DO UPDATE SET
    updated_at = excluded.updated_at, revision = excluded.revision
"""


class SQLiteStore:
    """A `Store` (checkpoints and threads) in an SQLite database file, or in memory.

    Args:
        path: the database file (created with its schema if missing), or ":memory:" for a
            private database that lives as long as this store.
        busy_timeout: seconds to wait for another connection's write lock before failing.
    """

    def __init__(
        self, path: str | os.PathLike[str] = ":memory:", *, busy_timeout: float = 30.0
    ) -> None:
        self.path = os.fspath(path)
        try:
            self._conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"SQLiteStore could not open {self.path!r}: {exc}") from exc
        self._closed = False
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._enable_wal(busy_timeout)
            self._conn.execute("PRAGMA synchronous = NORMAL")
            with self._transaction("create schema"):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
        except StoreError:
            self._conn.close()
            raise
        except sqlite3.Error as exc:
            self._conn.close()
            raise StoreError(f"SQLiteStore could not set up {self.path!r}: {exc}") from exc

    def _enable_wal(self, busy_timeout: float) -> None:
        """Switch to WAL, retrying while another process holds the lock.

        Changing the journal mode does not wait on the busy timeout, so processes that open a
        new file together would otherwise fail with "database is locked".
        """
        deadline = time.monotonic() + busy_timeout
        delay = 0.001
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                busy = exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
                if not busy or time.monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    @contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        """Turn sqlite and decoding failures into `StoreError` naming `operation`."""
        try:
            yield
        except (sqlite3.Error, ValidationError) as exc:
            raise StoreError(f"SQLiteStore.{operation} failed on {self.path!r}: {exc}") from exc

    @contextmanager
    def _transaction(self, operation: str) -> Iterator[sqlite3.Connection]:
        """One write transaction that takes the write lock up front (waiting if busy)."""
        with self._errors(operation):
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    async def put_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Store `checkpoint`; putting the same id again replaces it."""
        body = CHECKPOINT_ADAPTER.dump_json(checkpoint).decode()
        with self._errors("put_checkpoint"):
            self._conn.execute(
                _PUT_CHECKPOINT,
                (
                    checkpoint.id,
                    checkpoint.run_id,
                    checkpoint.thread_id,
                    checkpoint.sequence,
                    checkpoint.status,
                    checkpoint.created_at,
                    body,
                ),
            )

    async def latest_checkpoint(self, run_id: RunId) -> Checkpoint | None:
        """The checkpoint of `run_id` with the highest sequence (the later put on a tie)."""
        with self._errors("latest_checkpoint"):
            row = self._conn.execute(
                "SELECT body FROM checkpoints WHERE run_id = ?"
                " ORDER BY sequence DESC, rowid DESC LIMIT 1",
                (run_id,),
            ).fetchone()
            return None if row is None else CHECKPOINT_ADAPTER.validate_json(row[0])

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """All checkpoints of the thread's runs, oldest (`created_at`, then put order) first."""
        with self._errors("list_checkpoints"):
            rows = self._conn.execute(
                "SELECT body FROM checkpoints WHERE thread_id = ? ORDER BY created_at, rowid",
                (thread_id,),
            ).fetchall()
            return [CHECKPOINT_ADAPTER.validate_json(body) for (body,) in rows]

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        """The thread's messages in order (empty for an unknown thread)."""
        with self._errors("load_messages"):
            rows = self._conn.execute(
                "SELECT message FROM thread_messages WHERE thread_id = ? ORDER BY position",
                (thread_id,),
            ).fetchall()
            return [_MESSAGE_ADAPTER.validate_json(message) for (message,) in rows]

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        """Add messages at the end of the thread (creating it); an empty list changes nothing."""
        if not messages:
            return
        encoded = [_MESSAGE_ADAPTER.dump_json(message).decode() for message in messages]
        with self._transaction("append_messages") as conn:
            (last,) = conn.execute(
                "SELECT COALESCE(MAX(position), -1) FROM thread_messages WHERE thread_id = ?",
                (thread_id,),
            ).fetchone()
            conn.executemany(
                "INSERT INTO thread_messages (thread_id, position, message) VALUES (?, ?, ?)",
                [(thread_id, last + 1 + i, message) for i, message in enumerate(encoded)],
            )
            conn.execute(_TOUCH_THREAD, (thread_id, time.time()))

    async def list_threads(self) -> list[ThreadId]:
        """Ids of the threads that have messages, most recently updated first."""
        with self._errors("list_threads"):
            rows = self._conn.execute(
                "SELECT thread_id FROM threads ORDER BY revision DESC"
            ).fetchall()
            return [ThreadId(thread_id) for (thread_id,) in rows]

    async def delete_thread(self, thread_id: ThreadId) -> None:
        """Forget the thread: its checkpoints and its messages."""
        with self._transaction("delete_thread") as conn:
            conn.execute("DELETE FROM checkpoints WHERE thread_id = ?", (thread_id,))
            conn.execute("DELETE FROM thread_messages WHERE thread_id = ?", (thread_id,))
            conn.execute("DELETE FROM threads WHERE thread_id = ?", (thread_id,))

    def close(self) -> None:
        """Close the connection; later operations raise `StoreError`. Safe to call twice."""
        if not self._closed:
            self._closed = True
            self._conn.close()

    async def __aenter__(self) -> Self:
        """The store itself; leaving the `async with` block closes it."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()
