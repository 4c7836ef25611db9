"""The `Tracer` interface: synchronous, cheap hooks over a run's lifecycle, and an async flush.

Hooks run on the event loop, between events, and must not block: a backend that exports
over the network buffers records and sends them from a task it starts (at run end or
interrupt), so the run never waits for it. `flush()` waits for those exports.
"""

from __future__ import annotations

from typing import Protocol

from .trace_records import (
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


class Tracer(Protocol):
    """Receives the records of runs. Order within a run segment: `run_start` (or
    `run_resumed` then `resume`), per turn `model_start`/`model_end` then `tool_start`/
    `tool_end` of its tools, then `interrupt`, `error` or `cancel` if any, then `run_end`."""

    def on_run_start(self, record: RunStartTrace) -> None:
        """A new run began."""
        ...

    def on_run_resumed(self, record: RunResumedTrace) -> None:
        """A paused run goes on."""
        ...

    def on_resume(self, record: ResumeTrace) -> None:
        """The answers or tool results that resumed the run."""
        ...

    def on_model_start(self, record: ModelStartTrace) -> None:
        """A model call starts."""
        ...

    def on_model_end(self, record: ModelEndTrace) -> None:
        """A model call ended."""
        ...

    def on_tool_start(self, record: ToolStartTrace) -> None:
        """A tool call starts."""
        ...

    def on_tool_end(self, record: ToolEndTrace) -> None:
        """A tool call ended or paused."""
        ...

    def on_interrupt(self, record: InterruptTrace) -> None:
        """The run pauses for a human."""
        ...

    def on_error(self, record: ErrorTrace) -> None:
        """The run failed."""
        ...

    def on_cancel(self, record: CancelTrace) -> None:
        """The run was cancelled."""
        ...

    def on_custom(self, record: CustomTrace) -> None:
        """An application-defined record."""
        ...

    def on_run_end(self, record: RunEndTrace) -> None:
        """The run, or its segment up to a pause, ended."""
        ...

    async def flush(self) -> None:
        """Wait until every record received so far is exported."""
        ...


class BaseTracer:
    """A `Tracer` whose hooks all call `on_record`; override either."""

    def on_record(self, record: TraceRecord) -> None:
        """Called by every hook not overridden; does nothing here."""

    def on_run_start(self, record: RunStartTrace) -> None:
        """A new run began."""
        self.on_record(record)

    def on_run_resumed(self, record: RunResumedTrace) -> None:
        """A paused run goes on."""
        self.on_record(record)

    def on_resume(self, record: ResumeTrace) -> None:
        """The answers or tool results that resumed the run."""
        self.on_record(record)

    def on_model_start(self, record: ModelStartTrace) -> None:
        """A model call starts."""
        self.on_record(record)

    def on_model_end(self, record: ModelEndTrace) -> None:
        """A model call ended."""
        self.on_record(record)

    def on_tool_start(self, record: ToolStartTrace) -> None:
        """A tool call starts."""
        self.on_record(record)

    def on_tool_end(self, record: ToolEndTrace) -> None:
        """A tool call ended or paused."""
        self.on_record(record)

    def on_interrupt(self, record: InterruptTrace) -> None:
        """The run pauses for a human."""
        self.on_record(record)

    def on_error(self, record: ErrorTrace) -> None:
        """The run failed."""
        self.on_record(record)

    def on_cancel(self, record: CancelTrace) -> None:
        """The run was cancelled."""
        self.on_record(record)

    def on_custom(self, record: CustomTrace) -> None:
        """An application-defined record."""
        self.on_record(record)

    def on_run_end(self, record: RunEndTrace) -> None:
        """The run, or its segment up to a pause, ended."""
        self.on_record(record)

    async def flush(self) -> None:
        """Nothing to wait for here."""


class NoTracer(BaseTracer):
    """Tracing off: the agent builds no record at all."""


NO_TRACER = NoTracer()
"""The default tracer of agents: tracing is off unless configured."""


def dispatch(tracer: Tracer, record: TraceRecord) -> None:
    """Hand `record` to the hook of `tracer` named after its type (`on_<type>`)."""
    getattr(tracer, "on_" + record.type)(record)
