"""`guest_config()`: what the host grants the guest to read (model name, options...)."""

from __future__ import annotations

from collections.abc import Callable

from .protocol import GuestConfig

_source: Callable[[], GuestConfig] | None = None


def guest_config() -> GuestConfig:
    """The configuration the host grants this guest (empty outside a component).

    The API key is empty unless the host's `WasmAgent(config=...)` put one there.
    """
    return _source() if _source is not None else GuestConfig()


def set_config_source(source: Callable[[], GuestConfig] | None) -> None:
    """Where `guest_config()` reads from (the component's host import)."""
    global _source
    _source = source
