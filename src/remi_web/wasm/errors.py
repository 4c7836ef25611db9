"""Errors of the WebAssembly host: loading a guest, and a guest that misbehaves."""

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


class GuestFailure(RemiError):
    """The guest's instance stopped working (a trap); the run ends and the instance is
    dropped. Later runs get a fresh instance."""

    code = "guest_trap"


class GuestTimeout(GuestFailure):
    """One call into the guest ran longer than `Limits.call_timeout` (e.g. an endless loop)."""

    code = "guest_timeout"


class GuestOutOfMemory(GuestFailure):
    """The guest tried to grow its memory past `Limits.memory_bytes`."""

    code = "guest_memory"
