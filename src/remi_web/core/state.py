"""`LoopState`, the resumable bookkeeping of a run, and the `Checkpoint` that stores it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .schema_types import JsonValue, LazyAdapter

from .events import InterruptInfo
from .ids import CheckpointId, RunId, SpanId, ThreadId
from .messages import Message, ToolCallRequest
from .model_io import ToolDefinition
from .outcome import ToolOutcome
from .requests import RunOverrides
from .run_status import RunStatus
from .usage import Usage

STATE_VERSION = 3
"""The version of `LoopState` this code writes; older ones are migrated on load
(`checkpoint_codec`), newer ones refused."""

__all__ = ["CHECKPOINT_ADAPTER", "STATE_VERSION", "Checkpoint", "Lease", "LoopState", "RunStatus"]



@dataclass(slots=True)
class LoopState:
    """Everything needed to continue a run in another process. Versioned and JSON-safe.

    `started_at` (Unix seconds) and `trace_parent` (the span the run is nested in) let a
    resumed run continue the same trace. `round_calls` are the ids of the local tool calls of
    a round in flight (written before they start), `resume_values` the answers they were
    re-invoked with: what a process taking the run over needs to know. `tool_calls` counts
    the local tool calls executed (for `UsageLimits`; model calls are counted by `turn`).
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
    round_calls: list[str] = field(default_factory=list)
    resume_values: dict[str, JsonValue] = field(default_factory=dict)
    tool_calls: int = 0
    version: int = STATE_VERSION


@dataclass(frozen=True, slots=True)
class Lease:
    """Who runs a `running` run, and until when (Unix seconds) unless renewed."""

    owner: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A stored `LoopState`; `sequence` grows by one per checkpoint of the run. A `running`
    checkpoint carries the `lease` of the process running it."""

    id: CheckpointId
    run_id: RunId
    thread_id: ThreadId
    sequence: int
    status: RunStatus
    state: LoopState
    created_at: float
    lease: Lease | None = None


CHECKPOINT_ADAPTER = LazyAdapter[Checkpoint](Checkpoint)
"""Turns a `Checkpoint` into JSON and back (what durable stores write)."""
