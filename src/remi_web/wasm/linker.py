"""The host's imports for guests (`remi:agent/host`) and the WASI that grants nothing."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import wasmtime
from wasmtime.component import Linker

from ..guest.dev_source import DEV_MOUNT
from ..guest.protocol import API_VERSION, GuestConfig
from .engine import engine
from .values import guest_config_out

GUEST_LOG = logging.getLogger("remi_web.wasm.guest")
"""Where the guests' log lines (and anything they print to stderr) go."""

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
           "error": logging.ERROR}
_VERSION = "{}.{}.{}".format(*API_VERSION)


def make_linker(config: GuestConfig) -> Linker:
    """A linker with WASI and the `remi:agent/host` functions (the guest sees `config`).

    Host functions never raise into the guest: wasmtime-py keeps the last Python exception
    in a process-global slot that concurrent instances could mix up.
    """
    linker = Linker(engine())
    linker.add_wasip2()
    granted = guest_config_out(config)
    with linker.root() as root:
        with root.add_instance(f"remi:agent/host@{_VERSION}") as host:
            host.add_func("config", lambda store: granted)
            host.add_func("log", _log)
            host.add_func("now", lambda store: time.monotonic())
        with root.add_instance(f"remi:agent/types@{_VERSION}"):
            pass  # types only, but the linker needs the instance
    return linker


def _log(store: object, level: str, message: str) -> None:
    try:
        GUEST_LOG.log(_LEVELS.get(level, logging.ERROR), "%s", message)
    except Exception:
        pass


def isolated_wasi(
    output: GuestOutput | None = None, source_dir: Path | None = None,
) -> wasmtime.WasiConfig:
    """WASI that grants nothing: no files, no environment, no arguments, no stdin, and no
    network (wasmtime denies every socket address unless told otherwise). The guest's
    stdout and stderr go to the host's log (and to `output`, when given). With
    `source_dir` (the dev runtime), that one directory is readable at `DEV_MOUNT`."""
    wasi = wasmtime.WasiConfig()
    if source_dir is not None:
        wasi.preopen_dir(str(source_dir), DEV_MOUNT, fs_mutable=False)
    sink = output.write if output is not None else _guest_output
    wasi.stdout_custom = sink
    wasi.stderr_custom = sink
    return wasi


class GuestOutput:
    """What one instance prints: logged as it comes, and its tail since `clear()` kept
    (the last words of a guest that traps name the cause)."""

    TAIL_CHARS = 2000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tail = ""

    def write(self, data: bytes) -> None:
        """Take one chunk of the guest's output (called by wasmtime, maybe on its threads)."""
        _guest_output(data)
        try:
            text = data.decode(errors="replace")
            with self._lock:
                self._tail = (self._tail + text)[-self.TAIL_CHARS:]
        except Exception:
            pass

    def clear(self) -> None:
        """Forget what was printed so far (at the start of each call)."""
        with self._lock:
            self._tail = ""

    def tail(self) -> str:
        """What was printed since the last `clear()` (its last `TAIL_CHARS` characters)."""
        with self._lock:
            return self._tail


def _guest_output(data: bytes) -> None:
    try:
        text = data.decode(errors="replace").rstrip()
        if text:
            GUEST_LOG.warning("%s", text)
    except Exception:
        pass
