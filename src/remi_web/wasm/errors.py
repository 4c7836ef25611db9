"""Errors of the WebAssembly host: loading a guest, a guest that misbehaves, and the limits
the host puts on guests."""

from __future__ import annotations

from ..core.errors import RemiError


class GuestLoadError(RemiError):
    """A file is not a loadable remi agent component (corrupt, truncated, not a component,
    or missing the `remi:agent` exports)."""

    code = "guest_load"


class IncompatibleGuest(GuestLoadError):
    """The guest speaks another major version of the `remi:agent` WIT package, or its
    precompiled `.cwasm` was made by another wasmtime; rebuild it with this remi-web."""

    code = "guest_incompatible"


class UntrustedArtifact(GuestLoadError):
    """A `.cwasm` does not carry a valid MAC made with this machine's key. A `.cwasm` is
    native code, so only ones precompiled here are loaded; rebuild it, or load the `.wasm`."""

    code = "untrusted_artifact"


class ArtifactKeyError(RemiError):
    """The key that signs precompiled `.cwasm` files cannot be used (unreadable, too short,
    or readable by other users)."""

    code = "artifact_key"


class GuestFailure(RemiError):
    """The guest's instance stopped working (a trap); the run ends and the instance is
    dropped. Later runs get a fresh instance."""

    code = "guest_trap"


class GuestTimeout(GuestFailure):
    """One call into the guest ran longer than `Limits.call_timeout` (e.g. an endless loop),
    or used up its fuel."""

    code = "guest_timeout"


class GuestOutOfMemory(GuestFailure):
    """The guest needed more linear memory than `Limits.memory_bytes` and could not go on."""

    code = "guest_out_of_memory"


class GuestStackOverflow(GuestFailure):
    """The guest exhausted its call stack (runaway recursion)."""

    code = "guest_stack_overflow"


class GuestExit(GuestFailure):
    """The guest ended its own process (`os._exit`, C `exit`); `status` is its exit status.

    Args:
        message: what happened.
        status: the exit status wasmtime reports (WASI 0.2 only tells 0 from 1).
    """

    code = "guest_exit"

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class MemoryBudgetExceeded(RemiError):
    """A new guest instance found no room in the process's memory budget for live instances
    within the wait allowed; retry later, or raise the budget."""

    code = "memory_budget"
