"""`MemoryStore`: checkpoints and thread histories kept in this process's memory.

Pure Python with no I/O, so it runs unchanged in Pyodide. Everything is stored as JSON bytes
(the same form durable stores write), so a caller mutating a `LoopState` or a message list after
a call never changes what was stored, and what a read returns is the caller's own copy. A run's
messages are kept once, in its message log; each checkpoint keeps the rest of the state and how
many logged messages are its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..core.checkpoint_codec import (
    MESSAGE_ADAPTER,
    decode_checkpoint,
    decode_messages,
    encode_checkpoint,
    encode_without_messages,
    log_extension,
)
from ..core.errors import CheckpointConflict
from ..core.ids import CheckpointId, RunId, ThreadId
from ..core.messages import Message
from ..core.state import Checkpoint, Lease
from ..core.store import Retention, checked_retention, oldest_kept


@dataclass(slots=True)
class _RunLog:
    """A run's messages, in order: their ids and their JSON."""

    ids: list[str] = field(default_factory=list)
    blobs: list[bytes] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _StoredCheckpoint:
    """One stored checkpoint: the columns a query needs, and the JSON body (without the
    messages when `logged` says how many of the run log's are its own)."""

    order: int
    run_id: RunId
    thread_id: ThreadId
    sequence: int
    created_at: float
    body: bytes
    logged: int | None
    lease: Lease | None


class MemoryStore:
    """An in-memory `Store` (checkpoints and threads); forgotten when the process ends.

    Args:
        keep: which checkpoints of a run to keep: the latest (default), all, or the latest N.
    """

    def __init__(self, keep: Retention = "latest") -> None:
        """An empty store."""
        self.keep: Retention = checked_retention(keep)
        self._clock = 0
        self._checkpoints: dict[CheckpointId, _StoredCheckpoint] = {}
        self._by_run: dict[RunId, set[CheckpointId]] = {}
        self._by_thread: dict[ThreadId, set[CheckpointId]] = {}
        self._head: dict[RunId, CheckpointId] = {}  # each run's latest checkpoint
        self._logs: dict[RunId, _RunLog] = {}
        self._logged: dict[tuple[ThreadId, str], bytes] = {}  # a thread's runs' messages by id
        self._messages: dict[ThreadId, list[bytes]] = {}
        self._updated: dict[ThreadId, int] = {}

    def _tick(self) -> int:
        self._clock += 1
        return self._clock

    async def put_checkpoint(
        self, checkpoint: Checkpoint, expected_sequence: int | None = None
    ) -> None:
        """Store a copy of `checkpoint`; putting the same id again replaces it. With
        `expected_sequence`, only if the run's latest sequence is that (no await between
        the check and the write, so it is atomic on the event loop)."""
        run_id = checkpoint.run_id
        latest = self._latest(run_id)
        if expected_sequence is not None:
            current = 0 if latest is None else latest.sequence
            if current != expected_sequence:
                raise CheckpointConflict(
                    f"Run {run_id!r} is at checkpoint {current}, not "
                    f"{expected_sequence}: another writer advanced it."
                )
        log = self._logs.setdefault(run_id, _RunLog())
        messages = checkpoint.state.messages
        added = log_extension(messages, len(log.ids), log.ids[-1] if log.ids else None)
        if added is None:  # not an extension of the log: the checkpoint keeps its messages
            body, logged = encode_checkpoint(checkpoint), None
        else:
            for message in added:
                blob = MESSAGE_ADAPTER().dump_json(message)
                log.ids.append(message.id)
                log.blobs.append(blob)
                self._logged[(checkpoint.thread_id, message.id)] = blob
            body, logged = encode_without_messages(checkpoint), len(messages)
        previous = self._checkpoints.get(checkpoint.id)
        if previous is not None:
            self._by_run[previous.run_id].discard(checkpoint.id)
            self._by_thread[previous.thread_id].discard(checkpoint.id)
        self._checkpoints[checkpoint.id] = _StoredCheckpoint(
            previous.order if previous is not None else self._tick(), run_id,
            checkpoint.thread_id, checkpoint.sequence, checkpoint.created_at, body, logged,
            checkpoint.lease,
        )
        self._by_run.setdefault(run_id, set()).add(checkpoint.id)
        self._by_thread.setdefault(checkpoint.thread_id, set()).add(checkpoint.id)
        if previous is not None:  # a replaced checkpoint may have moved: find the heads again
            self._head.pop(previous.run_id, None)
            self._head.pop(run_id, None)
        elif latest is None or checkpoint.sequence >= latest.sequence:
            self._head[run_id] = checkpoint.id  # the latest put wins a tie
        self._retain(run_id, checkpoint.sequence)

    def _retain(self, run_id: RunId, sequence: int) -> None:
        """Drop the run's checkpoints older than its retention keeps."""
        oldest = oldest_kept(self.keep, sequence)
        if oldest is None:
            return
        for cid in [c for c in self._by_run[run_id] if self._checkpoints[c].sequence < oldest]:
            row = self._checkpoints.pop(cid)
            self._by_run[run_id].discard(cid)
            self._by_thread[row.thread_id].discard(cid)

    async def renew_lease(self, run_id: RunId, sequence: int, lease: Lease) -> None:
        """Give the latest checkpoint `lease` if it is still number `sequence`."""
        latest = self._latest(run_id)
        if latest is None or latest.sequence != sequence:
            current = 0 if latest is None else latest.sequence
            raise CheckpointConflict(
                f"Run {run_id!r} is at checkpoint {current}, not {sequence}: its lease is lost."
            )
        self._checkpoints[self._head[run_id]] = replace(latest, lease=lease)

    async def latest_checkpoint(self, run_id: RunId) -> Checkpoint | None:
        """The checkpoint of `run_id` with the highest sequence (the later put on a tie)."""
        latest = self._latest(run_id)
        return None if latest is None else self._load(latest)

    def _latest(self, run_id: RunId) -> _StoredCheckpoint | None:
        head = self._head.get(run_id)
        if head is not None:
            return self._checkpoints[head]
        ids = self._by_run.get(run_id)
        if not ids:
            return None
        rows = self._checkpoints
        head = max(ids, key=lambda cid: (rows[cid].sequence, rows[cid].order))
        self._head[run_id] = head
        return rows[head]

    def _load(self, row: _StoredCheckpoint) -> Checkpoint:
        """The stored checkpoint, its messages from the run's log, with its current lease."""
        messages = None
        if row.logged is not None:
            messages = decode_messages(self._logs[row.run_id].blobs[: row.logged])
        checkpoint = decode_checkpoint(
            row.body, run_id=row.run_id, thread_id=row.thread_id, sequence=row.sequence,
            messages=messages,
        )
        return checkpoint if checkpoint.lease == row.lease else replace(checkpoint, lease=row.lease)

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """All kept checkpoints of the thread's runs, oldest (`created_at`, then put order)
        first."""
        rows = [self._checkpoints[cid] for cid in self._by_thread.get(thread_id, ())]
        rows.sort(key=lambda row: (row.created_at, row.order))
        return [self._load(row) for row in rows]

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        """The thread's messages in order (empty for an unknown thread)."""
        return decode_messages(self._messages.get(thread_id, []))

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        """Add copies of `messages` at the end of the thread; an empty list changes nothing.
        A message already in the log of one of the thread's runs is kept once, shared."""
        if not messages:
            return
        encoded = []
        for message in messages:
            blob = MESSAGE_ADAPTER().dump_json(message)
            logged = self._logged.get((thread_id, message.id))
            encoded.append(logged if logged == blob else blob)
        self._messages.setdefault(thread_id, []).extend(encoded)
        self._updated[thread_id] = self._tick()

    async def list_threads(self) -> list[ThreadId]:
        """Ids of the threads that have messages, most recently updated first."""
        return sorted(self._updated, key=self._updated.__getitem__, reverse=True)

    async def delete_thread(self, thread_id: ThreadId) -> None:
        """Forget the thread: its checkpoints, its runs' message logs and its messages."""
        for cid in self._by_thread.pop(thread_id, set()):
            row = self._checkpoints.pop(cid)
            run = self._by_run[row.run_id]
            run.discard(cid)
            self._head.pop(row.run_id, None)
            if not run:
                del self._by_run[row.run_id]
                self._logs.pop(row.run_id, None)
        self._messages.pop(thread_id, None)
        self._updated.pop(thread_id, None)
        for key in [k for k in self._logged if k[0] == thread_id]:
            del self._logged[key]

    def stored_bytes(self) -> int:
        """The bytes of JSON this store holds (checkpoints, run logs, threads; a message
        shared by a run log and its thread counted once)."""
        blobs = {id(b): len(b) for log in self._logs.values() for b in log.blobs}
        blobs.update({id(b): len(b) for thread in self._messages.values() for b in thread})
        return sum(len(row.body) for row in self._checkpoints.values()) + sum(blobs.values())
