"""How a run goes on: checks that a `Resume` or `ToolResults` fits the paused run it names,
and what a process taking over a run whose owner died must run again or ask about."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from .schema_types import JsonValue

from .errors import (
    MissingResumePayload,
    RequestError,
    RunNotFound,
    RunNotResumable,
    UnknownInterrupt,
)
from .events import InterruptInfo
from .ids import InterruptId, RunId, new_id
from .messages import ToolCallRequest
from .outcome import ToolOutcome
from .registry import ToolRegistry
from .run_moved import MOVED, moved_error
from .state import Checkpoint, LoopState, RunStatus

UNCERTAIN_OUTCOME = "uncertain_outcome"
"""The interrupt kind of a tool call whose outcome is unknown after a takeover."""

UNCERTAIN_ANSWERS = ("rerun", "skip", "fail")


@dataclass(slots=True)
class Continuation:
    """What a continued run does first: the tool calls to (re-)run with their resume
    values, or a failure chosen by a human (an uncertain outcome answered `fail`);
    `answered` holds the caller's tool results that continued it."""

    state: LoopState
    calls: list[ToolCallRequest]
    values: dict[str, JsonValue] | None = None
    failure: str | None = None
    answered: list[ToolOutcome] = field(default_factory=list)


def paused_state(
    checkpoint: Checkpoint | None, run_id: RunId, *expected: RunStatus
) -> LoopState:
    """The state of a run whose last checkpoint has one of the `expected` statuses."""
    if checkpoint is None:
        raise RunNotFound(f"No run {run_id!r} in this agent's store; start a new run instead.")
    if checkpoint.status == MOVED:
        raise moved_error(checkpoint)  # handed off: it goes on where it went, never here
    status = checkpoint.state.status
    if status not in expected:
        waiting = {
            "interrupted": "a Resume with payloads",
            "awaiting_tools": "ToolResults",
            "tools_executed": "a Resume without payloads (crash recovery)",
            "limited": "a Resume without payloads (with higher usage limits)",
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


def takeover(state: LoopState, registry: ToolRegistry) -> Continuation:
    """Continue a run whose owner died: its tool calls in flight (written before they
    started, not answered since) run again if their tool is idempotent, with the answers
    they had; any other becomes an `uncertain_outcome` interrupt. A model call in flight is
    simply made again."""
    answered = {outcome.call_id for outcome in state.completed}
    calls: list[ToolCallRequest] = []
    values: dict[str, JsonValue] = {}
    for call in state.pending_calls:
        if call.id not in state.round_calls or call.id in answered:
            continue
        tool = registry.get(call.name)
        if tool is not None and getattr(tool, "idempotent", False):
            calls.append(call)
            if call.id in state.resume_values:
                values[call.id] = state.resume_values[call.id]
        else:
            state.pending_interrupts.append(_uncertain(call))
    return Continuation(state, calls, values or None)


def answer_interrupts(state: LoopState, payloads: Mapping[str, JsonValue]) -> Continuation:
    """Continue a run paused by interrupts: tools get their payloads back, uncertain
    outcomes are settled as their answers say (`rerun`, `skip` with a `result`, `fail`)."""
    values = resume_values(state, payloads)
    kinds = {info.call_id: info.kind for info in state.pending_interrupts}
    calls: list[ToolCallRequest] = []
    given: dict[str, JsonValue] = {}
    failure = None
    for call in state.pending_calls:
        if call.id not in values:
            continue
        if kinds.get(call.id) != UNCERTAIN_OUTCOME:
            calls.append(call)
            given[call.id] = values[call.id]
            continue
        action, result = _uncertain_answer(state.run_id, call, values[call.id])
        if action == "rerun":
            calls.append(call)
            if call.id in state.resume_values:
                given[call.id] = state.resume_values[call.id]
        elif action == "skip":
            state.completed.append(ToolOutcome(call.id, result, False, call.name))
        else:
            failure = f"The outcome of tool call {call.id} ({call.name}) is unknown; the run was failed."
    state.pending_interrupts = []
    return Continuation(state, calls, given, failure)


def _uncertain(call: ToolCallRequest) -> InterruptInfo:
    payload: JsonValue = {
        "tool": call.name,
        "reason": (
            "The process running this call stopped before its result was recorded: it may or "
            "may not have run. Answer {\"action\": \"rerun\"}, {\"action\": \"skip\", "
            "\"result\": ...} (the result the model gets) or {\"action\": \"fail\"}."
        ),
        "answers": list(UNCERTAIN_ANSWERS),
    }
    return InterruptInfo(
        InterruptId(new_id()), call.id, call.name, UNCERTAIN_OUTCOME, payload, call.arguments
    )


def _uncertain_answer(run_id: RunId, call: ToolCallRequest, answer: JsonValue) -> tuple[str, str]:
    action = answer.get("action") if isinstance(answer, dict) else answer
    if action not in UNCERTAIN_ANSWERS:
        raise RequestError(
            f"Run {run_id!r}: the uncertain outcome of tool call {call.id} takes "
            f'{{"action": "rerun"}}, {{"action": "skip", "result": ...}} or '
            f'{{"action": "fail"}}, not {str(answer)[:200]}.'
        )
    result = answer.get("result", "") if isinstance(answer, dict) else ""
    return str(action), result if isinstance(result, str) else json.dumps(result)
