"""The "moved" mark: a run handed off to another store or server is never continued here.

The mark is the run's last checkpoint, status `moved`, written as a compare-and-set on the
checkpoint it was exported from, like every claim (`RunClaim`): a resume racing the
hand-off loses (`RunBusy`), and any later resume, tool results or second hand-off gets
`RunMoved`. The mark keeps the run's state as it was; where the run went is in its
metadata (`MOVED_TO_KEY`). A moved run may come back: importing its bundle again
(`run_bundle.import_run`) writes over the mark, with the same compare-and-set.
"""

from __future__ import annotations

from dataclasses import replace

from .errors import CheckpointConflict, RunBusy, RunMoved, RunNotFound
from .ids import RunId
from .run_claim import RunClaim, lease_expired
from .run_status import RunStatus
from .state import Checkpoint
from .store import CheckpointStore

MOVED: RunStatus = "moved"
"""The status of a moved run's last checkpoint."""
MOVED_TO_KEY = "remi.moved_to"
"""The metadata key of a moved run's last checkpoint that says where the run went."""

__all__ = ["MOVED", "MOVED_TO_KEY", "mark_moved", "moved_error", "moved_to"]


def moved_to(checkpoint: Checkpoint) -> str | None:
    """Where a moved run went (None: not moved, or not said)."""
    if checkpoint.status != MOVED:
        return None
    to = checkpoint.state.metadata.get(MOVED_TO_KEY)
    return to if isinstance(to, str) else None


def moved_error(checkpoint: Checkpoint) -> RunMoved:
    """The `RunMoved` a request for a moved run gets."""
    to = moved_to(checkpoint)
    where = f" to {to}" if to else ""
    return RunMoved(
        f"Run {checkpoint.run_id!r} was handed off{where}; it goes on there, never here "
        "again (read or continue it where it went).",
        to=to,
    )


async def mark_moved(
    store: CheckpointStore, run_id: RunId, to: str, *, sequence: int | None = None
) -> Checkpoint:
    """Mark `run_id` moved to `to`; the mark (the run's new last checkpoint).

    Args:
        store: the run's store.
        run_id: the run.
        to: where it goes (a server URL, "page"...): shown to whoever asks for it here.
        sequence: the checkpoint the hand-off exported (`RunBundle.checkpoint.sequence`);
            if the run went further since, nothing is marked (`RunBusy`).

    Raises:
        RunNotFound: the store has no such run.
        RunMoved: it was moved already (a run moves once from each place).
        RunBusy: it is running under a live lease, went past `sequence`, or another
            writer advanced it while it was being marked.
    """
    latest = await store.latest_checkpoint(run_id)
    if latest is None:
        raise RunNotFound(f"No run {run_id!r} in this store to hand off.")
    if latest.status == MOVED:
        raise moved_error(latest)
    if latest.status == "running" and not lease_expired(latest):
        raise RunBusy(f"Run {run_id!r} is running; hand it off once it pauses.")
    if sequence is not None and latest.sequence != sequence:
        raise RunBusy(
            f"Run {run_id!r} went on since it was exported (checkpoint {latest.sequence}, "
            f"not {sequence}); export it again."
        )
    state = replace(latest.state, metadata={**latest.state.metadata, MOVED_TO_KEY: to})
    claim = RunClaim(store, run_id, latest.thread_id, latest.sequence, None)
    try:
        return await claim.write(state, MOVED)
    except CheckpointConflict:
        raise RunBusy(
            f"Run {run_id!r} was advanced by another caller while it was being handed off."
        ) from None
