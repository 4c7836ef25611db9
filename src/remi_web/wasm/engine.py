"""The process's wasmtime engine, its epoch clock, and the limits put on each instance."""

from __future__ import annotations

import functools
import math
import platform
import sys
import threading
import time
from dataclasses import dataclass

import wasmtime

EPOCH_TICK = 0.01
"""Seconds between two ticks of the engine's epoch (the resolution of call timeouts)."""

ENGINE_SETTINGS = {"epoch_interruption": True}
"""The engine's configuration (a `.cwasm` only loads in an engine configured the same)."""

_engine: wasmtime.Engine | None = None
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Limits:
    """What one guest instance may use.

    Args:
        call_timeout: seconds one call into the guest may run (`next`, `provide`...); an
            endless loop traps after about this long and its instance is dropped.
        memory_bytes: the most linear memory the instance may grow to.
    """

    call_timeout: float = 30.0
    memory_bytes: int = 512 * 1024 * 1024

    @property
    def epoch_ticks(self) -> int:
        """The call timeout in epoch ticks."""
        return max(1, math.ceil(self.call_timeout / EPOCH_TICK))


def engine() -> wasmtime.Engine:
    """The process-wide engine (epoch interruption on); starts its epoch clock once.

    Precompiled `.cwasm` files are made with this same configuration, so they load here.
    """
    global _engine
    with _lock:
        if _engine is None:
            config = wasmtime.Config()
            config.epoch_interruption = ENGINE_SETTINGS["epoch_interruption"]
            made = wasmtime.Engine(config)
            threading.Thread(
                target=_tick, args=(made,), name="remi-wasm-epoch", daemon=True
            ).start()
            _engine = made
        return _engine


def _tick(made: wasmtime.Engine) -> None:
    while True:
        time.sleep(EPOCH_TICK)
        made.increment_epoch()


@functools.cache
def wasmtime_version() -> str:
    """The installed wasmtime-py version (a `.cwasm` only loads in the same one)."""
    from importlib.metadata import version

    return version("wasmtime")


def engine_fingerprint() -> str:
    """What a `.cwasm` depends on besides its bytes: the wasmtime version, the engine's
    settings and the machine's architecture (signed into every `.cwasm`)."""
    settings = ",".join(f"{key}={value}" for key, value in sorted(ENGINE_SETTINGS.items()))
    return f"wasmtime {wasmtime_version()}; {settings}; {sys.platform}-{platform.machine()}"
