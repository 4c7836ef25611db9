"""`BaseTracer`: the usual base of tracing backends; it also makes any backend an observer of
an `AgentLoop` (`AgentBuilder().tracer(backend)`)."""

from __future__ import annotations

from ..core.ctx import ChatCtx
from ..core.observer import RunSegment, RunWatch
from .loop_watch import LoopWatch
from .records import (
    CancelTrace,
    CustomTrace,
    ErrorTrace,
    InterruptTrace,
    ModelEndTrace,
    ModelStartTrace,
    ResumeTrace,
    RunEndTrace,
    RunResumedTrace,
    RunStartTrace,
    ToolEndTrace,
    ToolStartTrace,
    TraceRecord,
)


class BaseTracer:
    """A `Tracer` whose `on_record` calls the hook named after the record's type
    (`on_run_start`, `on_tool_end`...); override `on_record` or the hooks you need."""

    def on_record(self, record: TraceRecord) -> None:
        """Hand `record` to its hook."""
        getattr(self, "on_" + record.type)(record)

    def on_run_start(self, record: RunStartTrace) -> None:
        """A new run began."""

    def on_run_resumed(self, record: RunResumedTrace) -> None:
        """A paused run goes on."""

    def on_resume(self, record: ResumeTrace) -> None:
        """The answers or tool results that resumed the run."""

    def on_model_start(self, record: ModelStartTrace) -> None:
        """A model call starts."""

    def on_model_end(self, record: ModelEndTrace) -> None:
        """A model call ended."""

    def on_tool_start(self, record: ToolStartTrace) -> None:
        """A tool call starts."""

    def on_tool_end(self, record: ToolEndTrace) -> None:
        """A tool call ended or paused."""

    def on_interrupt(self, record: InterruptTrace) -> None:
        """The run pauses for a human."""

    def on_error(self, record: ErrorTrace) -> None:
        """The run failed."""

    def on_cancel(self, record: CancelTrace) -> None:
        """The run was cancelled."""

    def on_custom(self, record: CustomTrace) -> None:
        """An application-defined record."""

    def on_run_end(self, record: RunEndTrace) -> None:
        """The run, or its segment up to a pause, ended."""

    async def flush(self) -> None:
        """Nothing to wait for here."""

    def watch(self, segment: RunSegment, ctx: ChatCtx) -> RunWatch:
        """Trace an agent loop's run segment (see `RunObserver`)."""
        return LoopWatch.open(self, segment, ctx)
