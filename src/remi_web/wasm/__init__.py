"""The WebAssembly host: agents built by `remi build`, run by wasmtime as `Agent`s, with
per-instance limits, a memory budget across instances, signed precompiled files and hot
reload. Native only (it needs wasmtime)."""

from __future__ import annotations

from ..guest.protocol import GuestConfig
from .agent import WasmAgent
from .engine import Limits
from .errors import (
    ArtifactKeyError,
    GuestExit,
    GuestFailure,
    GuestLoadError,
    GuestOutOfMemory,
    GuestStackOverflow,
    GuestTimeout,
    IncompatibleGuest,
    MemoryBudgetExceeded,
    UntrustedArtifact,
)
from .hot_reload import ReloadEvent
from .loader import GuestBuild
from .memory_budget import MemoryBudget

__all__ = [
    "ArtifactKeyError", "GuestBuild", "GuestConfig", "GuestExit", "GuestFailure",
    "GuestLoadError", "GuestOutOfMemory", "GuestStackOverflow", "GuestTimeout",
    "IncompatibleGuest", "Limits", "MemoryBudget", "MemoryBudgetExceeded", "ReloadEvent",
    "UntrustedArtifact", "WasmAgent",
]
