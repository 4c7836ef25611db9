"""`RunClaim`: one run segment's hold on its run.

Every checkpoint the segment writes is a compare-and-set on the one it wrote (or read) last,
so two processes can never both advance a run: the loser gets `CheckpointConflict`. While
the run is `running` its checkpoint carries a lease, renewed by a heartbeat task; when the
lease runs out (the process died), another process may take the run over.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import sys
import time
from collections.abc import Callable

from .errors import CheckpointConflict
from .ids import CheckpointId, RunId, ThreadId, new_id
from .run_status import RunStatus
from .state import Checkpoint, Lease, LoopState
from .store import CheckpointStore

DEFAULT_LEASE_SECONDS = 30.0
"""How long a running run is held without a heartbeat (renewed every third of it)."""

NODE_NAME_ENV = "REMI_NODE_NAME"
"""Names this machine in leases instead of its host name (e.g. a container's pod name: the
processes of one name must see each other's process ids)."""
_HOST = os.environ.get(NODE_NAME_ENV) or platform.node() or "host"
PROCESS_OWNER = f"{_HOST}/{os.getpid()}/{new_id()[:8]}"
"""This process's name in leases: host (or `REMI_NODE_NAME`), process id, and a nonce."""

_log = logging.getLogger("remi_web.runs")


def lease_expired(checkpoint: Checkpoint, now: float | None = None) -> bool:
    """Whether a `running` checkpoint's owner has stopped renewing its lease, or is known
    to be gone: a process of this host that no longer exists (a restarted server takes its
    runs over at once instead of waiting for their leases)."""
    lease = checkpoint.lease
    if lease is None or lease.expires_at <= (time.time() if now is None else now):
        return True
    return lease.owner != PROCESS_OWNER and _dead_here(lease.owner)


def _dead_here(owner: str) -> bool:
    """Whether `owner` names a process of this host that does not exist any more."""
    host, _, rest = owner.partition("/")
    pid_text = rest.partition("/")[0]
    kill = getattr(os, "kill", None)
    if host != _HOST or not pid_text.isdigit() or kill is None or sys.platform == "emscripten":
        return False
    try:
        kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists (another user's) or cannot be asked: assume alive
        return False
    return False


class RunClaim:
    """Writes a run's checkpoints as compare-and-sets and keeps its lease alive.

    Args:
        store: the run's store.
        run_id, thread_id: the run.
        sequence: the sequence of the checkpoint this segment continues from (0: none).
        lease_seconds: the lease of running checkpoints (None: no lease, no heartbeat).
        owner: this process's name in leases.
    """

    __slots__ = (
        "store", "run_id", "thread_id", "sequence", "status", "lease_seconds", "owner",
        "lost", "_lock", "_heartbeat",
    )

    def __init__(
        self,
        store: CheckpointStore,
        run_id: RunId,
        thread_id: ThreadId,
        sequence: int,
        lease_seconds: float | None,
        owner: str = PROCESS_OWNER,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.thread_id = thread_id
        self.sequence = sequence
        self.status: RunStatus | None = None
        self.lease_seconds = lease_seconds
        self.owner = owner
        self.lost = False
        self._lock = asyncio.Lock()
        self._heartbeat: asyncio.TimerHandle | asyncio.Future[None] | None = None

    async def write(self, state: LoopState, status: RunStatus) -> Checkpoint:
        """Checkpoint `state` as `status`, if nobody advanced the run meanwhile; a
        `running` checkpoint carries this process's lease. Raises `CheckpointConflict`."""
        async with self._lock:
            if self.lost:
                raise CheckpointConflict(f"Run {self.run_id!r} was taken over by another process.")
            now = time.time()
            lease = None
            if status == "running" and self.lease_seconds is not None:
                lease = Lease(self.owner, now + self.lease_seconds)
            state.status, state.sequence = status, self.sequence + 1
            checkpoint = Checkpoint(
                CheckpointId(new_id()), self.run_id, self.thread_id, state.sequence, status,
                state, now, lease,
            )
            try:
                await self.store.put_checkpoint(checkpoint, self.sequence)
            except CheckpointConflict:
                self.lost = True
                raise
            self.sequence, self.status = checkpoint.sequence, status
            return checkpoint

    def keep_alive(self, on_lost: Callable[[], None]) -> None:
        """Renew the lease while the run is `running` (a timer every third of the lease,
        a renewal task only when it fires); call `on_lost` if another process took the
        run over."""
        if self.lease_seconds is not None and self._heartbeat is None:
            self._schedule(self.lease_seconds, on_lost)

    def release(self) -> None:
        """Stop renewing (the segment ended or paused)."""
        heartbeat, self._heartbeat = self._heartbeat, None
        if heartbeat is not None:
            heartbeat.cancel()

    def _schedule(self, seconds: float, on_lost: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()
        self._heartbeat = loop.call_later(seconds / 3, self._beat, seconds, on_lost)

    def _beat(self, seconds: float, on_lost: Callable[[], None]) -> None:
        task = asyncio.ensure_future(self._renew(seconds, on_lost))
        self._heartbeat = task

    async def _renew(self, seconds: float, on_lost: Callable[[], None]) -> None:
        if self.status == "running":
            async with self._lock:
                lease = Lease(self.owner, time.time() + seconds)
                try:
                    await self.store.renew_lease(self.run_id, self.sequence, lease)
                except CheckpointConflict:
                    self.lost = True
                    self._heartbeat = None
                    on_lost()
                    return
                except Exception as error:  # a store hiccup: the next beat tries again
                    _log.warning("could not renew the lease of run %s: %r", self.run_id, error)
        if self._heartbeat is not None:  # not released meanwhile
            self._schedule(seconds, on_lost)
