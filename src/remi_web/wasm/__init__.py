"""The WebAssembly host: agents built by `remi build`, run by wasmtime as `Agent`s, with
per-instance limits and hot reload. Native only (it needs wasmtime)."""

from __future__ import annotations

from ..guest.protocol import GuestConfig
from .agent import WasmAgent
from .engine import Limits
from .errors import GuestFailure, GuestLoadError, GuestOutOfMemory, GuestTimeout, IncompatibleGuest
from .hot_reload import ReloadEvent
from .loader import GuestBuild

__all__ = [
    "GuestBuild", "GuestConfig", "GuestFailure", "GuestLoadError", "GuestOutOfMemory",
    "GuestTimeout", "IncompatibleGuest", "Limits", "ReloadEvent", "WasmAgent",
]
