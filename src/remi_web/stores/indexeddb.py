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

import json
import time
from collections.abc import Callable
from dataclasses import replace

from ..core.schema_types import JsonValue

from ..core.checkpoint_codec import (
    MESSAGE_ADAPTER,
    decode_checkpoint,
    decode_messages,
    encode_checkpoint,
    encode_without_messages,
    log_extension,
)
from ..core.errors import CheckpointConflict, CorruptCheckpoint, StoreError
from ..core.ids import RunId, ThreadId
from ..core.messages import Message
from ..core.state import Checkpoint, Lease
from ..core.store import Retention, checked_retention, oldest_kept
from . import idb
from .idb_client import IndexedDBClient
from .idb_database import (
    BY_MESSAGE,
    BY_REVISION,
    BY_RUN,
    BY_THREAD,
    CHECKPOINTS,
    CLOCK,
    DEFAULT_NAME,
    MESSAGES,
    META,
    RUN_MESSAGES,
    THREADS,
)



class IndexedDBStore(IndexedDBClient):
    """A `Store` (checkpoints and threads) in IndexedDB, for Pyodide in a page or a Web Worker.

    The database is opened (and created or migrated) on first use. Stores with the same `name`
    share their data, in this context and in other tabs and workers of the origin.

    Args:
        name: the IndexedDB database name.
        keep: which checkpoints of a run to keep: the latest (default), all, or the latest N.

    Raises:
        StoreError: IndexedDB is not available here (natively, or a context without it).
    """

    def __init__(self, name: str = DEFAULT_NAME, *, keep: Retention = "latest") -> None:
        self.keep: Retention = checked_retention(keep)
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
        With `expected_sequence`, only if the run's latest sequence is that: the check, the
        new messages of the run's log and the write are requests of one transaction."""
        run_id, lease, messages = checkpoint.run_id, checkpoint.lease, checkpoint.state.messages
        record: dict[str, JsonValue] = {
            "id": checkpoint.id,
            "run_id": run_id,
            "thread_id": checkpoint.thread_id,
            "sequence": checkpoint.sequence,
            "status": checkpoint.status,
            "created_at": checkpoint.created_at,
            "body": encode_without_messages(checkpoint).decode(),
            "messages": len(messages),
            "lease_owner": None if lease is None else lease.owner,
            "lease_until": None if lease is None else lease.expires_at,
        }
        oldest = oldest_kept(self.keep, checkpoint.sequence)
        found: list[int] = []

        def script(tx: idb.Transaction) -> None:
            def retain() -> None:
                def drop(keys: list[JsonValue]) -> None:
                    for key in keys:
                        tx.delete(CHECKPOINTS, _key(key))

                assert oldest is not None
                older = idb.KeyRange([run_id], [run_id, oldest - 1, []])
                tx.get_all_keys(CHECKPOINTS, drop, index=BY_RUN, where=older)

            def write(order: int) -> None:
                tx.put(CHECKPOINTS, {**record, "order": order})
                if oldest is not None:
                    retain()

            def with_previous(previous: JsonValue) -> None:
                if previous is None:
                    _tick(tx, write)  # a new id goes after everything put so far
                else:
                    write(_count(previous, "order"))

            def with_tail(tail: JsonValue) -> None:
                logged = 0 if tail is None else _count(tail, "position") + 1
                last_id = None if tail is None else _text(tail, "message_id")
                added = log_extension(messages, logged, last_id)
                if added is None:  # not an extension of the log: the record keeps them
                    record["body"], record["messages"] = encode_checkpoint(checkpoint).decode(), None
                for position, message in enumerate(added or (), logged):
                    entry: JsonValue = {
                        "run_id": run_id, "position": position, "message_id": message.id,
                        "thread_id": checkpoint.thread_id,
                        "body": MESSAGE_ADAPTER().dump_json(message).decode(),
                    }
                    tx.put(RUN_MESSAGES, entry)
                tx.get(CHECKPOINTS, checkpoint.id, with_previous)

            def with_latest(latest: JsonValue) -> None:
                current = 0 if latest is None else _count(latest, "sequence")
                if current != expected_sequence:
                    found.append(current)  # a conflict: write nothing
                    return
                tx.last(RUN_MESSAGES, with_tail, where=idb.KeyRange.prefix(run_id))

            if expected_sequence is None:
                tx.last(RUN_MESSAGES, with_tail, where=idb.KeyRange.prefix(run_id))
            else:
                tx.last(CHECKPOINTS, with_latest, index=BY_RUN, where=idb.KeyRange.prefix(run_id))

        await self._run("put_checkpoint", [CHECKPOINTS, META, RUN_MESSAGES], "readwrite", script)
        if found:
            raise CheckpointConflict(
                f"Run {run_id!r} is at checkpoint {found[0]}, not "
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
        logs: dict[str, list[str]] = {}

        def script(tx: idb.Transaction) -> None:
            def keep(record: JsonValue) -> None:
                if record is not None:
                    found.append(record)
                    _read_logs(tx, [record], logs)

            tx.last(CHECKPOINTS, keep, index=BY_RUN, where=idb.KeyRange.prefix(run_id))

        await self._run("latest_checkpoint", [CHECKPOINTS, RUN_MESSAGES], "readonly", script)
        with self._errors("latest_checkpoint"):
            return _load(found[0], logs) if found else None

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """All kept checkpoints of the thread's runs, oldest (`created_at`, then put order)
        first."""
        records: list[JsonValue] = []
        logs: dict[str, list[str]] = {}

        def script(tx: idb.Transaction) -> None:
            def keep(found: list[JsonValue]) -> None:
                records.extend(found)
                _read_logs(tx, found, logs)

            tx.get_all(CHECKPOINTS, keep, index=BY_THREAD, where=idb.KeyRange.prefix(thread_id))

        await self._run("list_checkpoints", [CHECKPOINTS, RUN_MESSAGES], "readonly", script)
        with self._errors("list_checkpoints"):
            return [_load(record, logs) for record in records]

    async def stored_bytes(self) -> int:
        """The bytes of JSON text the store's records hold (what quota is spent on, roughly)."""
        total: list[int] = []
        stores = [CHECKPOINTS, RUN_MESSAGES, MESSAGES, THREADS]

        def script(tx: idb.Transaction) -> None:
            def count(records: list[JsonValue]) -> None:
                total.append(sum(len(json.dumps(record)) for record in records))

            for store in stores:
                tx.get_all(store, count)

        await self._run("stored_bytes", stores, "readonly", script)
        return sum(total)

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        """The thread's messages in order (empty for an unknown thread)."""
        records: list[JsonValue] = []
        shared: dict[tuple[str, int], str] = {}

        def script(tx: idb.Transaction) -> None:
            def keep(found: list[JsonValue]) -> None:
                records.extend(found)
                for record in found:
                    ref = record.get("ref") if isinstance(record, dict) else None
                    if isinstance(ref, list) and len(ref) == 2:
                        key = (str(ref[0]), _number(ref[1], "ref"))

                        def resolve(entry: JsonValue, key: tuple[str, int] = key) -> None:
                            if entry is not None:
                                shared[key] = _text(entry, "body")

                        tx.get(RUN_MESSAGES, [key[0], key[1]], resolve)

            tx.get_all(MESSAGES, keep, where=idb.KeyRange.prefix(thread_id))

        await self._run("load_messages", [MESSAGES, RUN_MESSAGES], "readonly", script)
        with self._errors("load_messages"):
            return decode_messages([_body(record, shared) for record in records])

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        """Add messages at the end of the thread (creating it); an empty list changes nothing."""
        if not messages:
            return
        encoded = [MESSAGE_ADAPTER().dump_json(message).decode() for message in messages]

        def script(tx: idb.Transaction) -> None:
            def with_thread(thread: JsonValue) -> None:
                start = 0 if thread is None else _count(thread, "next_position")

                def write(revision: int) -> None:
                    for position, (message, body) in enumerate(zip(messages, encoded), start):

                        def add(logged: list[JsonValue], position: int = position,
                                body: str = body) -> None:
                            row: dict[str, JsonValue] = {
                                "thread_id": thread_id, "position": position, "body": body
                            }
                            for entry in logged:  # kept once when one of its runs logged it
                                if _same(entry, thread_id, body):
                                    assert isinstance(entry, dict)
                                    row = {"thread_id": thread_id, "position": position,
                                           "ref": [entry["run_id"], entry["position"]]}
                                    break
                            tx.put(MESSAGES, row)

                        where = idb.KeyRange(message.id, message.id)
                        tx.get_all(RUN_MESSAGES, add, index=BY_MESSAGE, where=where)
                    thread_record: JsonValue = {
                        "thread_id": thread_id,
                        "revision": revision,
                        "updated_at": time.time(),
                        "next_position": start + len(encoded),
                    }
                    tx.put(THREADS, thread_record)

                _tick(tx, write)

            tx.get(THREADS, thread_id, with_thread)

        stores = [THREADS, MESSAGES, META, RUN_MESSAGES]
        await self._run("append_messages", stores, "readwrite", script)

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
            def delete_checkpoints(records: list[JsonValue]) -> None:
                runs = set()
                for record in records:
                    tx.delete(CHECKPOINTS, _text(record, "id"))
                    runs.add(_text(record, "run_id"))
                for run_id in runs:
                    tx.delete(RUN_MESSAGES, idb.KeyRange.prefix(run_id))

            where = idb.KeyRange.prefix(thread_id)
            tx.get_all(CHECKPOINTS, delete_checkpoints, index=BY_THREAD, where=where)
            tx.delete(MESSAGES, where)
            tx.delete(THREADS, thread_id)

        stores = [CHECKPOINTS, THREADS, MESSAGES, RUN_MESSAGES]
        await self._run("delete_thread", stores, "readwrite", script)


def _read_logs(tx: idb.Transaction, records: list[JsonValue], logs: dict[str, list[str]]) -> None:
    """Read into `logs` the message log of every run of `records` whose messages are there."""
    for run_id in {_text(r, "run_id") for r in records if isinstance(r, dict) and r.get("messages") is not None}:
        if run_id in logs:
            continue
        logs[run_id] = []

        def keep(entries: list[JsonValue], into: list[str] = logs[run_id]) -> None:
            into.extend(_text(entry, "body") for entry in entries)

        tx.get_all(RUN_MESSAGES, keep, where=idb.KeyRange.prefix(run_id))


def _load(record: JsonValue, logs: dict[str, list[str]]) -> Checkpoint:
    """A checkpoint from its record and its run's log; the lease fields (renewed in place)
    win over the body."""
    if not isinstance(record, dict):
        raise ValueError(f"a stored record is not an object: {str(record)[:200]}")
    run_id, thread_id = _text(record, "run_id"), _text(record, "thread_id")
    sequence, count = _count(record, "sequence"), record.get("messages")
    messages = None
    if isinstance(count, int):
        log = logs.get(run_id, [])
        if len(log) < count:
            raise CorruptCheckpoint(
                f"Checkpoint {sequence} of run {run_id!r} has {count} messages but its log "
                f"holds {len(log)}.", run_id=run_id, thread_id=thread_id, sequence=sequence,
            )
        messages = decode_messages(log[:count])
    checkpoint = decode_checkpoint(
        _text(record, "body"), run_id=run_id, thread_id=thread_id, sequence=sequence,
        messages=messages,
    )
    owner, until = record.get("lease_owner"), record.get("lease_until")
    lease = Lease(owner, float(until)) if isinstance(owner, str) and isinstance(until, int | float) else None
    return checkpoint if checkpoint.lease == lease else replace(checkpoint, lease=lease)


def _same(entry: JsonValue, thread_id: str, body: str) -> bool:
    """Whether a run log entry is `body`, logged by a run of thread `thread_id`."""
    return isinstance(entry, dict) and entry.get("thread_id") == thread_id and entry.get("body") == body


def _body(record: JsonValue, shared: dict[tuple[str, int], str]) -> str:
    """A thread message's JSON: its own, or the run log entry it refers to."""
    ref = record.get("ref") if isinstance(record, dict) else None
    if isinstance(ref, list) and len(ref) == 2:
        key = (str(ref[0]), _number(ref[1], "ref"))
        if key not in shared:
            raise ValueError(f"a thread message refers to a missing run message {key}")
        return shared[key]
    return _text(record, "body")


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
