"""What a tracer receives: one frozen record per milestone of a run, never one per token.

Every record names its run and its span; spans form a tree whose ids derive from the run id
(`core.ids.run_span_id`), so a run resumed in another process continues the same tree.
Payload fields are JSON that has already passed the agent's `Redactor`. Times are Unix
seconds (`time.time()`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, TypeAlias

from ..core.schema_types import JsonValue, LazyAdapter, Tagged

from ..core.ids import RunId, SpanId, ThreadId
from ..core.usage import Usage

RunEndStatus: TypeAlias = Literal[
    "done", "interrupted", "awaiting_tools", "cancelled", "failed", "abandoned"
]
"""How a run (or one segment of it, up to a pause) ended; `abandoned`: the caller stopped
reading the stream."""


@dataclass(frozen=True, slots=True)
class RunStartTrace:
    """A new run began: its input, model, system prompt, tools and metadata."""

    run_id: RunId
    thread_id: ThreadId
    span_id: SpanId
    parent_id: SpanId | None
    at: float
    name: str
    model: str | None
    system: str | None
    messages: list[JsonValue]
    tools: list[str]
    metadata: dict[str, JsonValue]
    type: Literal["run_start"] = field(default="run_start", kw_only=True)


@dataclass(frozen=True, slots=True)
class RunResumedTrace:
    """A paused run goes on (maybe in another process) under the same span; `started_at`
    is when the run first started."""

    run_id: RunId
    thread_id: ThreadId
    span_id: SpanId
    parent_id: SpanId | None
    at: float
    started_at: float
    turn: int
    name: str
    metadata: dict[str, JsonValue]
    type: Literal["run_resumed"] = field(default="run_resumed", kw_only=True)


@dataclass(frozen=True, slots=True)
class ResumeTrace:
    """What resumed the run: answers by interrupt id, or tool results by call id."""

    run_id: RunId
    span_id: SpanId
    at: float
    kind: Literal["interrupts", "tool_results"]
    payloads: dict[str, JsonValue]
    type: Literal["resume"] = field(default="resume", kw_only=True)


@dataclass(frozen=True, slots=True)
class ModelStartTrace:
    """A model call starts: the request summary (`messages` is None when not known)."""

    run_id: RunId
    span_id: SpanId
    parent_id: SpanId
    at: float
    turn: int
    model: str | None
    messages: list[JsonValue] | None
    tools: list[str]
    settings: dict[str, JsonValue]
    type: Literal["model_start"] = field(default="model_start", kw_only=True)


@dataclass(frozen=True, slots=True)
class ModelEndTrace:
    """A model call ended: the reply summarized (text, reasoning, tool calls), usage and the
    time of its first streamed event."""

    run_id: RunId
    span_id: SpanId
    parent_id: SpanId
    at: float
    turn: int
    started_at: float
    first_token_at: float | None
    text: str
    reasoning: str | None
    tool_calls: list[JsonValue]
    usage: Usage
    cancelled: bool = False
    error: str | None = None
    type: Literal["model_end"] = field(default="model_end", kw_only=True)


@dataclass(frozen=True, slots=True)
class ToolStartTrace:
    """A tool call starts: locally, re-invoked after an interrupt (`resumed`), or handed to
    the caller (`external`)."""

    run_id: RunId
    span_id: SpanId
    parent_id: SpanId
    at: float
    turn: int
    call_id: str
    name: str
    arguments: JsonValue
    resumed: bool = False
    external: bool = False
    resume_value: JsonValue = None
    type: Literal["tool_start"] = field(default="tool_start", kw_only=True)


@dataclass(frozen=True, slots=True)
class ToolEndTrace:
    """A tool call ended with a result or an error, or paused on an interrupt (then `result`
    is the interrupt); `started_at` is None when the start was traced by another process."""

    run_id: RunId
    span_id: SpanId
    parent_id: SpanId
    at: float
    turn: int
    started_at: float | None
    call_id: str
    name: str
    result: JsonValue
    is_error: bool = False
    interrupted: bool = False
    external: bool = False
    type: Literal["tool_end"] = field(default="tool_end", kw_only=True)


@dataclass(frozen=True, slots=True)
class InterruptTrace:
    """The run pauses for a human; a `run_end` with status `interrupted` follows."""

    run_id: RunId
    span_id: SpanId
    at: float
    interrupts: list[JsonValue]
    type: Literal["interrupt"] = field(default="interrupt", kw_only=True)


@dataclass(frozen=True, slots=True)
class ErrorTrace:
    """The run failed; a `run_end` with status `failed` follows."""

    run_id: RunId
    span_id: SpanId
    at: float
    code: str
    message: str
    type: Literal["error"] = field(default="error", kw_only=True)


@dataclass(frozen=True, slots=True)
class CancelTrace:
    """The run was cancelled; a `run_end` with status `cancelled` follows."""

    run_id: RunId
    span_id: SpanId
    at: float
    partial_text: str
    type: Literal["cancel"] = field(default="cancel", kw_only=True)


@dataclass(frozen=True, slots=True)
class CustomTrace:
    """An application-defined point in the trace, under span `parent_id`."""

    run_id: RunId
    span_id: SpanId
    parent_id: SpanId | None
    at: float
    name: str
    data: JsonValue
    type: Literal["custom"] = field(default="custom", kw_only=True)


@dataclass(frozen=True, slots=True)
class RunEndTrace:
    """The run, or its segment up to a pause, ended: status, final text, total usage."""

    run_id: RunId
    thread_id: ThreadId
    span_id: SpanId
    parent_id: SpanId | None
    at: float
    started_at: float
    status: RunEndStatus
    output: str | None
    usage: Usage
    turns: int
    error: str | None = None
    type: Literal["run_end"] = field(default="run_end", kw_only=True)


TraceRecord: TypeAlias = Annotated[
    RunStartTrace
    | RunResumedTrace
    | ResumeTrace
    | ModelStartTrace
    | ModelEndTrace
    | ToolStartTrace
    | ToolEndTrace
    | InterruptTrace
    | ErrorTrace
    | CancelTrace
    | CustomTrace
    | RunEndTrace,
    Tagged("type"),
]
"""Any trace record."""

TRACE_RECORD_ADAPTER = LazyAdapter[TraceRecord](TraceRecord)
"""Turns any trace record into JSON and back."""
