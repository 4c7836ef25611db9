"""`trace_custom`: add an application-defined record to the current run's trace."""

from __future__ import annotations

from ..core.schema_types import JsonValue

from ..core.ctx import ChatCtx
from .run_trace import RunTrace


def trace_custom(ctx: ChatCtx, name: str, data: JsonValue = None) -> None:
    """Record `name` with `data` under the current span of `ctx` (a tool's call, or the run).

    Does nothing when the run is not traced. `data` is redacted like every payload.
    """
    trace = ctx.get(RunTrace)  # the tracer of the agent that last entered a run here
    if trace is not None:
        trace.custom(name, data, ctx.span_id, ctx.run_id)
