"""`RunObserver`: how something outside the loop (a tracer, usually) watches a run.

The loop knows nothing of tracing. When a run segment begins (a start or a resume) it asks
its observer for a `RunWatch`; the watch then sees every event but the per-token deltas,
plus the few facts that events do not carry (the model request, when a call's first token
came, which tool calls a round runs, how the round ended). With no watch, the loop does no
extra work at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from .schema_types import JsonValue

from .ctx import ChatCtx
from .events import AgentEvent, InterruptInfo
from .ids import RunId, SpanId, ThreadId
from .messages import Message, ToolCallRequest
from .model_io import ModelRequest
from .outcome import ToolOutcome
from .secrets import Redactor
from .usage import Usage


@dataclass(frozen=True, slots=True)
class RunSegment:
    """A run segment begins: a new run (`resumed` False) or a paused run going on.

    `messages` is the whole conversation so far; `payloads` the resume answers by interrupt
    id, `results` the caller's tool results (for a `ToolResults` resume).
    """

    name: str
    run_id: RunId
    thread_id: ThreadId
    parent_id: SpanId | None
    started_at: float
    model: str | None
    turn: int
    usage: Usage
    messages: Sequence[Message]
    system: str | None
    tools: Sequence[str]
    metadata: dict[str, JsonValue]
    redactor: Redactor
    resumed: bool = False
    payloads: Mapping[str, JsonValue] | None = None
    results: Sequence[ToolOutcome] = ()


@dataclass(frozen=True, slots=True)
class ModelCalled:
    """Model call number `turn` starts with `request`."""

    turn: int
    request: ModelRequest


@dataclass(frozen=True, slots=True)
class ModelReturned:
    """The model call ended with `message` (partial when cancelled)."""

    message: Message
    usage: Usage
    first_token_at: float | None
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class ToolsCalled:
    """A round of local tool calls starts; calls with a resume value are re-invoked."""

    calls: Sequence[ToolCallRequest]
    resume_values: Mapping[str, JsonValue] | None


@dataclass(frozen=True, slots=True)
class RoundEnded:
    """The tool round is over: outcomes by call id, and the calls that paused."""

    outcomes: Mapping[str, ToolOutcome]
    interrupts: Sequence[InterruptInfo]


RunFact = ModelCalled | ModelReturned | ToolsCalled | RoundEnded
"""What a watch learns beside the events."""


class RunWatch(Protocol):
    """Watches one run segment."""

    def see(self, item: AgentEvent | RunFact) -> None:
        """An event (never a text, thinking or argument delta) or a fact, in run order."""
        ...

    def close(self) -> None:
        """The segment's stream is over (also when the caller stopped reading it)."""
        ...


class RunObserver(Protocol):
    """Something that may watch the runs of an agent loop."""

    def watch(self, segment: RunSegment, ctx: ChatCtx) -> RunWatch | None:
        """A watch for `segment`, or None to leave it unwatched."""
        ...


class NoObserver:
    """Watches nothing: the loop's default."""

    def watch(self, segment: RunSegment, ctx: ChatCtx) -> RunWatch | None:
        """Never a watch."""
        return None


NO_OBSERVER = NoObserver()
"""The default observer of agent loops: nothing watches their runs."""
