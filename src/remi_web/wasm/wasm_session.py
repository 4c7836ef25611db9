"""`WasmSession`: a `GuestSession` on a fresh instance of a component, off the event loop."""

from __future__ import annotations

from typing import Any

from wasmtime.component import Linker

from ..core.model_io import ToolDefinition
from ..core.requests import ChatRequest
from ..guest.protocol import Output, Reply
from .engine import Limits
from .instance import GuestInstance, WasmRun
from .loader import GuestBuild, offload
from .session import pump


class WasmSession:
    """One run on its own instance; every call into the guest runs on a guest thread."""

    def __init__(self, run: WasmRun) -> None:
        self.run = run

    @staticmethod
    async def open(
        build: GuestBuild, linker: Linker, limits: Limits, request: ChatRequest,
        metadata: dict[str, Any], host_tools: list[ToolDefinition],
    ) -> WasmSession:
        """Instantiate `build` and start a run of `request` in it."""

        def start() -> WasmSession:
            instance = GuestInstance(build.loaded, linker, limits)
            return WasmSession(instance.start(request, metadata, host_tools))

        return await offload(start)

    async def step(self, reply: tuple[int, Reply] | None) -> list[Output]:
        """Pump the run on a guest thread."""
        return await offload(lambda: pump(self.run, reply))

    async def cancel(self) -> None:
        """Cancel the run."""
        await offload(self.run.cancel)

    async def close(self) -> None:
        """Drop the run (waits for a call still running on a guest thread)."""
        await offload(self.run.close)
