"""`MemoryStore`: checkpoints and thread histories kept in this process's memory.

Pure Python with no I/O, so it runs unchanged in Pyodide. Everything is stored as JSON bytes
(the same form durable stores write), so a caller mutating a `LoopState` or a message list after
a call never changes what was stored, and what a read returns is the caller's own copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from ..core.ids import CheckpointId, RunId, ThreadId
from ..core.messages import Message
from ..core.state import CHECKPOINT_ADAPTER, Checkpoint

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


class MemoryStore:
    """An in-memory `Store` (checkpoints and threads); forgotten when the process ends."""

    def __init__(self) -> None:
        """An empty store."""
        self._clock = 0
        self._checkpoints: dict[CheckpointId, _StoredCheckpoint] = {}
        self._by_run: dict[RunId, set[CheckpointId]] = {}
        self._by_thread: dict[ThreadId, set[CheckpointId]] = {}
        self._messages: dict[ThreadId, list[bytes]] = {}
        self._updated: dict[ThreadId, int] = {}

    def _tick(self) -> int:
        self._clock += 1
        return self._clock

    async def put_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Store a copy of `checkpoint`; putting the same id again replaces it."""
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
            body=CHECKPOINT_ADAPTER.dump_json(checkpoint),
        )
        self._by_run.setdefault(checkpoint.run_id, set()).add(checkpoint.id)
        self._by_thread.setdefault(checkpoint.thread_id, set()).add(checkpoint.id)

    async def latest_checkpoint(self, run_id: RunId) -> Checkpoint | None:
        """The checkpoint of `run_id` with the highest sequence (the later put on a tie)."""
        rows = [self._checkpoints[cid] for cid in self._by_run.get(run_id, ())]
        if not rows:
            return None
        latest = max(rows, key=lambda row: (row.sequence, row.order))
        return CHECKPOINT_ADAPTER.validate_json(latest.body)

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """All checkpoints of the thread's runs, oldest (`created_at`, then put order) first."""
        rows = [self._checkpoints[cid] for cid in self._by_thread.get(thread_id, ())]
        rows.sort(key=lambda row: (row.created_at, row.order))
        return [CHECKPOINT_ADAPTER.validate_json(row.body) for row in rows]

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
            if not run:
                del self._by_run[row.run_id]
        self._messages.pop(thread_id, None)
        self._updated.pop(thread_id, None)
