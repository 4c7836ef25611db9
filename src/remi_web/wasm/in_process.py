"""`InProcessSession`: a guest run in the host's own interpreter (no WebAssembly).

It runs exactly the code a component runs, so the protocol and the host's side of it can be
tested natively and fast; it gives no isolation.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.loop import AgentLoop
from ..core.model_io import ToolDefinition
from ..core.requests import ChatRequest
from ..guest.protocol import Output, Reply
from ..guest.run import GuestRun
from .session import pump


class InProcessSession:
    """A `GuestSession` around a `GuestRun` of `agent`."""

    def __init__(
        self, agent: AgentLoop, request: ChatRequest, host_tools: Sequence[ToolDefinition] = ()
    ) -> None:
        self.run = GuestRun(agent, request, host_tools)

    async def step(self, reply: tuple[int, Reply] | None) -> list[Output]:
        """Pump the run inline."""
        return pump(self.run, reply)

    async def cancel(self) -> None:
        """Cancel the run."""
        self.run.cancel()

    async def close(self) -> None:
        """Close the run."""
        self.run.close()
