"""`LoopWatch`: an agent loop's run segment, seen through its events and facts, as `RunTrace`
calls."""

from __future__ import annotations

from ..core.ctx import ChatCtx
from ..core.events import AgentEvent, ToolResult
from ..core.observer import ModelCalled, ModelReturned, RoundEnded, RunFact, RunSegment, ToolsCalled
from ..core.usage import Usage
from .run_trace import RunTrace
from .tracer import Tracer


class LoopWatch:
    """Traces one segment of an `AgentLoop` run (a `RunWatch`)."""

    __slots__ = ("trace", "usage")

    def __init__(self, trace: RunTrace, usage: Usage) -> None:
        self.trace = trace
        self.usage = usage

    @classmethod
    def open(cls, tracer: Tracer, segment: RunSegment, ctx: ChatCtx) -> LoopWatch:
        """Start tracing `segment`; `trace_custom` finds its trace through `ctx`."""
        trace = RunTrace(
            tracer, segment.redactor, name=segment.name, run_id=segment.run_id,
            thread_id=segment.thread_id, parent_id=segment.parent_id,
            started_at=segment.started_at, model=segment.model, turn=segment.turn,
        )
        ctx.put(trace)
        if segment.resumed:
            trace.resumed(segment.metadata, segment.payloads, segment.results)
        else:
            trace.started(segment.messages, segment.system, segment.tools, segment.metadata)
        return cls(trace, segment.usage)

    def see(self, item: AgentEvent | RunFact) -> None:
        """Record what `item` tells."""
        trace = self.trace
        if isinstance(item, ModelCalled):
            trace.model_start(item.turn, item.request)
        elif isinstance(item, ModelReturned):
            self.usage = self.usage + item.usage
            trace.model_end(item.message, item.usage, item.first_token_at,
                            cancelled=item.cancelled)
        elif isinstance(item, ToolsCalled):
            trace.tools_started(item.calls, item.resume_values)
        elif isinstance(item, ToolResult):
            trace.tool_end(item.call_id, item.content, item.is_error)
        elif isinstance(item, RoundEnded):
            trace.round_ended(item.outcomes, item.interrupts)
        else:
            trace.ended_by(item, self.usage)

    def close(self) -> None:
        """The stream is over; a segment not ended yet was abandoned by its reader."""
        self.trace.end("abandoned", self.usage)
