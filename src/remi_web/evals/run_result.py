"""`RunResult`: what one replay of a case under a variant did: its answer, reasoning, tool
calls and results, usage, how it ended, and how long it took."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from ..core.events import AgentEvent, InterruptInfo
from ..core.schema_types import JsonValue, LazyAdapter
from ..core.usage import Usage

RunEnd: TypeAlias = Literal["done", "interrupted", "awaiting_tools", "cancelled", "error"]
"""How a run ended: it answered; it waits for a human (no policy answered an interrupt);
it waits for the results of tools the caller runs; it was cancelled; it failed."""


@dataclass(frozen=True, slots=True)
class ToolCallRecord:
    """A tool call the model made: its id, the tool, its JSON arguments (raw text)."""

    call_id: str
    name: str
    arguments: str

    def parsed_arguments(self) -> dict[str, JsonValue] | None:
        """The arguments as an object, or None when they are not a JSON object."""
        try:
            value = json.loads(self.arguments or "{}")
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


@dataclass(frozen=True, slots=True)
class ToolResultRecord:
    """What a tool call returned (as text), and whether it reports a failure."""

    call_id: str
    name: str
    content: str
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class InterruptRecord:
    """An interrupt answered without a human: by the agent's own router (`by="agent"`) or
    by the runner's policy (`by="runner"`), with the decision, the answer and the rule."""

    interrupt_id: str
    call_id: str
    tool_name: str
    kind: str
    decision: str
    answer: JsonValue
    rule: str
    by: Literal["agent", "runner"] = "runner"


@dataclass(frozen=True, slots=True)
class RunError:
    """Why a run failed: a stable `code` (the error event's, the exception's, or `timeout`)
    and a message."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RunResult:
    """One run of a case under a variant (repeat `repeat`, from 0).

    Args:
        final_text: the answer (`done.text`; the partial text of a cancelled run; else the
            text streamed by the last model call).
        reasoning: the model's reasoning, all of it, in order (a line break between model
            calls).
        output: the structured answer (`done.output`), if the agent has an output type.
        usage: the tokens of every model call of the run.
        tool_calls: the calls the model made, in order.
        tool_results: what they returned, in order of completion (those of tools the caller
            runs included, when the runner gave them).
        interrupts: the interrupts answered without a human.
        pending_interrupts: the interrupts still waiting (`end == "interrupted"`).
        error: why it failed (`end == "error"`).
        latency: seconds from the start of the run to its end (resumes included).
        ttft: seconds from the start to the first text delta (None: no text streamed).
        turns: model calls.
        run_id: the agent's run id, once known.
        model: the model that answered last (as its usage reports it).
        events: every event of the run; kept in memory, not in JSON.
    """

    case_id: str
    variant_id: str
    variant_label: str
    repeat: int
    end: RunEnd
    final_text: str = ""
    reasoning: str = ""
    output: JsonValue = None
    usage: Usage = field(default_factory=Usage)
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    tool_results: list[ToolResultRecord] = field(default_factory=list)
    interrupts: list[InterruptRecord] = field(default_factory=list)
    pending_interrupts: list[InterruptInfo] = field(default_factory=list)
    error: RunError | None = None
    latency: float = 0.0
    ttft: float | None = None
    turns: int = 0
    run_id: str | None = None
    model: str | None = None
    events: list[AgentEvent] = field(default_factory=list, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data, without `events`."""
        adapter = RUN_RESULT_ADAPTER()
        data: dict[str, Any] = adapter.dump_python(self, mode="json", exclude={"events"})
        return data

    @staticmethod
    def from_dict(data: object) -> RunResult:
        """A result from `to_dict`'s data (its `events` empty)."""
        return RUN_RESULT_ADAPTER().validate_python(data)


RUN_RESULT_ADAPTER = LazyAdapter[RunResult](RunResult)
"""Turns a `RunResult` into JSON and back."""
