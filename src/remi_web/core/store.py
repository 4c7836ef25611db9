"""Storage contracts: checkpoints of runs, and the message history of threads."""

from __future__ import annotations

from typing import Literal, Protocol, TypeAlias

from .errors import ConfigurationError
from .ids import RunId, ThreadId
from .messages import Message
from .state import Checkpoint, Lease

Retention: TypeAlias = Literal["latest", "all"] | int
"""Which checkpoints of a run a store keeps: the latest (the default), all, or the latest N.
A run's messages are kept whole in its message log either way."""


def checked_retention(keep: Retention) -> Retention:
    """`keep`, if it is a retention (a `ConfigurationError` otherwise)."""
    try:
        oldest_kept(keep, 1)
    except ValueError as error:
        raise ConfigurationError(str(error)) from None
    return keep


def oldest_kept(keep: Retention, sequence: int) -> int | None:
    """The lowest sequence to keep once checkpoint `sequence` is stored (None: keep all)."""
    if keep == "all":
        return None
    if keep == "latest":
        return sequence
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise ValueError(f"keep must be 'latest', 'all' or a count of at least 1, not {keep!r}")
    return sequence - keep + 1


class CheckpointStore(Protocol):
    """Keeps checkpoints of runs: each run's messages once, in an append-only log, and as
    many checkpoints per run as its `Retention` says. The memory, SQLite, Postgres and
    IndexedDB stores pass the whole of `tests/store_conformance`; a component's `HostStore`
    forwards only what a run needs (`put_checkpoint`, `latest_checkpoint`) and refuses the
    rest."""

    async def put_checkpoint(
        self, checkpoint: Checkpoint, expected_sequence: int | None = None
    ) -> None:
        """Store `checkpoint` (ids are unique; a run's sequence numbers grow).

        With `expected_sequence` (0 for a run with no checkpoint yet) this is a
        compare-and-set: it stores only if the run's latest sequence is still that, and
        otherwise raises `CheckpointConflict` and stores nothing. Two writers can never both
        advance a run from the same checkpoint.
        """
        ...

    async def renew_lease(self, run_id: RunId, sequence: int, lease: Lease) -> None:
        """Give the run's latest checkpoint `lease`, if that checkpoint is still number
        `sequence`; otherwise raise `CheckpointConflict` (another writer took the run)."""
        ...

    async def latest_checkpoint(self, run_id: RunId) -> Checkpoint | None:
        """The checkpoint of `run_id` with the highest sequence, if any. Raises
        `CorruptCheckpoint` or `CheckpointVersionError` when it cannot be read."""
        ...

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """All checkpoints of the thread's runs, oldest first."""
        ...

    async def delete_thread(self, thread_id: ThreadId) -> None:
        """Forget the thread: its checkpoints and its messages."""
        ...


class ThreadStore(Protocol):
    """Keeps the message history of threads."""

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        """The thread's messages in order (empty for an unknown thread)."""
        ...

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        """Add messages at the end of the thread (creating it if needed)."""
        ...

    async def list_threads(self) -> list[ThreadId]:
        """Ids of the threads that have messages, most recently updated first."""
        ...

    async def delete_thread(self, thread_id: ThreadId) -> None:
        """Forget the thread: its checkpoints and its messages."""
        ...


class Store(CheckpointStore, ThreadStore, Protocol):
    """A backend that keeps both checkpoints and threads."""
