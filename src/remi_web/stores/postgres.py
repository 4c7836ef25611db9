"""`PostgresStore`: checkpoints, thread histories and workspace snapshots in Postgres
(psycopg 3, async, through a connection pool). Native only.

The tables are `SQLiteStore`'s: a run's messages are kept once, in the `run_messages` log; a
checkpoint row holds the rest of the state and how many logged messages are its own
(`messages`), so a checkpoint costs the same at every turn. Old checkpoints are dropped as the
store's retention says. Bodies are the codec's JSON as TEXT, read back exactly as SQLite does.

Each operation is one short transaction on one pooled connection, at READ COMMITTED. A writer
of a run (or of a thread) first takes a transaction-scoped advisory lock on its id, so a
compare-and-set, a lease renewal and the log append that goes with them see every earlier
commit and never interleave, across connections, processes and hosts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from psycopg_pool import AsyncConnectionPool
from ..core.schema_types import JsonValue

from ..core.checkpoint_codec import (
    MESSAGE_ADAPTER,
    decode_messages,
    encode_checkpoint,
    encode_without_messages,
    log_extension,
    stored_checkpoint,
    stored_row,
)
from ..core.errors import CheckpointConflict, StoreError
from ..core.ids import RunId, ThreadId
from ..core.messages import Message
from ..core.state import Checkpoint, Lease
from ..core.store import Retention, checked_retention, oldest_kept
from .postgres_client import Connection, PostgresClient

MIGRATIONS = (
    """
CREATE TABLE checkpoints (
    id TEXT PRIMARY KEY, put_order BIGINT GENERATED ALWAYS AS IDENTITY,
    run_id TEXT NOT NULL, thread_id TEXT NOT NULL, sequence BIGINT NOT NULL,
    status TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL, body TEXT NOT NULL,
    lease_owner TEXT, lease_until DOUBLE PRECISION, messages BIGINT
);
CREATE INDEX checkpoints_by_run ON checkpoints (run_id, sequence, put_order);
CREATE INDEX checkpoints_by_thread ON checkpoints (thread_id, created_at);
CREATE TABLE run_messages (
    run_id TEXT NOT NULL, position BIGINT NOT NULL, message_id TEXT NOT NULL,
    message TEXT NOT NULL, PRIMARY KEY (run_id, position)
);
CREATE INDEX run_messages_by_id ON run_messages (message_id);
CREATE SEQUENCE thread_revisions;
CREATE TABLE threads (
    thread_id TEXT PRIMARY KEY, updated_at DOUBLE PRECISION NOT NULL, revision BIGINT NOT NULL
);
CREATE INDEX threads_by_revision ON threads (revision);
CREATE TABLE thread_messages (
    thread_id TEXT NOT NULL, position BIGINT NOT NULL, message TEXT NOT NULL,
    ref_run TEXT, ref_position BIGINT, PRIMARY KEY (thread_id, position)
);
CREATE TABLE snapshots (key TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE snapshot_entries (
    key TEXT NOT NULL, path TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (key, path)
);
""",
)
"""The store's tables, one SQL script per schema version (`ensure_schema`; append, never edit
a released step). `put_order` is SQLite's rowid: the order of first puts, breaking ties. A
thread's `revision` is taken from a sequence after the thread's lock, so its later updates rank
above earlier ones even at one timestamp. A `ref_run` row stands for message `ref_position` of
that run's log rather than holding a copy. JSON stays TEXT: exactly what the codec wrote."""

# Why an advisory lock rather than a locked row (`run_heads ... FOR UPDATE`): the first
# checkpoint of a run has no row to lock yet, and a heads table would be a second copy of the
# latest sequence to keep in step with unconditional puts, retention and deletes. The lock is
# taken by its own statement, so the next statement's snapshot (READ COMMITTED) sees what the
# previous holder committed; it ends with the transaction, so a pooled connection never keeps it.
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"

_LOCK_RUNS_OF_THREAD = (  # in a fixed order, so two deleters cannot deadlock
    "SELECT run_id, pg_advisory_xact_lock(hashtextextended('run:' || run_id, 0)) FROM"
    " (SELECT DISTINCT run_id FROM checkpoints WHERE thread_id = %s ORDER BY run_id) AS runs"
)

_HEAD = """
SELECT (SELECT MAX(sequence) FROM checkpoints WHERE run_id = %(run)s),
       (SELECT MAX(position) FROM run_messages WHERE run_id = %(run)s),
       (SELECT message_id FROM run_messages WHERE run_id = %(run)s
        ORDER BY position DESC LIMIT 1)
"""

_APPEND_LOG = """
INSERT INTO run_messages (run_id, position, message_id, message)
SELECT %s, %s + m.i - 1, m.id, m.body
FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS m(id, body, i)
"""

_PUT_CHECKPOINT = """
INSERT INTO checkpoints (
    id, run_id, thread_id, sequence, status, created_at, body, lease_owner, lease_until, messages
)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (id) DO UPDATE SET
    run_id = excluded.run_id, thread_id = excluded.thread_id, sequence = excluded.sequence,
    status = excluded.status, created_at = excluded.created_at, body = excluded.body,
    lease_owner = excluded.lease_owner, lease_until = excluded.lease_until,
    messages = excluded.messages
"""

_CHECKPOINT_COLUMNS = "run_id, thread_id, sequence, body, lease_owner, lease_until, messages"

_LATEST = f"""
SELECT {_CHECKPOINT_COLUMNS}, ARRAY(
    SELECT message FROM run_messages r
    WHERE r.run_id = c.run_id AND r.position < c.messages ORDER BY r.position)
FROM checkpoints c WHERE run_id = %s ORDER BY sequence DESC, put_order DESC LIMIT 1
"""

_APPEND_THREAD = """
INSERT INTO thread_messages (thread_id, position, message, ref_run, ref_position)
SELECT %(thread)s, last.position + m.i, CASE WHEN ref.run_id IS NULL THEN m.body ELSE '' END,
       ref.run_id, ref.position
FROM unnest(%(ids)s::text[], %(bodies)s::text[]) WITH ORDINALITY AS m(id, body, i)
CROSS JOIN (SELECT COALESCE(MAX(position), -1) AS position FROM thread_messages
            WHERE thread_id = %(thread)s) AS last
LEFT JOIN LATERAL (
    SELECT run_id, position FROM run_messages WHERE message_id = m.id AND message = m.body
    AND run_id IN (SELECT run_id FROM checkpoints WHERE thread_id = %(thread)s) LIMIT 1
) AS ref ON TRUE
"""
# A message its thread's runs already logged is kept once: the thread refers to the log.

_TOUCH_THREAD = """
INSERT INTO threads (thread_id, updated_at, revision)
VALUES (%s, %s, nextval('thread_revisions'))
ON CONFLICT (thread_id) DO UPDATE SET
    updated_at = excluded.updated_at, revision = excluded.revision
"""

_DELETE_THREAD = """
-- Only the runs locked first: one whose first checkpoint came since stays whole, log and all.
WITH logs AS (DELETE FROM run_messages WHERE run_id = ANY(%(runs)s::text[])),
     runs AS (DELETE FROM checkpoints WHERE run_id = ANY(%(runs)s::text[])),
     messages AS (DELETE FROM thread_messages WHERE thread_id = %(thread)s)
DELETE FROM threads WHERE thread_id = %(thread)s
"""

_SAVE_SNAPSHOT = """
WITH entries AS (DELETE FROM snapshot_entries WHERE key = %(key)s)
INSERT INTO snapshots (key, body) VALUES (%(key)s, %(body)s)
ON CONFLICT (key) DO UPDATE SET body = excluded.body
"""

_SAVE_ENTRIES = """
WITH gone AS (DELETE FROM snapshot_entries WHERE key = %(key)s AND path = ANY(%(gone)s::text[]))
INSERT INTO snapshot_entries (key, path, body)
SELECT %(key)s, e.path, e.body FROM unnest(%(paths)s::text[], %(bodies)s::text[]) AS e(path, body)
ON CONFLICT (key, path) DO UPDATE SET body = excluded.body
"""


class PostgresStore(PostgresClient):
    """A `Store` (checkpoints and threads) and a `SnapshotStore` in a Postgres database.

    Nothing connects until the first operation (or `open`), which also creates or migrates
    the tables; `pool` is the connection pool, which other tables of the database may share.

    Args:
        dsn: the database's connection string (`postgresql://user:password@host:port/db`).
        keep: which checkpoints of a run to keep: the latest (default), all, or the latest N.
        min_size, max_size: how many connections the store's own pool keeps and may open.
        pool: a pool to use instead of the store's own (`aclose` leaves it open).
    """

    component = "store"
    migrations = MIGRATIONS

    def __init__(
        self,
        dsn: str,
        *,
        keep: Retention = "latest",
        min_size: int = 1,
        max_size: int = 10,
        pool: AsyncConnectionPool[Connection] | None = None,
    ) -> None:
        self.keep: Retention = checked_retention(keep)
        super().__init__(dsn, min_size=min_size, max_size=max_size, pool=pool)

    async def put_checkpoint(
        self, checkpoint: Checkpoint, expected_sequence: int | None = None
    ) -> None:
        """Store `checkpoint`; putting the same id again replaces it. With
        `expected_sequence`, only if the run's latest sequence is that: the check and the
        write are one transaction holding the run's lock, so two processes never both win."""
        run_id, messages = checkpoint.run_id, checkpoint.state.messages
        async with self._transaction("put_checkpoint") as conn:
            await conn.execute(_LOCK, (f"run:{run_id}",))
            current, tail, last_id = await _one(conn, _HEAD, {"run": run_id}) or (None,) * 3
            if expected_sequence is not None and (current or 0) != expected_sequence:
                raise CheckpointConflict(
                    f"Run {run_id!r} is at checkpoint {current or 0}, not "
                    f"{expected_sequence}: another writer advanced it."
                )
            logged = 0 if tail is None else tail + 1
            added = log_extension(messages, logged, last_id)
            if added is None:  # not an extension of the log: the row keeps its messages
                body, count = encode_checkpoint(checkpoint).decode(), None
            else:
                if added:
                    await conn.execute(_APPEND_LOG, (
                        run_id, logged, [m.id for m in added],
                        [MESSAGE_ADAPTER().dump_json(m).decode() for m in added],
                    ))
                body, count = encode_without_messages(checkpoint).decode(), len(messages)
            await conn.execute(_PUT_CHECKPOINT, stored_row(checkpoint, body, count))
            oldest = oldest_kept(self.keep, checkpoint.sequence)
            if oldest is not None:
                await conn.execute(
                    "DELETE FROM checkpoints WHERE run_id = %s AND sequence < %s", (run_id, oldest)
                )

    async def renew_lease(self, run_id: RunId, sequence: int, lease: Lease) -> None:
        """Give the latest checkpoint `lease` if it is still number `sequence`."""
        async with self._transaction("renew_lease") as conn:
            await conn.execute(_LOCK, (f"run:{run_id}",))
            latest = await _one(
                conn,
                "SELECT id, sequence FROM checkpoints WHERE run_id = %s"
                " ORDER BY sequence DESC, put_order DESC LIMIT 1",
                (run_id,),
            )
            if latest is None or latest[1] != sequence:
                current = 0 if latest is None else latest[1]
                raise CheckpointConflict(
                    f"Run {run_id!r} is at checkpoint {current}, not {sequence}: its lease is lost."
                )
            await conn.execute(
                "UPDATE checkpoints SET lease_owner = %s, lease_until = %s WHERE id = %s",
                (lease.owner, lease.expires_at, latest[0]),
            )

    async def latest_checkpoint(self, run_id: RunId) -> Checkpoint | None:
        """The checkpoint of `run_id` with the highest sequence (the later put on a tie)."""
        async with self._transaction("latest_checkpoint") as conn:
            row = await _one(conn, _LATEST, (run_id,))
            return None if row is None else stored_checkpoint(row[:7], row[7])

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """All checkpoints of the thread's runs, oldest (`created_at`, then put order) first."""
        async with self._transaction("list_checkpoints", one_snapshot=True) as conn:
            cursor = await conn.execute(
                f"SELECT {_CHECKPOINT_COLUMNS} FROM checkpoints WHERE thread_id = %s"
                " ORDER BY created_at, put_order",
                (thread_id,),
            )
            rows = await cursor.fetchall()
            logs: dict[str, list[str]] = {row[0]: [] for row in rows if row[6] is not None}
            if logs:
                cursor = await conn.execute(
                    "SELECT run_id, message FROM run_messages WHERE run_id = ANY(%s::text[])"
                    " ORDER BY run_id, position",
                    (list(logs),),
                )
                for run_id, message in await cursor.fetchall():
                    logs[run_id].append(message)
            return [stored_checkpoint(row, logs.get(row[0])) for row in rows]

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        """The thread's messages in order (empty for an unknown thread)."""
        async with self._transaction("load_messages") as conn:
            cursor = await conn.execute(
                "SELECT COALESCE(r.message, t.message) FROM thread_messages t"
                " LEFT JOIN run_messages r ON r.run_id = t.ref_run AND r.position = t.ref_position"
                " WHERE t.thread_id = %s ORDER BY t.position",
                (thread_id,),
            )
            return decode_messages([message for (message,) in await cursor.fetchall()])

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        """Add messages at the end of the thread (creating it); an empty list changes nothing."""
        if not messages:
            return
        ids = [message.id for message in messages]
        encoded = [MESSAGE_ADAPTER().dump_json(message).decode() for message in messages]
        async with self._transaction("append_messages") as conn:
            await conn.execute(_LOCK, (f"thread:{thread_id}",))
            await conn.execute(
                _APPEND_THREAD, {"thread": thread_id, "ids": ids, "bodies": encoded}
            )
            await conn.execute(_TOUCH_THREAD, (thread_id, time.time()))

    async def list_threads(self) -> list[ThreadId]:
        """Ids of the threads that have messages, most recently updated first."""
        async with self._transaction("list_threads") as conn:
            cursor = await conn.execute("SELECT thread_id FROM threads ORDER BY revision DESC")
            return [ThreadId(thread_id) for (thread_id,) in await cursor.fetchall()]

    async def delete_thread(self, thread_id: ThreadId) -> None:
        """Forget the thread: its checkpoints, its runs' logs and its messages."""
        async with self._transaction("delete_thread") as conn:
            await conn.execute(_LOCK, (f"thread:{thread_id}",))
            cursor = await conn.execute(_LOCK_RUNS_OF_THREAD, (thread_id,))
            runs = [run_id for run_id, _ in await cursor.fetchall()]
            await conn.execute(_DELETE_THREAD, {"runs": runs, "thread": thread_id})

    async def load_snapshot(self, key: str) -> JsonValue | None:
        """The whole snapshot saved under `key`, or None."""
        async with self._transaction("load_snapshot") as conn:
            row = await _one(conn, "SELECT body FROM snapshots WHERE key = %s", (key,))
            return None if row is None else _parsed(row[0])

    async def save_snapshot(self, key: str, snapshot: JsonValue) -> None:
        """Save a copy of `snapshot` under `key`, replacing what was there (entries too)."""
        body = self._json("save_snapshot", f"the snapshot for {key!r}", snapshot)
        async with self._transaction("save_snapshot") as conn:
            await conn.execute(_SAVE_SNAPSHOT, {"key": key, "body": body})

    async def load_entries(self, key: str) -> dict[str, JsonValue]:
        """The entries saved under `key` by path (empty if there are none)."""
        async with self._transaction("load_entries") as conn:
            cursor = await conn.execute(
                "SELECT path, body FROM snapshot_entries WHERE key = %s", (key,)
            )
            return {path: _parsed(body) for path, body in await cursor.fetchall()}

    async def save_entries(
        self, key: str, changed: Mapping[str, JsonValue | None], *, replace: bool = False
    ) -> None:
        """Save copies of the entries of `changed` under `key` (None deletes one), in one
        transaction; with `replace`, everything under `key` is dropped first."""
        bodies = {  # encoded first: a bad entry saves nothing
            path: None if entry is None
            else self._json("save_entries", f"the entry {path!r} under {key!r}", entry)
            for path, entry in changed.items()
        }
        if not bodies and not replace:
            return
        saved = {path: body for path, body in bodies.items() if body is not None}
        async with self._transaction("save_entries") as conn:
            if replace:
                await conn.execute(
                    "WITH whole AS (DELETE FROM snapshots WHERE key = %(key)s)"
                    " DELETE FROM snapshot_entries WHERE key = %(key)s",
                    {"key": key},
                )
            await conn.execute(_SAVE_ENTRIES, {
                "key": key, "gone": [path for path in bodies if path not in saved],
                "paths": list(saved), "bodies": list(saved.values()),
            })

    def _json(self, operation: str, what: str, value: JsonValue) -> str:
        """`value` as JSON text, or a `StoreError` naming `operation` and `what`."""
        try:
            return json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            raise StoreError(f"{self._failed(operation)}: {what} is not JSON: {error}") from error


async def _one(
    conn: Connection, query: str, params: Sequence[object] | Mapping[str, object]
) -> tuple[Any, ...] | None:
    """The first row `query` returns, if any."""
    cursor = await conn.execute(query, params)
    return await cursor.fetchone()


def _parsed(text: str) -> JsonValue:
    """A snapshot or entry from its JSON text."""
    value: JsonValue = json.loads(text)
    return value

