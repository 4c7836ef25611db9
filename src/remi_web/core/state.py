"""`LoopState`, the resumable bookkeeping of a run, and the `Checkpoint` that stores it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import JsonValue, TypeAdapter

from .events import InterruptInfo
from .ids import CheckpointId, RunId, SpanId, ThreadId
from .messages import Message, ToolCallRequest
from .model_io import ToolDefinition
from .outcome import ToolOutcome
from .requests import RunOverrides
from .run_status import RunStatus
from .usage import Usage

STATE_VERSION = 1

__all__ = ["CHECKPOINT_ADAPTER", "STATE_VERSION", "Checkpoint", "LoopState", "RunStatus"]



@dataclass(slots=True)
class LoopState:
    """Everything needed to continue a run in another process. Versioned and JSON-safe.

    `started_at` (Unix seconds) and `trace_parent` (the span the run is nested in) let a
    resumed run continue the same trace.
    """

    run_id: RunId
    thread_id: ThreadId
    messages: list[Message] = field(default_factory=list)
    history_len: int = 0
    turn: int = 0
    status: RunStatus = "running"
    pending_calls: list[ToolCallRequest] = field(default_factory=list)
    pending_interrupts: list[InterruptInfo] = field(default_factory=list)
    completed: list[ToolOutcome] = field(default_factory=list)
    external_tools: list[ToolDefinition] = field(default_factory=list)
    overrides: RunOverrides = field(default_factory=RunOverrides)
    metadata: dict[str, JsonValue] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    tool_state: dict[str, JsonValue] = field(default_factory=dict)
    sequence: int = 0
    started_at: float = 0.0
    trace_parent: SpanId | None = None
    version: int = STATE_VERSION


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A stored `LoopState`; `sequence` grows by one per checkpoint of the run."""

    id: CheckpointId
    run_id: RunId
    thread_id: ThreadId
    sequence: int
    status: RunStatus
    state: LoopState
    created_at: float


CHECKPOINT_ADAPTER: TypeAdapter[Checkpoint] = TypeAdapter(Checkpoint)
"""Turns a `Checkpoint` into JSON and back (what durable stores write)."""
