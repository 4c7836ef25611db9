"""The guest SDK: an agent written with the normal remi-web API, packaged as a WebAssembly
component (`remi build agent.py -o agent.wasm`, or `remi_web.wasm.build.build_component`) and
hosted by `remi_web.wasm.WasmAgent`.

Inside the component the agent's loop and `@tool` tools run as usual; its model calls, the
host's tools and its checkpoint store are requests to the host (see `protocol`). Agent code
may read what the host grants with `guest_config()`.
"""

from __future__ import annotations

from .config import guest_config
from .protocol import API_VERSION, AgentInfo, GuestConfig

__all__ = ["API_VERSION", "AgentInfo", "GuestConfig", "guest_config"]
