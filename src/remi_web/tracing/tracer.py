"""The `Tracer` interface: what a tracing backend implements, a synchronous `on_record` per trace
record and an async `flush`.

Records arrive on the event loop, between events, never per token, and `on_record` must not
block: a backend that exports over the network buffers records and sends them from a task it
starts (at run end or interrupt), so the run never waits for it. `flush()` waits for those
exports. Backends usually subclass `BaseTracer`, which also lets an `AgentLoop` use them.
"""

from __future__ import annotations

from typing import Final, Protocol

from ..core.observer import NO_OBSERVER, NoObserver
from .records import TraceRecord


class Tracer(Protocol):
    """Receives the records of runs. Order within a run segment: `run_start` (or
    `run_resumed` then `resume`), per turn `model_start`/`model_end` then `tool_start`/
    `tool_end` of its tools, then `interrupt`, `error` or `cancel` if any, then `run_end`."""

    def on_record(self, record: TraceRecord) -> None:
        """One record of a run."""
        ...

    async def flush(self) -> None:
        """Wait until every record received so far is exported."""
        ...


NoTracer = NoObserver
"""Tracing off."""

NO_TRACER: Final = NO_OBSERVER
"""The default tracer of agents: tracing is off unless configured."""
