"""What a tool is to the loop: a `Tool`, the `ToolCtx` it runs with, and `Interrupt`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeAlias, cast

from .schema_types import JsonValue

from .content import Content
from .ctx import ChatCtx
from .deps import DepsT
from .events import Custom, SubSession, ToolProgress
from .model_io import ToolDefinition


@dataclass(frozen=True, slots=True)
class Interrupt:
    """Returned by a tool to pause the run until a human (or policy) answers.

    Args:
        kind: what is asked, e.g. "approval".
        payload: what the human needs to see to answer.
    """

    kind: str
    payload: JsonValue = None


ToolReturn: TypeAlias = Content | Interrupt
"""What running a tool gives the loop: content for the model, or an interrupt."""

ToolEvent: TypeAlias = ToolProgress | Custom | SubSession
"""What a running tool may add to the run's stream, as it happens."""

@dataclass(slots=True)
class ToolCtx(Generic[DepsT]):
    """The context of one tool call; `ToolCtx[T]` when the run's deps are a `T`.

    Args:
        call_id: the model's id for this call.
        tool_name: the tool's name.
        chat: the run's context (ids, metadata, cancellation, shared state).
        resumed: True when the call is re-invoked after an interrupt.
        resume_value: the human's answer to this call's interrupt (when `resumed`).
        state: this tool's own JSON state, kept in checkpoints across turns and resumes.
        on_event: where `progress` and `emit` send their events (set by the loop).
    """

    call_id: str
    tool_name: str
    chat: ChatCtx
    resumed: bool = False
    resume_value: JsonValue = None
    state: dict[str, JsonValue] = field(default_factory=dict)
    on_event: Callable[[ToolEvent], None] | None = None

    @property
    def deps(self) -> DepsT:
        """The run's deps (`agent.chat(request, deps=...)`), typed by the `T` of `ToolCtx[T]`
        (a bare `ToolCtx`: `Any`); None when the run was given none."""
        return cast(DepsT, self.chat.deps)

    def progress(self, data: JsonValue) -> None:
        """Report progress; it reaches the caller as a `tool_progress` event."""
        self.emit(ToolProgress(self.call_id, self.tool_name, data))

    def emit(self, event: Custom | SubSession | ToolProgress) -> None:
        """Add an event to the run's stream now (a plan changed, a sub-agent's step...).
        Events are shown live, not stored: keep what must survive in `state`."""
        if self.on_event is not None:
            self.on_event(event)


class Tool(Protocol):
    """A tool the loop can run. `@tool` makes one from a function.

    Four attributes are optional: `idempotent` (bool, default False: a crashed call is then
    never re-run without a human's answer), `timeout` (seconds, default: the agent's),
    `prepare` (a `PrepareTool` hook that changes or hides the definition per model call) and
    `deps_type` (the deps it reads, checked by `AgentBuilder.build()`; default: any).
    """

    @property
    def name(self) -> str:
        """The name the model calls it by."""
        ...

    def definition(self) -> ToolDefinition:
        """Name, description and JSON Schema, as sent to the model."""
        ...

    async def run(self, arguments: str, ctx: ToolCtx) -> ToolReturn:
        """Run with the model's raw JSON `arguments`.

        Raise `ToolInputError` for arguments the model should correct; any other
        exception also goes back to the model as a tool error.
        """
        ...
