"""`IndexedDBStore`: checkpoints and thread histories in the browser's IndexedDB (Pyodide).

The same contract as `SQLiteStore`, for a page or a Web Worker: the data outlives a reload and
is shared by every tab and worker of the origin that opens the same database name.

Each operation is one IndexedDB transaction whose requests are issued synchronously (follow-up
requests are chained in success callbacks, never after an `await`), so it is atomic, and
IndexedDB's scheduling orders it: read-write transactions over overlapping stores run one at a
time in the order they were created, across every connection, tab and worker, each seeing the
writes of those before it. Counters that must grow (`order`, a thread's `revision`, message
positions) are read and written back inside the writing transaction, which makes them as
race-free as SQLite's `BEGIN IMMEDIATE`, with no Python lock. Cancelling the `await` of a write
whose transaction is under way does not stop it: it still commits (or aborts) as a whole. The
schema and its migrations are in `idb_database`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from pydantic import JsonValue, TypeAdapter

from ..core.checkpoint_codec import decode_checkpoint, encode_checkpoint
from ..core.errors import CheckpointConflict, StoreError
from ..core.ids import RunId, ThreadId
from ..core.messages import Message
from ..core.state import Checkpoint, Lease
from . import idb
from .idb_client import IndexedDBClient
from .idb_database import (
    BY_REVISION,
    BY_RUN,
    BY_THREAD,
    CHECKPOINTS,
    CLOCK,
    DEFAULT_NAME,
    MESSAGES,
    META,
    THREADS,
)

_MESSAGE_ADAPTER: TypeAdapter[Message] = TypeAdapter(Message)
_MESSAGE_LIST_ADAPTER: TypeAdapter[list[Message]] = TypeAdapter(list[Message])


class IndexedDBStore(IndexedDBClient):
    """A `Store` (checkpoints and threads) in IndexedDB, for Pyodide in a page or a Web Worker.

    The database is opened (and created or migrated) on first use. Stores with the same `name`
    share their data, in this context and in other tabs and workers of the origin.

    Args:
        name: the IndexedDB database name.

    Raises:
        StoreError: IndexedDB is not available here (natively, or a context without it).
    """

    def __init__(self, name: str = DEFAULT_NAME) -> None:
        super().__init__(name, elsewhere="SQLiteStore or MemoryStore")

    @staticmethod
    async def delete_database(name: str = DEFAULT_NAME) -> None:
        """Delete the database `name` and everything in it, snapshots included.

        Open stores on it are closed by the deletion; their next operation starts afresh.
        """
        try:
            await idb.delete_database(name)
        except idb.IdbError as error:
            raise StoreError(f"IndexedDBStore.delete_database failed: {error}") from error

    async def put_checkpoint(
        self, checkpoint: Checkpoint, expected_sequence: int | None = None
    ) -> None:
        """Store `checkpoint`; putting the same id again replaces it (keeping its put order).
        With `expected_sequence`, only if the run's latest sequence is that: the check and
        the write are requests of one read-write transaction."""
        lease = checkpoint.lease
        record: dict[str, JsonValue] = {
            "id": checkpoint.id,
            "run_id": checkpoint.run_id,
            "thread_id": checkpoint.thread_id,
            "sequence": checkpoint.sequence,
            "status": checkpoint.status,
            "created_at": checkpoint.created_at,
            "body": encode_checkpoint(checkpoint).decode(),
            "lease_owner": None if lease is None else lease.owner,
            "lease_until": None if lease is None else lease.expires_at,
        }
        found: list[int] = []

        def script(tx: idb.Transaction) -> None:
            def write(order: int) -> None:
                tx.put(CHECKPOINTS, {**record, "order": order})

            def with_previous(previous: JsonValue) -> None:
                if previous is None:
                    _tick(tx, write)  # a new id goes after everything put so far
                else:
                    write(_count(previous, "order"))

            def with_latest(latest: JsonValue) -> None:
                current = 0 if latest is None else _count(latest, "sequence")
                if current != expected_sequence:
                    found.append(current)  # a conflict: write nothing
                    return
                tx.get(CHECKPOINTS, checkpoint.id, with_previous)

            if expected_sequence is None:
                tx.get(CHECKPOINTS, checkpoint.id, with_previous)
            else:
                where = idb.KeyRange.prefix(checkpoint.run_id)
                tx.last(CHECKPOINTS, with_latest, index=BY_RUN, where=where)

        await self._run("put_checkpoint", [CHECKPOINTS, META], "readwrite", script)
        if found:
            raise CheckpointConflict(
                f"Run {checkpoint.run_id!r} is at checkpoint {found[0]}, not "
                f"{expected_sequence}: another writer advanced it."
            )

    async def renew_lease(self, run_id: RunId, sequence: int, lease: Lease) -> None:
        """Give the latest checkpoint `lease` if it is still number `sequence`."""
        found: list[int] = []

        def script(tx: idb.Transaction) -> None:
            def renew(latest: JsonValue) -> None:
                current = 0 if latest is None else _count(latest, "sequence")
                if current != sequence or not isinstance(latest, dict):
                    found.append(current)
                    return
                renewed: JsonValue = {
                    **latest, "lease_owner": lease.owner, "lease_until": lease.expires_at
                }
                tx.put(CHECKPOINTS, renewed)

            tx.last(CHECKPOINTS, renew, index=BY_RUN, where=idb.KeyRange.prefix(run_id))

        await self._run("renew_lease", [CHECKPOINTS], "readwrite", script)
        if found:
            raise CheckpointConflict(
                f"Run {run_id!r} is at checkpoint {found[0]}, not {sequence}: its lease is lost."
            )

    async def latest_checkpoint(self, run_id: RunId) -> Checkpoint | None:
        """The checkpoint of `run_id` with the highest sequence (the later put on a tie)."""
        found: list[JsonValue] = []

        def script(tx: idb.Transaction) -> None:
            def keep(record: JsonValue) -> None:
                if record is not None:
                    found.append(record)

            tx.last(CHECKPOINTS, keep, index=BY_RUN, where=idb.KeyRange.prefix(run_id))

        await self._run("latest_checkpoint", [CHECKPOINTS], "readonly", script)
        with self._errors("latest_checkpoint"):
            return _load(found[0]) if found else None

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """All checkpoints of the thread's runs, oldest (`created_at`, then put order) first."""
        records: list[JsonValue] = []

        def script(tx: idb.Transaction) -> None:
            def keep(found: list[JsonValue]) -> None:
                records.extend(found)

            tx.get_all(CHECKPOINTS, keep, index=BY_THREAD, where=idb.KeyRange.prefix(thread_id))

        await self._run("list_checkpoints", [CHECKPOINTS], "readonly", script)
        with self._errors("list_checkpoints"):
            return [_load(record) for record in records]

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        """The thread's messages in order (empty for an unknown thread)."""
        bodies: list[str] = []

        def script(tx: idb.Transaction) -> None:
            def keep(records: list[JsonValue]) -> None:
                bodies.extend(_text(record, "body") for record in records)

            tx.get_all(MESSAGES, keep, where=idb.KeyRange.prefix(thread_id))

        await self._run("load_messages", [MESSAGES], "readonly", script)
        with self._errors("load_messages"):
            return _MESSAGE_LIST_ADAPTER.validate_json("[" + ",".join(bodies) + "]")

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        """Add messages at the end of the thread (creating it); an empty list changes nothing."""
        if not messages:
            return
        encoded = [_MESSAGE_ADAPTER.dump_json(message).decode() for message in messages]

        def script(tx: idb.Transaction) -> None:
            def with_thread(thread: JsonValue) -> None:
                start = 0 if thread is None else _count(thread, "next_position")

                def write(revision: int) -> None:
                    for position, body in enumerate(encoded, start):
                        row: JsonValue = {
                            "thread_id": thread_id,
                            "position": position,
                            "body": body,
                        }
                        tx.put(MESSAGES, row)
                    thread_record: JsonValue = {
                        "thread_id": thread_id,
                        "revision": revision,
                        "updated_at": time.time(),
                        "next_position": start + len(encoded),
                    }
                    tx.put(THREADS, thread_record)

                _tick(tx, write)

            tx.get(THREADS, thread_id, with_thread)

        await self._run("append_messages", [THREADS, MESSAGES, META], "readwrite", script)

    async def list_threads(self) -> list[ThreadId]:
        """Ids of the threads that have messages, most recently updated first."""
        ids: list[ThreadId] = []

        def script(tx: idb.Transaction) -> None:
            def keep(records: list[JsonValue]) -> None:
                ids.extend(ThreadId(_text(record, "thread_id")) for record in reversed(records))

            tx.get_all(THREADS, keep, index=BY_REVISION)

        await self._run("list_threads", [THREADS], "readonly", script)
        return ids

    async def delete_thread(self, thread_id: ThreadId) -> None:
        """Forget the thread: its checkpoints and its messages."""

        def script(tx: idb.Transaction) -> None:
            def delete_checkpoints(ids: list[JsonValue]) -> None:
                for checkpoint_id in ids:
                    tx.delete(CHECKPOINTS, _key(checkpoint_id))

            where = idb.KeyRange.prefix(thread_id)
            tx.get_all_keys(CHECKPOINTS, delete_checkpoints, index=BY_THREAD, where=where)
            tx.delete(MESSAGES, where)
            tx.delete(THREADS, thread_id)

        await self._run("delete_thread", [CHECKPOINTS, THREADS, MESSAGES], "readwrite", script)


def _load(record: JsonValue) -> Checkpoint:
    """A checkpoint from its record; the lease fields (renewed in place) win over the body."""
    if not isinstance(record, dict):
        raise ValueError(f"a stored record is not an object: {str(record)[:200]}")
    checkpoint = decode_checkpoint(
        _text(record, "body"), run_id=_text(record, "run_id"),
        thread_id=_text(record, "thread_id"), sequence=_count(record, "sequence"),
    )
    owner, until = record.get("lease_owner"), record.get("lease_until")
    lease = Lease(owner, float(until)) if isinstance(owner, str) and isinstance(until, int | float) else None
    return checkpoint if checkpoint.lease == lease else replace(checkpoint, lease=lease)


def _tick(tx: idb.Transaction, then: Callable[[int], None]) -> None:
    """Advance the store-wide counter inside `tx` and pass its new value to `then`."""

    def advance(current: JsonValue) -> None:
        value = 1 if current is None else _number(current, CLOCK) + 1
        tx.put(META, value, CLOCK)
        then(value)

    tx.get(META, CLOCK, advance)


def _count(record: JsonValue, field: str) -> int:
    """The integer `field` of a stored record."""
    if not isinstance(record, dict):
        raise ValueError(f"a stored record is not an object: {str(record)[:200]}")
    return _number(record.get(field), field)


def _number(value: JsonValue, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"stored {what!r} is not an integer: {str(value)[:200]}")
    return value


def _text(record: JsonValue, field: str) -> str:
    """The text `field` of a stored record."""
    value = record.get(field) if isinstance(record, dict) else None
    if not isinstance(value, str):
        raise ValueError(f"a stored record has no text {field!r}: {str(record)[:200]}")
    return value


def _key(value: JsonValue) -> idb.Key:
    """A primary key read back from IndexedDB (checkpoint ids are strings)."""
    if not isinstance(value, str):
        raise ValueError(f"unexpected key {str(value)[:200]}")
    return value
