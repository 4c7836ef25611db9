"""Checks that a `Resume` or `ToolResults` request fits the paused run it names."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue

from .events import InterruptInfo
from .errors import (
    MissingResumePayload,
    RequestError,
    RunNotFound,
    RunNotResumable,
    UnknownInterrupt,
)
from .ids import RunId
from .outcome import ToolOutcome
from .registry import ToolRegistry
from .state import Checkpoint, LoopState, RunStatus


def paused_state(
    checkpoint: Checkpoint | None, run_id: RunId, *expected: RunStatus
) -> LoopState:
    """The state of a run whose last checkpoint has one of the `expected` statuses."""
    if checkpoint is None:
        raise RunNotFound(f"No run {run_id!r} in this agent's store; start a new run instead.")
    status = checkpoint.state.status
    if status not in expected:
        waiting = {
            "interrupted": "a Resume with payloads",
            "awaiting_tools": "ToolResults",
            "tools_executed": "a Resume without payloads (crash recovery)",
        }
        hint = f" It is waiting for {waiting[status]}." if status in waiting else ""
        raise RunNotResumable(
            f"Run {run_id!r} cannot take this request: its status is {status!r}.{hint}"
        )
    return checkpoint.state


def resume_values(state: LoopState, payloads: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """Map each pending interrupt's tool call id to its payload; all must be answered.

    A run stopped after a tool round (`tools_executed`, e.g. its process died) takes no
    payloads: resuming it simply makes the next model call.
    """
    pending: dict[str, InterruptInfo] = {i.interrupt_id: i for i in state.pending_interrupts}
    unknown = sorted(set(payloads) - set(pending))
    if unknown:
        raise UnknownInterrupt(
            f"Run {state.run_id!r} has no pending interrupt {', '.join(unknown)}; "
            f"pending: {', '.join(sorted(pending)) or 'none'}."
        )
    missing = sorted(set(pending) - set(payloads))
    if missing:
        raise MissingResumePayload(
            f"Resume of run {state.run_id!r} lacks a payload for interrupt {', '.join(missing)}."
        )
    return {pending[iid].call_id: payload for iid, payload in payloads.items()}


def external_results(
    state: LoopState, registry: ToolRegistry, results: list[ToolOutcome]
) -> list[ToolOutcome]:
    """The caller's results, named after their calls; every waiting call must be answered."""
    done = {outcome.call_id for outcome in state.completed}
    waiting = {c.id: c for c in state.pending_calls if c.id not in done and c.name not in registry}
    given = {outcome.call_id for outcome in results}
    unknown = sorted(given - set(waiting))
    if unknown:
        raise RequestError(
            f"Run {state.run_id!r} is not waiting for tool call {', '.join(unknown)}; "
            f"waiting: {', '.join(sorted(waiting)) or 'none'}."
        )
    missing = sorted(set(waiting) - given)
    if missing:
        raise RequestError(
            f"ToolResults for run {state.run_id!r} lacks tool call {', '.join(missing)}."
        )
    return [
        ToolOutcome(r.call_id, r.content, r.is_error, r.name or waiting[r.call_id].name)
        for r in results
    ]
