"""`SQLiteStore`: checkpoints and thread histories in an SQLite file (stdlib `sqlite3`).

A run's messages are kept once, in the `run_messages` log; a checkpoint row holds the rest of
the state and how many logged messages are its own (`messages`), so a checkpoint costs the same
at every turn. Old checkpoints are dropped as the store's retention says.

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

from pydantic import ValidationError

from ..core.checkpoint_codec import (
    MESSAGE_ADAPTER,
    decode_messages,
    encode_checkpoint,
    encode_without_messages,
    log_extension,
    stored_checkpoint,
    stored_row,
)
from ..core.errors import CheckpointConflict, CorruptCheckpoint, StoreError
from ..core.ids import RunId, ThreadId
from ..core.messages import Message
from ..core.state import Checkpoint, Lease
from ..core.store import Retention, checked_retention, oldest_kept

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    body TEXT NOT NULL,
    lease_owner TEXT,
    lease_until REAL,
    messages INTEGER
);
CREATE INDEX IF NOT EXISTS checkpoints_by_run ON checkpoints (run_id, sequence);
CREATE INDEX IF NOT EXISTS checkpoints_by_thread ON checkpoints (thread_id, created_at);
CREATE TABLE IF NOT EXISTS threads (
    thread_id TEXT PRIMARY KEY,
    updated_at REAL NOT NULL,
    revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS threads_by_revision ON threads (revision);
CREATE TABLE IF NOT EXISTS run_messages (
    run_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS run_messages_by_id ON run_messages (message_id);
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
INSERT INTO checkpoints (
    id, run_id, thread_id, sequence, status, created_at, body, lease_owner, lease_until, messages
)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    run_id = excluded.run_id, thread_id = excluded.thread_id, sequence = excluded.sequence,
    status = excluded.status, created_at = excluded.created_at, body = excluded.body,
    lease_owner = excluded.lease_owner, lease_until = excluded.lease_until,
    messages = excluded.messages
"""

_LOGGED_IN_THREAD = (
    "SELECT run_id, position FROM run_messages WHERE message_id = ? AND run_id IN"
    " (SELECT run_id FROM checkpoints WHERE thread_id = ?) AND message = ? LIMIT 1"
)

_LOG_TAIL = (
    "SELECT position, message_id FROM run_messages WHERE run_id = ?"
    " ORDER BY position DESC LIMIT 1"
)

_LATEST = (
    "SELECT rowid, sequence FROM checkpoints WHERE run_id = ? ORDER BY sequence DESC, rowid DESC"
    " LIMIT 1"
)
_CHECKPOINT_COLUMNS = "run_id, thread_id, sequence, body, lease_owner, lease_until, messages"

# Columns added after the first release, with what an older file gets (`messages` NULL: the
# messages are in the body, as older versions wrote them; `ref_run` NULL: the message is in the
# row, else it is message `ref_position` of that run's log, kept once).
_ADDED_COLUMNS = {
    "checkpoints": {"lease_owner": "TEXT", "lease_until": "REAL", "messages": "INTEGER"},
    "thread_messages": {"ref_run": "TEXT", "ref_position": "INTEGER"},
}

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
        keep: which checkpoints of a run to keep: the latest (default), all, or the latest N.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        busy_timeout: float = 30.0,
        keep: Retention = "latest",
    ) -> None:
        self.keep: Retention = checked_retention(keep)
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
                for table, columns in _ADDED_COLUMNS.items():
                    have = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
                    for column, kind in columns.items():
                        if column not in have:
                            self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
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
        except CorruptCheckpoint as exc:
            raise exc.within(f"SQLiteStore.{operation} failed on {self.path!r}") from exc
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

    async def put_checkpoint(
        self, checkpoint: Checkpoint, expected_sequence: int | None = None
    ) -> None:
        """Store `checkpoint`; putting the same id again replaces it. With
        `expected_sequence`, only if the run's latest sequence is that: the check and the
        write are one transaction holding the write lock, so two processes never both win."""
        run_id, messages = checkpoint.run_id, checkpoint.state.messages
        with self._transaction("put_checkpoint") as conn:
            if expected_sequence is not None:
                latest = conn.execute(_LATEST, (run_id,)).fetchone()
                current = 0 if latest is None else latest[1]
                if current != expected_sequence:
                    raise CheckpointConflict(
                        f"Run {run_id!r} is at checkpoint {current}, not "
                        f"{expected_sequence}: another writer advanced it."
                    )
            tail = conn.execute(_LOG_TAIL, (run_id,)).fetchone()
            logged = 0 if tail is None else tail[0] + 1
            added = log_extension(messages, logged, None if tail is None else tail[1])
            if added is None:  # not an extension of the log: the row keeps its messages
                body, count = encode_checkpoint(checkpoint).decode(), None
            else:
                conn.executemany(
                    "INSERT INTO run_messages (run_id, position, message_id, message)"
                    " VALUES (?, ?, ?, ?)",
                    [(run_id, logged + i, m.id, MESSAGE_ADAPTER().dump_json(m).decode())
                     for i, m in enumerate(added)],
                )
                body, count = encode_without_messages(checkpoint).decode(), len(messages)
            conn.execute(_PUT_CHECKPOINT, stored_row(checkpoint, body, count))
            oldest = oldest_kept(self.keep, checkpoint.sequence)
            if oldest is not None:
                conn.execute(
                    "DELETE FROM checkpoints WHERE run_id = ? AND sequence < ?", (run_id, oldest)
                )

    async def renew_lease(self, run_id: RunId, sequence: int, lease: Lease) -> None:
        """Give the latest checkpoint `lease` if it is still number `sequence`."""
        with self._transaction("renew_lease") as conn:
            latest = conn.execute(_LATEST, (run_id,)).fetchone()
            if latest is None or latest[1] != sequence:
                current = 0 if latest is None else latest[1]
                raise CheckpointConflict(
                    f"Run {run_id!r} is at checkpoint {current}, not {sequence}: its lease is lost."
                )
            conn.execute(
                "UPDATE checkpoints SET lease_owner = ?, lease_until = ? WHERE rowid = ?",
                (lease.owner, lease.expires_at, latest[0]),
            )

    async def latest_checkpoint(self, run_id: RunId) -> Checkpoint | None:
        """The checkpoint of `run_id` with the highest sequence (the later put on a tie)."""
        with self._errors("latest_checkpoint"):
            row = self._conn.execute(
                f"SELECT {_CHECKPOINT_COLUMNS} FROM checkpoints WHERE run_id = ?"
                " ORDER BY sequence DESC, rowid DESC LIMIT 1",
                (run_id,),
            ).fetchone()
            if row is None:
                return None
            return stored_checkpoint(row, None if row[6] is None else self._log(run_id, row[6]))

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """All checkpoints of the thread's runs, oldest (`created_at`, then put order) first."""
        with self._errors("list_checkpoints"):
            rows = self._conn.execute(
                f"SELECT {_CHECKPOINT_COLUMNS} FROM checkpoints WHERE thread_id = ?"
                " ORDER BY created_at, rowid",
                (thread_id,),
            ).fetchall()
            logs: dict[str, list[str]] = {}
            for row in rows:
                if row[6] is not None and row[0] not in logs:
                    logs[row[0]] = self._log(row[0])
            return [stored_checkpoint(row, logs.get(row[0])) for row in rows]

    def _log(self, run_id: str, count: int | None = None) -> list[str]:
        """The first `count` messages of the run's log (all of them with None), as JSON."""
        limit = 1 << 62 if count is None else count
        rows = self._conn.execute(
            "SELECT message FROM run_messages WHERE run_id = ? AND position < ? ORDER BY position",
            (run_id, limit),
        ).fetchall()
        return [message for (message,) in rows]

    def stored_bytes(self) -> int:
        """The size of the database (file pages in use, WAL folded in first)."""
        with self._errors("stored_bytes"):
            if self.path != ":memory:":
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            (pages,) = self._conn.execute("PRAGMA page_count").fetchone()
            (free,) = self._conn.execute("PRAGMA freelist_count").fetchone()
            (size,) = self._conn.execute("PRAGMA page_size").fetchone()
            return int((pages - free) * size)

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        """The thread's messages in order (empty for an unknown thread)."""
        with self._errors("load_messages"):
            rows = self._conn.execute(
                "SELECT COALESCE(r.message, t.message) FROM thread_messages t"
                " LEFT JOIN run_messages r ON r.run_id = t.ref_run AND r.position = t.ref_position"
                " WHERE t.thread_id = ? ORDER BY t.position",
                (thread_id,),
            ).fetchall()
            return decode_messages([message for (message,) in rows])

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        """Add messages at the end of the thread (creating it); an empty list changes nothing."""
        if not messages:
            return
        encoded = [MESSAGE_ADAPTER().dump_json(message).decode() for message in messages]
        with self._transaction("append_messages") as conn:
            (last,) = conn.execute(
                "SELECT COALESCE(MAX(position), -1) FROM thread_messages WHERE thread_id = ?",
                (thread_id,),
            ).fetchone()
            rows = []
            for i, (message, text) in enumerate(zip(messages, encoded)):
                ref = conn.execute(_LOGGED_IN_THREAD, (message.id, thread_id, text)).fetchone()
                if ref is None:
                    rows.append((thread_id, last + 1 + i, text, None, None))
                else:  # kept once: the thread refers to the run's log
                    rows.append((thread_id, last + 1 + i, "", ref[0], ref[1]))
            conn.executemany(
                "INSERT INTO thread_messages (thread_id, position, message, ref_run, ref_position)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
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
            conn.execute(
                "DELETE FROM run_messages WHERE run_id IN"
                " (SELECT DISTINCT run_id FROM checkpoints WHERE thread_id = ?)",
                (thread_id,),
            )
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

