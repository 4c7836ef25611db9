"""The one event stream: every event an agent yields, as a frozen dataclass with a `type`.

A stream ends with exactly one of `done`, `interrupt` (after its `checkpoint`),
`need_tool_execution`, `error` or `cancelled`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, TypeAlias

from .schema_types import JsonValue, Tagged

from .content import Content
from .ids import CheckpointId, InterruptId, RunId, ThreadId
from .messages import ToolCallRequest
from .run_status import RunStatus
from .usage import Usage


@dataclass(frozen=True, slots=True)
class RunStart:
    """A new run began (at `started_at`, Unix seconds)."""

    run_id: RunId
    thread_id: ThreadId
    metadata: dict[str, JsonValue] = field(default_factory=dict)
    started_at: float = 0.0
    type: Literal["run_start"] = field(default="run_start", kw_only=True)


@dataclass(frozen=True, slots=True)
class RunResumed:
    """A paused run goes on (after `Resume` or `ToolResults`), with the same run id;
    `started_at` is when the run first started (Unix seconds)."""

    run_id: RunId
    thread_id: ThreadId
    turn: int
    started_at: float = 0.0
    type: Literal["run_resumed"] = field(default="run_resumed", kw_only=True)


@dataclass(frozen=True, slots=True)
class TurnStart:
    """A model call is about to start; `turn` counts from 1."""

    turn: int
    type: Literal["turn_start"] = field(default="turn_start", kw_only=True)


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the assistant's reply; deltas concatenate to the final text."""

    text: str
    type: Literal["text_delta"] = field(default="text_delta", kw_only=True)


@dataclass(frozen=True, slots=True)
class ThinkingDelta:
    """A piece of the model's reasoning."""

    text: str
    type: Literal["thinking_delta"] = field(default="thinking_delta", kw_only=True)


@dataclass(frozen=True, slots=True)
class ToolCallStart:
    """The model began a tool call."""

    call_id: str
    name: str
    type: Literal["tool_call_start"] = field(default="tool_call_start", kw_only=True)


@dataclass(frozen=True, slots=True)
class ToolCallArgsDelta:
    """A fragment of a tool call's JSON arguments."""

    call_id: str
    delta: str
    type: Literal["tool_call_args_delta"] = field(default="tool_call_args_delta", kw_only=True)


@dataclass(frozen=True, slots=True)
class ToolCallReady:
    """A tool call is complete; `arguments` is the concatenation of its deltas."""

    call_id: str
    name: str
    arguments: str
    type: Literal["tool_call_ready"] = field(default="tool_call_ready", kw_only=True)


@dataclass(frozen=True, slots=True)
class ToolProgress:
    """A running tool reported progress."""

    call_id: str
    name: str
    data: JsonValue
    type: Literal["tool_progress"] = field(default="tool_progress", kw_only=True)


@dataclass(frozen=True, slots=True)
class ToolResult:
    """A tool finished; `content` is what the model will read."""

    call_id: str
    name: str
    content: Content
    is_error: bool = False
    type: Literal["tool_result"] = field(default="tool_result", kw_only=True)


@dataclass(frozen=True, slots=True)
class NeedToolExecution:
    """The model called tools this agent does not run; answer with `ToolResults`."""

    run_id: RunId
    calls: list[ToolCallRequest]
    type: Literal["need_tool_execution"] = field(default="need_tool_execution", kw_only=True)


@dataclass(frozen=True, slots=True)
class InterruptInfo:
    """One pending interrupt: which tool call paused, why, and what it shows the human.

    `token` is set by an HTTP server (`remi_web.server`): the signed approval token a
    `Resume` must present for this interrupt. In-process runs leave it `None`.
    """

    interrupt_id: InterruptId
    call_id: str
    tool_name: str
    kind: str
    payload: JsonValue
    arguments: str = "{}"
    token: str | None = None


@dataclass(frozen=True, slots=True)
class InterruptEvent:
    """The run paused for input; answer with `Resume(run_id, payloads)`."""

    run_id: RunId
    interrupts: list[InterruptInfo]
    type: Literal["interrupt"] = field(default="interrupt", kw_only=True)


@dataclass(frozen=True, slots=True)
class InterruptAnswered:
    """The agent's `InterruptRouter` answered an interrupt itself (no human asked): its
    `decision` (approve, deny, answer), the `answer` the tool is resumed with, and the `rule`."""

    run_id: RunId
    interrupt_id: InterruptId
    call_id: str
    tool_name: str
    kind: str
    decision: str
    answer: JsonValue
    rule: str
    type: Literal["interrupt_answered"] = field(default="interrupt_answered", kw_only=True)


@dataclass(frozen=True, slots=True)
class CheckpointEvent:
    """The run's state was stored; the run can go on from here."""

    checkpoint_id: CheckpointId
    run_id: RunId
    sequence: int
    status: RunStatus
    type: Literal["checkpoint"] = field(default="checkpoint", kw_only=True)


@dataclass(frozen=True, slots=True)
class UsageEvent:
    """Token usage of one model call; `model` names the model that answered, if known."""

    usage: Usage
    model: str | None = None
    type: Literal["usage"] = field(default="usage", kw_only=True)


@dataclass(frozen=True, slots=True)
class ModelRetry:
    """The model call failed before its stream started and is tried again in `delay` seconds:
    retry `attempt` of at most `max_retries`, because of `reason` (the error, redacted)."""

    attempt: int
    max_retries: int
    delay: float
    reason: str
    type: Literal["model_retry"] = field(default="model_retry", kw_only=True)


@dataclass(frozen=True, slots=True)
class TurnEnd:
    """A turn (model call plus its tool round) ended."""

    turn: int
    type: Literal["turn_end"] = field(default="turn_end", kw_only=True)


@dataclass(frozen=True, slots=True)
class SubSession:
    """An event of a sub-agent run inside tool call `parent_call_id`."""

    parent_call_id: str
    agent_name: str
    sub_run_id: RunId
    event: JsonValue
    type: Literal["sub_session"] = field(default="sub_session", kw_only=True)


@dataclass(frozen=True, slots=True)
class Custom:
    """An application-defined event."""

    name: str
    data: JsonValue = None
    type: Literal["custom"] = field(default="custom", kw_only=True)


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """The run failed; `code` is stable, `message` says what happened."""

    code: str
    message: str
    type: Literal["error"] = field(default="error", kw_only=True)


@dataclass(frozen=True, slots=True)
class Cancelled:
    """The run was cancelled; text streamed so far is kept in `partial_text`."""

    run_id: RunId
    partial_text: str = ""
    type: Literal["cancelled"] = field(default="cancelled", kw_only=True)


@dataclass(frozen=True, slots=True)
class Done:
    """The run finished with the assistant's final text and the run's total usage; `output`
    is the structured answer's JSON (`AgentBuilder.output_type`; None without one)."""

    run_id: RunId
    text: str
    usage: Usage = field(default_factory=Usage)
    output: JsonValue = None
    type: Literal["done"] = field(default="done", kw_only=True)


AgentEvent: TypeAlias = Annotated[
    RunStart
    | RunResumed
    | TurnStart
    | TextDelta
    | ThinkingDelta
    | ToolCallStart
    | ToolCallArgsDelta
    | ToolCallReady
    | ToolProgress
    | ToolResult
    | NeedToolExecution
    | InterruptEvent
    | InterruptAnswered
    | CheckpointEvent
    | UsageEvent
    | ModelRetry
    | TurnEnd
    | SubSession
    | Custom
    | ErrorEvent
    | Cancelled
    | Done,
    Tagged("type"),
]
"""Any event of the stream."""

TERMINAL_TYPES = frozenset({"done", "interrupt", "need_tool_execution", "error", "cancelled"})
"""The `type`s that end a stream."""
