"""`OpenTelemetryTracer`: runs as OpenTelemetry spans, after the GenAI semantic conventions.

Needs `opentelemetry-api` (the `otel` extra); exporting is the job of the span processors
of the tracer provider you configure (in the browser, use a processor without threads,
e.g. `SimpleSpanProcessor`).

Spans: `invoke_agent {name}` per run segment (from a start or resume to the next pause or
end), `chat {model}` per model call, `execute_tool {tool}` per tool call. A root run's trace
id and the parent span id of its segments derive from its run id, so every segment of a run
(a resume in another process included) lands in one trace under one parent; that parent,
the run span itself, is never emitted (backends show it as the trace's root). A run nested
in a traced tool call becomes a child of that call's span.
"""

from __future__ import annotations

import json
import uuid
from typing import TypeAlias

from opentelemetry import trace as otel
from opentelemetry.context import Context
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
)
from opentelemetry.util.types import AttributeValue
from ..core.schema_types import JsonValue

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
)
from .base import BaseTracer
from ..core.usage import Usage

Attributes: TypeAlias = dict[str, AttributeValue]
_LOW_64 = (1 << 64) - 1


def _ns(at: float) -> int:
    return int(at * 1e9)


def _json(value: JsonValue) -> str:
    return json.dumps(value, ensure_ascii=False)


def run_context(run_span_id: str) -> Context:
    """The remote parent of a root run's segments: trace id and span id from its run span."""
    number = uuid.UUID(run_span_id).int
    span = SpanContext(
        trace_id=number or 1,
        span_id=(number & _LOW_64) or 1,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    return otel.set_span_in_context(NonRecordingSpan(span))


class _Open:
    __slots__ = ("span", "run")

    def __init__(self, span: Span, run: str) -> None:
        self.span = span
        self.run = run


class OpenTelemetryTracer(BaseTracer):
    """Turns trace records into OpenTelemetry spans.

    Args:
        tracer_provider: where spans go (default: the global provider).
        capture_content: also record messages, system prompt, tool arguments and results
            (redacted) as `gen_ai.*` attributes; off by default, as the conventions advise.
        provider_name: the `gen_ai.provider.name` of model calls (e.g. "openai").
    """

    def __init__(
        self,
        *,
        tracer_provider: otel.TracerProvider | None = None,
        capture_content: bool = False,
        provider_name: str | None = None,
    ) -> None:
        provider = tracer_provider or otel.get_tracer_provider()
        self._tracer = provider.get_tracer("remi_web")
        self.capture_content = capture_content
        self.provider_name = provider_name
        self._open: dict[str, _Open] = {}

    def on_run_start(self, record: RunStartTrace) -> None:
        """Open the run's first segment span."""
        attributes = self._agent_attributes(record.name, record.thread_id, record.run_id)
        attributes["remi.segment"] = "start"
        if record.model:
            attributes["gen_ai.request.model"] = record.model
        if self.capture_content:
            attributes["gen_ai.input.messages"] = _json(record.messages)
            if record.system is not None:
                attributes["gen_ai.system_instructions"] = record.system
        self._segment(record.span_id, record.parent_id, record.name, record.at, attributes)

    def on_run_resumed(self, record: RunResumedTrace) -> None:
        """Open a segment span for the resumed run, in the same trace."""
        attributes = self._agent_attributes(record.name, record.thread_id, record.run_id)
        attributes["remi.segment"] = "resume"
        attributes["remi.turn"] = record.turn
        self._segment(record.span_id, record.parent_id, record.name, record.at, attributes)

    def on_resume(self, record: ResumeTrace) -> None:
        """Note what resumed the run on its segment span."""
        attributes: Attributes = {"remi.resume.kind": record.kind,
                                  "remi.resume.count": len(record.payloads)}
        if self.capture_content:
            attributes["remi.resume.payloads"] = _json(record.payloads)
        self._event(record.span_id, "remi.resume", record.at, attributes)

    def on_model_start(self, record: ModelStartTrace) -> None:
        """Open a `chat` span."""
        attributes: Attributes = {"gen_ai.operation.name": "chat", "remi.turn": record.turn}
        if record.model:
            attributes["gen_ai.request.model"] = record.model
        if self.provider_name:
            attributes["gen_ai.provider.name"] = self.provider_name
        for name in ("temperature", "max_tokens"):
            value = record.settings.get(name)
            if isinstance(value, (int, float)):
                attributes[f"gen_ai.request.{name}"] = value
        if self.capture_content and record.messages is not None:
            attributes["gen_ai.input.messages"] = _json(record.messages)
        name = f"chat {record.model}" if record.model else "chat"
        self._child(record.span_id, record.parent_id, name, SpanKind.CLIENT, record.at,
                    attributes)

    def on_model_end(self, record: ModelEndTrace) -> None:
        """Close the `chat` span with usage, finish reason and time to first chunk."""
        opened = self._open.pop(record.span_id, None)
        if opened is None:
            return
        span = opened.span
        _set_usage(span, record.usage)
        reason = "cancelled" if record.cancelled else "error" if record.error else (
            "tool_calls" if record.tool_calls else "stop")
        span.set_attribute("gen_ai.response.finish_reasons", [reason])
        if record.first_token_at is not None:
            span.set_attribute("gen_ai.response.time_to_first_chunk",
                               max(0.0, record.first_token_at - record.started_at))
        if self.capture_content:
            message: dict[str, JsonValue] = {"role": "assistant", "content": record.text}
            if record.tool_calls:
                message["tool_calls"] = record.tool_calls
            span.set_attribute("gen_ai.output.messages", _json([message]))
        if record.error is not None:
            span.set_attribute("error.type", "model_error")
            span.set_status(Status(StatusCode.ERROR, record.error))
        span.end(_ns(record.at))

    def on_tool_start(self, record: ToolStartTrace) -> None:
        """Open an `execute_tool` span."""
        attributes: Attributes = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": record.name,
            "gen_ai.tool.call.id": record.call_id,
            "gen_ai.tool.type": "extension" if record.external else "function",
            "remi.turn": record.turn,
            "remi.tool.resumed": record.resumed,
            "remi.tool.external": record.external,
        }
        if self.capture_content:
            attributes["gen_ai.tool.call.arguments"] = _json(record.arguments)
        self._child(record.span_id, record.parent_id, f"execute_tool {record.name}",
                    SpanKind.INTERNAL, record.at, attributes)

    def on_tool_end(self, record: ToolEndTrace) -> None:
        """Close the `execute_tool` span (one is made for a call started elsewhere)."""
        opened = self._open.pop(record.span_id, None)
        if opened is None:
            attributes: Attributes = {
                "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": record.name,
                "gen_ai.tool.call.id": record.call_id, "remi.tool.external": record.external,
            }
            start = record.started_at if record.started_at is not None else record.at
            self._child(record.span_id, record.parent_id, f"execute_tool {record.name}",
                        SpanKind.INTERNAL, start, attributes)
            opened = self._open.pop(record.span_id)
        span = opened.span
        if self.capture_content:
            span.set_attribute("gen_ai.tool.call.result", _json(record.result))
        span.set_attribute("remi.tool.interrupted", record.interrupted)
        if record.is_error:
            span.set_attribute("error.type", "tool_error")
            text = record.result if isinstance(record.result, str) else _json(record.result)
            span.set_status(Status(StatusCode.ERROR, text))
        span.end(_ns(record.at))

    def on_interrupt(self, record: InterruptTrace) -> None:
        """Note the pause on the segment span."""
        attributes: Attributes = {"remi.interrupt.count": len(record.interrupts)}
        if self.capture_content:
            attributes["remi.interrupts"] = _json(record.interrupts)
        self._event(record.span_id, "remi.interrupt", record.at, attributes)

    def on_error(self, record: ErrorTrace) -> None:
        """Mark the segment span as failed."""
        opened = self._open.get(record.span_id)
        if opened is not None:
            opened.span.set_attribute("error.type", record.code)
            opened.span.set_status(Status(StatusCode.ERROR, record.message))
            self._event(record.span_id, "exception", record.at,
                        {"exception.type": record.code, "exception.message": record.message})

    def on_cancel(self, record: CancelTrace) -> None:
        """Note the cancel on the segment span."""
        self._event(record.span_id, "remi.cancel", record.at,
                    {"remi.partial_text.length": len(record.partial_text)})

    def on_custom(self, record: CustomTrace) -> None:
        """An event named after the record on its parent span (a tool call, or the run)."""
        if record.parent_id is not None:
            self._event(record.parent_id, record.name, record.at, {"remi.data": _json(record.data)})

    def on_run_end(self, record: RunEndTrace) -> None:
        """Close the segment span and whatever of the run is still open."""
        children = [k for k, o in self._open.items() if o.run == record.span_id != k]
        for key in children:
            self._open.pop(key).span.end(_ns(record.at))
        opened = self._open.pop(record.span_id, None)
        if opened is None:
            return
        span = opened.span
        span.set_attribute("remi.run.status", record.status)
        span.set_attribute("remi.run.turns", record.turns)
        _set_usage(span, record.usage)
        if record.status == "failed" and record.error:
            span.set_status(Status(StatusCode.ERROR, record.error))
        span.end(_ns(record.at))

    def _agent_attributes(self, name: str, thread_id: str, run_id: str) -> Attributes:
        attributes: Attributes = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": name,
            "gen_ai.conversation.id": thread_id,
            "remi.run_id": run_id,
        }
        if self.provider_name:
            attributes["gen_ai.provider.name"] = self.provider_name
        return attributes

    def _segment(
        self, span_id: str, parent_id: str | None, name: str, at: float, attributes: Attributes
    ) -> None:
        parent = self._open.get(parent_id) if parent_id is not None else None
        context = (
            otel.set_span_in_context(parent.span) if parent is not None else run_context(span_id)
        )
        ambient = otel.get_current_span().get_span_context()
        links = [Link(ambient)] if ambient.is_valid else []
        span = self._tracer.start_span(
            f"invoke_agent {name}", context, SpanKind.INTERNAL, attributes, links, _ns(at)
        )
        self._open[span_id] = _Open(span, span_id)

    def _child(
        self,
        span_id: str,
        run_span_id: str,
        name: str,
        kind: SpanKind,
        at: float,
        attributes: Attributes,
    ) -> None:
        run = self._open.get(run_span_id)
        context = otel.set_span_in_context(run.span) if run is not None else run_context(
            run_span_id)
        span = self._tracer.start_span(name, context, kind, attributes, start_time=_ns(at))
        self._open[span_id] = _Open(span, run_span_id)

    def _event(self, span_id: str, name: str, at: float, attributes: Attributes) -> None:
        opened = self._open.get(span_id)
        if opened is not None:
            opened.span.add_event(name, attributes, _ns(at))


def _set_usage(span: Span, usage: Usage) -> None:
    span.set_attribute("gen_ai.usage.input_tokens", usage.prompt_tokens)
    span.set_attribute("gen_ai.usage.output_tokens", usage.completion_tokens)
