"""`RunTrace`: one run segment's milestones turned into tracer records.

The agent loop and `TracingLayer` both speak through it. It derives span ids from the run
(the same ids in any process), redacts every payload, remembers the model call and tool
calls still open so that an error, a cancel or an abandoned stream closes them, and keeps a
failing tracer from breaking the run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence

from ..core.schema_types import JsonValue

from ..core.content import Content, content_text
from ..core.events import (
    AgentEvent,
    Cancelled,
    Done,
    ErrorEvent,
    InterruptEvent,
    InterruptInfo,
    NeedToolExecution,
)
from ..core.ids import RunId, SpanId, ThreadId, derive_span_id, new_id, run_span_id
from ..core.messages import Message, ToolCallRequest
from ..core.model_io import ModelRequest
from ..core.outcome import ToolOutcome
from ..core.secrets import Redactor
from .trace_json import arguments_json, call_json, content_json, message_json
from .records import (
    CancelTrace,
    CustomTrace,
    ErrorTrace,
    InterruptTrace,
    ModelEndTrace,
    ModelStartTrace,
    ResumeTrace,
    RunEndStatus,
    RunEndTrace,
    RunResumedTrace,
    RunStartTrace,
    ToolEndTrace,
    ToolStartTrace,
    TraceRecord,
)
from .tracer import Tracer
from ..core.usage import Usage

_log = logging.getLogger("remi_web.tracing")
_reported: set[str] = set()
UNFINISHED_TOOL = "The run ended before this tool call finished."


class _OpenTool:
    __slots__ = ("span_id", "name", "started_at", "external")

    def __init__(self, span_id: SpanId, name: str, started_at: float, external: bool) -> None:
        self.span_id = span_id
        self.name = name
        self.started_at = started_at
        self.external = external


class RunTrace:
    """The tracer calls of one run segment (from start or resume to the next pause or end).

    Args:
        tracer: where records go.
        redactor: scrubs every payload first.
        name: the agent's name (the name of the run's root span).
        run_id, thread_id: the run.
        parent_id: the span the run is nested in, if any.
        started_at: when the run first started (earlier than now for a resumed run).
        model: the model's name when requests do not name one.
    """

    __slots__ = (
        "tracer", "redactor", "name", "run_id", "thread_id", "span_id", "parent_id",
        "started_at", "model", "turn", "_model_span", "_model_at", "_tools", "_ended",
    )

    def __init__(
        self,
        tracer: Tracer,
        redactor: Redactor,
        *,
        name: str,
        run_id: RunId,
        thread_id: ThreadId,
        parent_id: SpanId | None,
        started_at: float,
        model: str | None = None,
        turn: int = 0,
    ) -> None:
        self.tracer = tracer
        self.redactor = redactor
        self.name = name
        self.run_id = run_id
        self.thread_id = thread_id
        self.span_id = run_span_id(parent_id, run_id)
        self.parent_id = parent_id
        self.started_at = started_at
        self.model = model
        self.turn = turn
        self._model_span: SpanId | None = None
        self._model_at = 0.0
        self._tools: dict[str, _OpenTool] = {}
        self._ended = False

    def started(
        self,
        messages: Sequence[Message],
        system: str | None,
        tools: Iterable[str],
        metadata: dict[str, JsonValue],
    ) -> None:
        """The run began with these messages (history included)."""
        at = self.started_at or time.time()  # a resume places the run by this time
        self._emit(RunStartTrace(
            self.run_id, self.thread_id, self.span_id, self.parent_id, at, self.name,
            self.model, None if system is None else self.redactor.text(system),
            self._messages(messages), list(tools), self.redactor.scrub_dict(metadata),
        ))

    def resumed(
        self,
        metadata: dict[str, JsonValue],
        payloads: Mapping[str, JsonValue] | None = None,
        results: Sequence[ToolOutcome] = (),
    ) -> None:
        """The run goes on, with answers by interrupt id or with the caller's tool results
        (which end the external tool calls handed out before the pause)."""
        now = time.time()
        self._emit(RunResumedTrace(
            self.run_id, self.thread_id, self.span_id, self.parent_id, now, self.started_at,
            self.turn, self.name, self.redactor.scrub_dict(metadata),
        ))
        if payloads is not None:
            answers = self.redactor.scrub_dict(dict(payloads))
            self._emit(ResumeTrace(self.run_id, self.span_id, now, "interrupts", answers))
            return
        given: dict[str, JsonValue] = {r.call_id: content_json(r.content) for r in results}
        self._emit(ResumeTrace(
            self.run_id, self.span_id, now, "tool_results", self.redactor.scrub_dict(given)
        ))
        for result in results:
            self._tools.setdefault(
                result.call_id, _OpenTool(self._tool_span(result.name, result.call_id),
                                          result.name, 0.0, True),
            )
            self.tool_end(result.call_id, result.content, result.is_error)

    def model_start(self, turn: int, request: ModelRequest | None) -> None:
        """Model call number `turn` starts (`request` is None when only the turn is known)."""
        self.turn = turn
        self._model_span = derive_span_id(self.span_id, f"model:{turn}")
        self._model_at = time.time()
        settings: dict[str, JsonValue] = {}
        if request is not None and request.temperature is not None:
            settings["temperature"] = request.temperature
        if request is not None and request.max_tokens is not None:
            settings["max_tokens"] = request.max_tokens
        self._emit(ModelStartTrace(
            self.run_id, self._model_span, self.span_id, self._model_at, turn,
            (request.model if request is not None else None) or self.model,
            None if request is None else self._messages(request.messages),
            [] if request is None else [tool.name for tool in request.tools],
            settings,
        ))

    def model_end(
        self,
        message: Message,
        usage: Usage,
        first_token_at: float | None,
        *,
        cancelled: bool = False,
        error: str | None = None,
    ) -> None:
        """The open model call ended with `message` (partial when cancelled)."""
        span = self._model_span
        if span is None:
            return
        self._model_span = None
        redact = self.redactor
        self._emit(ModelEndTrace(
            self.run_id, span, self.span_id, time.time(), self.turn, self._model_at,
            first_token_at, redact.text(content_text(message.content)),
            None if message.reasoning is None else redact.text(message.reasoning),
            [redact.scrub(call_json(call)) for call in message.tool_calls],
            usage, cancelled, None if error is None else redact.text(error),
        ))

    def tools_started(
        self,
        calls: Sequence[ToolCallRequest],
        resume_values: Mapping[str, JsonValue] | None = None,
    ) -> None:
        """A round of local tool calls starts; calls with a resume value are re-invoked."""
        answers = resume_values or {}
        for call in calls:
            self.tool_start(call, resumed=call.id in answers, resume_value=answers.get(call.id))

    def round_ended(
        self, outcomes: Mapping[str, ToolOutcome], interrupts: Sequence[InterruptInfo]
    ) -> None:
        """The round is over: paused calls end as interrupted, the rest with their outcome
        (a cancelled call gets one too)."""
        for info in interrupts:
            self.tool_interrupted(info)
        self.tools_closed(outcomes)

    def tool_start(
        self,
        call: ToolCallRequest,
        *,
        resumed: bool = False,
        external: bool = False,
        resume_value: JsonValue = None,
    ) -> None:
        """Tool call `call` starts (or is handed to the caller, when `external`)."""
        tool = _OpenTool(self._tool_span(call.name, call.id), call.name, time.time(), external)
        self._tools[call.id] = tool
        redact = self.redactor
        self._emit(ToolStartTrace(
            self.run_id, tool.span_id, self.span_id, tool.started_at, self.turn,
            redact.text(call.id), redact.text(call.name),  # the model chose them: any text
            redact.scrub(arguments_json(call.arguments)), resumed, external,
            redact.scrub(resume_value),
        ))

    def tool_end(self, call_id: str, content: Content, is_error: bool = False) -> None:
        """Tool call `call_id` ended with `content`."""
        self._end_tool(call_id, content_json(content), is_error, False)

    def tool_interrupted(self, info: InterruptInfo) -> None:
        """Tool call `info.call_id` paused on an interrupt."""
        pause: JsonValue = {
            "interrupt_id": info.interrupt_id, "kind": info.kind, "payload": info.payload
        }
        self._end_tool(info.call_id, pause, False, True)

    def tools_closed(self, outcomes: Mapping[str, ToolOutcome]) -> None:
        """End the open local tool calls with their outcome (cancelled calls get one)."""
        for call_id in [c for c, tool in self._tools.items() if not tool.external]:
            outcome = outcomes.get(call_id)
            if outcome is None:
                self._end_tool(call_id, UNFINISHED_TOOL, True, False)
            else:
                self._end_tool(call_id, content_json(outcome.content), outcome.is_error, False)

    def interrupt(self, interrupts: Sequence[InterruptInfo]) -> None:
        """The run pauses on `interrupts` (call `end` next)."""
        shown: list[JsonValue] = [
            self.redactor.scrub({
                "interrupt_id": i.interrupt_id, "call_id": i.call_id, "tool": i.tool_name,
                "kind": i.kind, "payload": i.payload,
            })
            for i in interrupts
        ]
        self._emit(InterruptTrace(self.run_id, self.span_id, time.time(), shown))

    def cancel(self, partial_text: str) -> None:
        """The run was cancelled (call `end` next)."""
        text = self.redactor.text(partial_text)
        self._emit(CancelTrace(self.run_id, self.span_id, time.time(), text))

    def error(self, code: str, message: str) -> None:
        """The run failed (call `end` next); an open model call ends with the error."""
        self.model_end(Message.assistant(), Usage(), None, error=message)
        self._emit(ErrorTrace(self.run_id, self.span_id, time.time(), code,
                              self.redactor.text(message)))

    def custom(
        self,
        name: str,
        data: JsonValue = None,
        parent_id: SpanId | None = None,
        run_id: RunId | None = None,
    ) -> None:
        """An application-defined record under `parent_id` (default: the run's span), in
        run `run_id` (default: this run)."""
        self._emit(CustomTrace(
            run_id or self.run_id, SpanId(new_id()), parent_id or self.span_id, time.time(),
            name, self.redactor.scrub(data),
        ))

    def ended_by(self, event: AgentEvent, usage: Usage) -> None:
        """End the segment as the stream's terminal `event` says (other events: nothing)."""
        if isinstance(event, InterruptEvent):
            self.interrupted(event.interrupts, usage)
        elif isinstance(event, NeedToolExecution):
            self.handed_out(event.calls, usage)
        elif isinstance(event, Done):
            self.done(event.usage, event.text)
        elif isinstance(event, Cancelled):
            self.cancelled(event.partial_text, usage)
        elif isinstance(event, ErrorEvent):
            self.failed(event.code, event.message, usage)

    def done(self, usage: Usage, text: str) -> None:
        """The run finished with `text`."""
        self.end("done", usage, text)

    def interrupted(self, interrupts: Sequence[InterruptInfo], usage: Usage) -> None:
        """The run pauses on `interrupts`."""
        self.interrupt(interrupts)
        self.end("interrupted", usage)

    def handed_out(self, calls: Sequence[ToolCallRequest], usage: Usage) -> None:
        """The run pauses until the caller runs `calls` (external tool calls start now)."""
        for call in calls:
            if call.id not in self._tools:
                self.tool_start(call, external=True)
        self.end("awaiting_tools", usage)

    def cancelled(self, partial_text: str, usage: Usage) -> None:
        """The run was cancelled."""
        self.cancel(partial_text)
        self.end("cancelled", usage)

    def failed(self, code: str, message: str, usage: Usage) -> None:
        """The run failed."""
        self.error(code, message)
        self.end("failed", usage, error=message)

    def end(
        self,
        status: RunEndStatus,
        usage: Usage,
        output: str | None = None,
        error: str | None = None,
    ) -> None:
        """The segment ended; whatever is still open is closed first. Only the first call
        counts."""
        if self._ended:
            return
        self._ended = True
        reason = error or f"The run ended ({status}) first."
        self.model_end(Message.assistant(), Usage(), None, error=reason)
        for call_id in [c for c, tool in self._tools.items() if not tool.external]:
            self._end_tool(call_id, UNFINISHED_TOOL, True, False)
        redact = self.redactor
        self._emit(RunEndTrace(
            self.run_id, self.thread_id, self.span_id, self.parent_id, time.time(),
            self.started_at, status, None if output is None else redact.text(output), usage,
            self.turn, None if error is None else redact.text(error),
        ))

    def is_open(self, call_id: str) -> bool:
        """Whether tool call `call_id` started in this segment (or was handed out before
        it) and has not ended."""
        return call_id in self._tools

    def _end_tool(self, call_id: str, result: JsonValue, is_error: bool, paused: bool) -> None:
        tool = self._tools.pop(call_id, None)
        if tool is None:
            return
        redact = self.redactor
        self._emit(ToolEndTrace(
            self.run_id, tool.span_id, self.span_id, time.time(), self.turn,
            tool.started_at or None, redact.text(call_id), redact.text(tool.name),
            redact.scrub(result), is_error, paused, tool.external,
        ))

    def _tool_span(self, name: str, call_id: str) -> SpanId:
        # The span `run_tool_round` gives the tool's own ctx (`ctx.child(...)`), so that
        # nested agents hang under the traced tool call.
        return derive_span_id(self.span_id, f"tool:{name}:{call_id}")

    def _messages(self, messages: Sequence[Message]) -> list[JsonValue]:
        scrub = self.redactor.scrub
        return [scrub(message_json(message)) for message in messages]

    def _emit(self, record: TraceRecord) -> None:
        try:
            self.tracer.on_record(record)
        except Exception as error:  # a tracer never breaks the run
            key = f"{type(self.tracer).__qualname__}.on_{record.type}"
            if key not in _reported:
                _reported.add(key)
                _log.warning("tracer %s failed (reported once): %r", key, error)
