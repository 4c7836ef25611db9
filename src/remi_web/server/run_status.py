"""Where a run stands, read off its event log: the last event says what it waits for."""

from __future__ import annotations

import json
from dataclasses import replace

from pydantic import ValidationError

from ..core.events import (
    AgentEvent,
    Cancelled,
    Done,
    ErrorEvent,
    InterruptEvent,
    NeedToolExecution,
    RunResumed,
    RunStart,
)
from ..core.ids import RunId
from ..core.output_answer import done_again
from ..core.state import Checkpoint
from ..core.wire import event_from_json
from .event_log import EventLog, LoggedEvent
from .problems import HttpProblem
from ..remote.protocol import RemoteStatus, RunInfo

_STATUS_AFTER: dict[str, RemoteStatus] = {
    "interrupt": "interrupted",
    "need_tool_execution": "awaiting_tools",
    "done": "done",
    "error": "failed",
    "cancelled": "cancelled",
}


MOVED_CODE = "run_moved"
"""The code of the `error` event that ends a run's log when the run is exported."""


def status_after(last: LoggedEvent) -> RemoteStatus:
    """The status of a run that is not streaming, given its last logged event."""
    if last.type == "error" and _moved(last.body):
        return "moved"
    return _STATUS_AFTER.get(last.type, "stalled")


def _moved(body: str) -> bool:
    """Whether a logged `error` event is the mark of a run exported from here."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("code") == MOVED_CODE


def logged_event(logged: LoggedEvent) -> AgentEvent | None:
    """The event of a log entry (None if this version cannot read it)."""
    try:
        return event_from_json(logged.body)
    except ValidationError:
        return None


async def run_info(log: EventLog, run_id: RunId, *, live: bool) -> RunInfo:
    """The run's status and what it waits for; 404 for a run the log does not know."""
    first, last = await log.first(run_id), await log.last(run_id)
    if first is None or last is None:
        raise not_found(run_id)
    opening = logged_event(first)
    thread = opening.thread_id if isinstance(opening, RunStart | RunResumed) else None
    status: RemoteStatus = "running" if live else status_after(last)
    info = RunInfo(run_id, thread, status, last.sequence)
    event = logged_event(last) if status in ("interrupted", "awaiting_tools") else None
    if isinstance(event, InterruptEvent):
        info = replace(info, pending_interrupts=list(event.interrupts))
    elif isinstance(event, NeedToolExecution):
        info = replace(info, pending_tool_calls=list(event.calls))
    return info


def expect(run_id: RunId, last: LoggedEvent, wanted: tuple[RemoteStatus, ...], action: str) -> None:
    """Refuse (409) an `action` the run is not waiting for."""
    status = status_after(last)
    if status == "moved" and status not in wanted:
        raise moved(run_id)
    if status not in wanted:
        raise HttpProblem(
            409, "run_not_resumable",
            f"Run {run_id!r} cannot take {action}: its status is {status!r}.",
        )


def moved(run_id: str) -> HttpProblem:
    """The 409 of a run exported from here: it goes on elsewhere, never here again."""
    return HttpProblem(
        409, "run_moved",
        f"Run {run_id!r} was exported from this server; it goes on where it was imported.",
    )


def not_found(run_id: str) -> HttpProblem:
    """The 404 of an unknown run."""
    return HttpProblem(404, "run_not_found", f"This server has no run {run_id!r}.")


def missed_event(run_id: RunId, checkpoint: Checkpoint | None) -> AgentEvent | None:
    """The pause or end a run's checkpoint reached but its log missed (its server died in
    between); None when the run is to be taken over instead."""
    if checkpoint is None:
        return ErrorEvent("run_lost", "The server stopped before the run's first checkpoint.")
    state = checkpoint.state
    if checkpoint.status == "interrupted":
        return InterruptEvent(run_id, list(state.pending_interrupts))
    if checkpoint.status == "awaiting_tools":
        answered = {outcome.call_id for outcome in state.completed}
        return NeedToolExecution(run_id, [c for c in state.pending_calls if c.id not in answered])
    if checkpoint.status == "done":
        text, output = done_again(state.messages, state.tool_state)
        return Done(run_id, text, state.usage, output)
    if checkpoint.status == "cancelled":
        return Cancelled(run_id)
    if checkpoint.status == "moved":  # exported, its end not logged: never taken over
        return ErrorEvent(MOVED_CODE, "The run was exported; it goes on elsewhere.")
    if checkpoint.status == "failed":
        return ErrorEvent("run_failed", "The run failed; its server stopped before saying why.")
    return None
