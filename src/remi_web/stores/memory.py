"""`MemoryStore`: checkpoints and thread histories kept in this process's memory.

Pure Python with no I/O, so it runs unchanged in Pyodide. Everything is stored as JSON bytes
(the same form durable stores write), so a caller mutating a `LoopState` or a message list after
a call never changes what was stored, and what a read returns is the caller's own copy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pydantic import TypeAdapter

from ..core.checkpoint_codec import decode_checkpoint, encode_checkpoint
from ..core.errors import CheckpointConflict
from ..core.ids import CheckpointId, RunId, ThreadId
from ..core.messages import Message
from ..core.state import Checkpoint, Lease

_MESSAGE_ADAPTER: TypeAdapter[Message] = TypeAdapter(Message)
_MESSAGE_LIST_ADAPTER: TypeAdapter[list[Message]] = TypeAdapter(list[Message])


@dataclass(frozen=True, slots=True)
class _StoredCheckpoint:
    """One stored checkpoint: the columns a query needs, and the JSON body."""

    order: int
    run_id: RunId
    thread_id: ThreadId
    sequence: int
    created_at: float
    body: bytes
    lease: Lease | None

    def load(self) -> Checkpoint:
        """The stored checkpoint, with its current lease."""
        checkpoint = decode_checkpoint(
            self.body, run_id=self.run_id, thread_id=self.thread_id, sequence=self.sequence
        )
        return checkpoint if checkpoint.lease == self.lease else replace(checkpoint, lease=self.lease)


class MemoryStore:
    """An in-memory `Store` (checkpoints and threads); forgotten when the process ends."""

    def __init__(self) -> None:
        """An empty store."""
        self._clock = 0
        self._checkpoints: dict[CheckpointId, _StoredCheckpoint] = {}
        self._by_run: dict[RunId, set[CheckpointId]] = {}
        self._by_thread: dict[ThreadId, set[CheckpointId]] = {}
        self._head: dict[RunId, CheckpointId] = {}  # each run's latest checkpoint
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
        latest = self._latest(checkpoint.run_id)
        if expected_sequence is not None:
            current = 0 if latest is None else latest.sequence
            if current != expected_sequence:
                raise CheckpointConflict(
                    f"Run {checkpoint.run_id!r} is at checkpoint {current}, not "
                    f"{expected_sequence}: another writer advanced it."
                )
        previous = self._checkpoints.get(checkpoint.id)
        if previous is not None:
            self._by_run[previous.run_id].discard(checkpoint.id)
            self._by_thread[previous.thread_id].discard(checkpoint.id)
        self._checkpoints[checkpoint.id] = _StoredCheckpoint(
            order=previous.order if previous is not None else self._tick(),
            run_id=checkpoint.run_id,
            thread_id=checkpoint.thread_id,
            sequence=checkpoint.sequence,
            created_at=checkpoint.created_at,
            body=encode_checkpoint(checkpoint),
            lease=checkpoint.lease,
        )
        self._by_run.setdefault(checkpoint.run_id, set()).add(checkpoint.id)
        self._by_thread.setdefault(checkpoint.thread_id, set()).add(checkpoint.id)
        if previous is not None:  # a replaced checkpoint may have moved: find the heads again
            self._head.pop(previous.run_id, None)
            self._head.pop(checkpoint.run_id, None)
            return
        if latest is None or checkpoint.sequence >= latest.sequence:
            self._head[checkpoint.run_id] = checkpoint.id  # the latest put wins a tie

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
        return None if latest is None else latest.load()

    def _latest(self, run_id: RunId) -> _StoredCheckpoint | None:
        head = self._head.get(run_id)
        if head is not None:
            return self._checkpoints[head]
        ids = self._by_run.get(run_id)
        if not ids:
            return None
        head = max(ids, key=lambda cid: (self._checkpoints[cid].sequence, self._checkpoints[cid].order))
        self._head[run_id] = head
        return self._checkpoints[head]

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """All checkpoints of the thread's runs, oldest (`created_at`, then put order) first."""
        rows = [self._checkpoints[cid] for cid in self._by_thread.get(thread_id, ())]
        rows.sort(key=lambda row: (row.created_at, row.order))
        return [row.load() for row in rows]

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        """The thread's messages in order (empty for an unknown thread)."""
        stored = self._messages.get(thread_id)
        if not stored:
            return []
        return _MESSAGE_LIST_ADAPTER.validate_json(b"[" + b",".join(stored) + b"]")

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        """Add copies of `messages` at the end of the thread; an empty list changes nothing."""
        if not messages:
            return
        encoded = [_MESSAGE_ADAPTER.dump_json(message) for message in messages]
        self._messages.setdefault(thread_id, []).extend(encoded)
        self._updated[thread_id] = self._tick()

    async def list_threads(self) -> list[ThreadId]:
        """Ids of the threads that have messages, most recently updated first."""
        return sorted(self._updated, key=self._updated.__getitem__, reverse=True)

    async def delete_thread(self, thread_id: ThreadId) -> None:
        """Forget the thread: its checkpoints and its messages."""
        for cid in self._by_thread.pop(thread_id, set()):
            row = self._checkpoints.pop(cid)
            run = self._by_run[row.run_id]
            run.discard(cid)
            self._head.pop(row.run_id, None)
            if not run:
                del self._by_run[row.run_id]
        self._messages.pop(thread_id, None)
        self._updated.pop(thread_id, None)
