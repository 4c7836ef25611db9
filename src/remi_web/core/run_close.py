"""`close_run`: end a run that will not go on (cancelled, or failed), even one whose latest
checkpoint can no longer be read."""

from __future__ import annotations

from typing import Literal

from .errors import CorruptCheckpoint, RunBusy
from .ids import RunId, ThreadId
from .run_claim import RunClaim, lease_expired
from .state import Checkpoint, LoopState
from .store import CheckpointStore

ENDED = ("done", "cancelled", "failed", "moved")


async def close_run(
    store: CheckpointStore, run_id: RunId, status: Literal["cancelled", "failed"]
) -> Checkpoint | None:
    """Write the run's last checkpoint with `status` (a compare-and-set on its latest).

    Returns that checkpoint; the latest one if the run had already ended; None for a run
    the store does not know. A run whose checkpoint is corrupt is closed with an empty state
    (its thread and sequence are known). Raises `RunBusy` for a run another live process
    holds, `CheckpointConflict` if another writer advanced it meanwhile.
    """
    try:
        latest = await store.latest_checkpoint(run_id)
    except CorruptCheckpoint as error:
        if not error.thread_id:
            raise
        state, sequence = LoopState(run_id, ThreadId(error.thread_id)), error.sequence
    else:
        if latest is None:
            return None
        if latest.status in ENDED:
            return latest
        if latest.status == "running" and not lease_expired(latest):
            raise RunBusy(f"Run {run_id!r} is running in another process; cancel it there.")
        state, sequence = latest.state, latest.sequence
    claim = RunClaim(store, run_id, state.thread_id, sequence, None)
    return await claim.write(state, status)
