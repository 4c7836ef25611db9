"""The host's imports for guests (`remi:agent/host`) and the WASI that grants nothing."""

from __future__ import annotations

import logging
import time

import wasmtime
from wasmtime.component import Linker

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


def isolated_wasi() -> wasmtime.WasiConfig:
    """WASI that grants nothing: no files, no environment, no arguments, no stdin, and no
    network (wasmtime denies every socket address unless told otherwise). The guest's
    stdout and stderr go to the host's log."""
    wasi = wasmtime.WasiConfig()
    wasi.stdout_custom = _guest_output
    wasi.stderr_custom = _guest_output
    return wasi


def _guest_output(data: bytes) -> None:
    try:
        text = data.decode(errors="replace").rstrip()
        if text:
            GUEST_LOG.warning("%s", text)
    except Exception:
        pass
