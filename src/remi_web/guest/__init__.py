"""The guest SDK: an agent written with the normal remi-web API, packaged as a WebAssembly
component (`remi build agent.py -o agent.wasm`) and hosted by `remi_web.wasm.WasmAgent`.

Inside the component the agent's loop and `@tool` tools run as usual; its model calls, the
host's tools and its checkpoint store are requests to the host (see `protocol`). Agent code
may read what the host grants with `guest_config()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import guest_config
from .protocol import API_VERSION, AgentInfo, GuestConfig

if TYPE_CHECKING:
    from .build import BuildError, BuildResult, build_component

_LAZY = {
    "BuildError": "remi_web.guest.build",
    "BuildResult": "remi_web.guest.build",
    "build_component": "remi_web.guest.build",
}

__all__ = [
    "API_VERSION", "AgentInfo", "BuildError", "BuildResult", "GuestConfig", "build_component",
    "guest_config",
]


def __getattr__(name: str) -> object:
    """The build tools load on first use (a component never needs them)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
