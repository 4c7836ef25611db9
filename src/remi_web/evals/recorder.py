"""`RunRecorder`: reads a run's events (over all its segments) into a `RunResult`."""

from __future__ import annotations

from collections.abc import Callable

from ..core.content import Content, content_text
from ..core.events import (
    AgentEvent,
    Cancelled,
    Done,
    ErrorEvent,
    InterruptAnswered,
    InterruptEvent,
    InterruptInfo,
    NeedToolExecution,
    RunResumed,
    RunStart,
    TextDelta,
    ThinkingDelta,
    ToolCallReady,
    ToolResult,
    TurnStart,
    UsageEvent,
)
from ..core.schema_types import JsonValue
from ..core.usage import Usage
from .run_result import (
    InterruptRecord,
    RunEnd,
    RunError,
    RunResult,
    ToolCallRecord,
    ToolResultRecord,
)


class RunRecorder:
    """Collects what a run's events say; `result()` gives the `RunResult`.

    Args:
        clock: seconds, monotonic (the runner's; tests inject their own).
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.started = clock()
        self.first_text: float | None = None
        self.events: list[AgentEvent] = []
        self.turn_text: list[str] = []
        self.reasoning: list[str] = [""]  # one entry per model call that reasoned
        self.usage = Usage()
        self.usage_seen = False
        self.tool_calls: list[ToolCallRecord] = []
        self.tool_results: list[ToolResultRecord] = []
        self.interrupts: list[InterruptRecord] = []
        self.pending: list[InterruptInfo] = []
        self.turns = 0
        self.run_id: str | None = None
        self.model: str | None = None
        self.end: RunEnd | None = None
        self.final_text: str | None = None
        self.output: JsonValue = None
        self.error: RunError | None = None

    def see(self, event: AgentEvent) -> None:
        """Take one event into account."""
        self.events.append(event)
        if isinstance(event, TextDelta):
            if self.first_text is None:
                self.first_text = self.clock()
            self.turn_text.append(event.text)
        elif isinstance(event, ThinkingDelta):
            self.reasoning[-1] += event.text
        elif isinstance(event, TurnStart):
            self.turns += 1
            self.turn_text = []
            if self.reasoning[-1]:
                self.reasoning.append("")
        elif isinstance(event, ToolCallReady):
            self.tool_calls.append(ToolCallRecord(event.call_id, event.name, event.arguments))
        elif isinstance(event, ToolResult):
            text = content_text(event.content)
            record = ToolResultRecord(event.call_id, event.name, text, event.is_error)
            self.tool_results.append(record)
        elif isinstance(event, UsageEvent):
            self.usage, self.usage_seen = self.usage + event.usage, True
            self.model = event.model or self.model
        elif isinstance(event, RunStart | RunResumed):
            self.run_id, self.end, self.pending = event.run_id, None, []
        elif isinstance(event, InterruptAnswered):
            self.interrupts.append(InterruptRecord(
                event.interrupt_id, event.call_id, event.tool_name, event.kind, event.decision,
                event.answer, event.rule, "agent",
            ))
        else:
            self._terminal(event)

    def _terminal(self, event: AgentEvent) -> None:
        if isinstance(event, Done):
            self.end, self.final_text, self.output = "done", event.text, event.output
            if not self.usage_seen:
                self.usage = event.usage
        elif isinstance(event, InterruptEvent):
            self.end, self.pending = "interrupted", list(event.interrupts)
        elif isinstance(event, NeedToolExecution):
            self.end = "awaiting_tools"
        elif isinstance(event, Cancelled):
            self.end, self.final_text = "cancelled", event.partial_text or None
        elif isinstance(event, ErrorEvent):
            self.end, self.error = "error", RunError(event.code, event.message)

    def answered(self, record: InterruptRecord) -> None:
        """Record an interrupt the runner's policy answered."""
        self.interrupts.append(record)

    def external_result(self, call_id: str, name: str, content: Content) -> None:
        """Record the result the runner gave a tool the caller runs (no event carries it)."""
        self.tool_results.append(ToolResultRecord(call_id, name, content_text(content)))

    def failed(self, error: RunError) -> None:
        """The run failed outside its events (an exception, a timeout)."""
        self.end, self.error = "error", error

    def cancelled(self) -> None:
        """The run was cancelled before it could end by itself."""
        self.end = "cancelled"

    def result(self, case_id: str, variant_id: str, variant_label: str, repeat: int) -> RunResult:
        """The `RunResult`, timed now."""
        ended = self.clock()
        end, error = self.end, self.error
        if end is None:
            end, error = "error", RunError(
                "incomplete_stream", "The agent's stream ended without a terminal event."
            )
        text = self.final_text if self.final_text is not None else "".join(self.turn_text)
        return RunResult(
            case_id, variant_id, variant_label, repeat, end,
            final_text=text,
            reasoning="\n".join(part for part in self.reasoning if part),
            output=self.output,
            usage=self.usage,
            tool_calls=list(self.tool_calls),
            tool_results=list(self.tool_results),
            interrupts=list(self.interrupts),
            pending_interrupts=list(self.pending) if end == "interrupted" else [],
            error=error,
            latency=ended - self.started,
            ttft=None if self.first_text is None else self.first_text - self.started,
            turns=self.turns,
            run_id=self.run_id,
            model=self.model,
            events=list(self.events),
        )
