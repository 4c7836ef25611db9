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
from .memory_budget import MemoryBudget
from .session import pump


class WasmSession:
    """One run on its own instance; every call into the guest runs on a guest thread."""

    def __init__(self, run: WasmRun) -> None:
        self.run = run

    @staticmethod
    async def open(
        build: GuestBuild, linker: Linker, limits: Limits, request: ChatRequest,
        metadata: dict[str, Any], host_tools: list[ToolDefinition], budget: MemoryBudget,
    ) -> WasmSession:
        """Reserve the instance's memory from `budget` (waiting for room without blocking
        the event loop), instantiate `build` and start a run of `request` in it.

        Raises `MemoryBudgetExceeded` when no room comes in time."""
        reservation = await budget.acquire(limits.memory_bytes)

        def start() -> WasmSession:
            instance = GuestInstance(build.loaded, linker, limits, reservation)
            try:
                return WasmSession(instance.start(request, metadata, host_tools))
            except BaseException:
                instance.close()
                raise

        try:
            return await offload(start)
        except BaseException:
            reservation.release()  # if the instance was never made (it releases it too)
            raise

    async def step(self, reply: tuple[int, Reply] | None) -> list[Output]:
        """Pump the run on a guest thread."""
        return await offload(lambda: pump(self.run, reply))

    async def cancel(self) -> None:
        """Cancel the run."""
        await offload(self.run.cancel)

    async def close(self) -> None:
        """Drop the run and free its instance (waits for a call still running on a guest
        thread); the instance's memory goes back to the budget."""

        def close() -> None:
            try:
                self.run.close()
            finally:
                self.run.instance.close()

        await offload(close)
