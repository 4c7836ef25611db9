"""Runs that move to and from this server (see docs/handoff.md).

`POST /v1/runs/import` takes a run bundle (`remi_web.core.run_bundle`): the run becomes the
caller's, its thread one of the caller's threads, and its pending interrupts are signed
with this server's key (a bundle's tokens are never trusted: it carries none). Its log
then reads `run_resumed` and the pause (`interrupt`, or `done`); a run between turns waits
for `resume` with no payloads. `GET /v1/runs/{run_id}/export` gives the run's bundle to its
owner and marks it moved here in the same compare-and-set, so a second export, a resume or
a cancel gets `409 run_moved`: a run is never continued in two places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.errors import (
    BundleTooLarge,
    BundleVersionError,
    InvalidBundle,
    RunBusy,
    RunExists,
    RunInFlight,
    RunMoved,
    RunNotFound,
    RunNotMovable,
    StoreError,
    ThreadExists,
    UnknownBundleTool,
)
from ..core.events import AgentEvent, Done, ErrorEvent, InterruptEvent, RunResumed
from ..core.ids import RunId
from ..core.loop import AgentLoop
from ..core.output_answer import done_again
from ..core.requests import ChatRequest, RunOverrides, Start
from ..core.run_bundle import RunBundle, export_run, import_run, mark_moved, read_run_bundle
from ..core.state import Checkpoint
from ..core.wire import event_to_json
from ..remote.protocol import RUN_IMPORT_PATH, RUN_INFO_ADAPTER, RUNS_PATH, RunInfo
from ..remote.thread_protocol import MAX_THREAD_ID
from .auth import principal_of
from .body import parse_json, read_body
from .config import ServerConfig
from .event_log import LoggedEvent
from .event_record import served_event
from .limits import check_overrides
from .owners import check_owner, scoped_thread, unscoped_thread
from .principals import Principal
from .problems import HttpProblem
from .run_status import MOVED_CODE, moved, not_found, status_after
from .runs import RunService

MAX_MOVED_TO = 512
"""The longest `to` (where an exported run went) kept, in characters."""


class RunHandoff:
    """Imports and exports the runs of one served `AgentLoop`.

    Args:
        runs: the server's runs (their log, owners and signer).
        config: the server's settings (the models and budgets a run may ask for).
    """

    def __init__(self, runs: RunService, config: ServerConfig) -> None:
        self.runs = runs
        self.config = config

    async def import_run(self, document: object, principal: Principal) -> RunInfo:
        """Take over the run of `document` (a parsed bundle) for `principal`; its status
        here (pending interrupts with this server's tokens)."""
        agent = self._agent()
        bundle = _read(document)
        _check_settings(bundle.checkpoint.state.overrides, self.config)
        run_id, runs = bundle.run_id, self.runs
        if len(bundle.thread_id) > MAX_THREAD_ID:
            raise HttpProblem(
                422, "invalid_thread_id", f"A thread id has 1 to {MAX_THREAD_ID} characters.",
                "thread_id",
            )
        scoped = runs.owners is not None
        thread = scoped_thread(principal, bundle.thread_id) if scoped else bundle.thread_id
        runs.hold(run_id)
        try:
            last = await runs.log.last(run_id)
            if last is not None:
                await self._may_return(run_id, status_after(last), principal)
            with _refusals():
                checkpoint = await import_run(
                    agent.store, _without_limits(bundle), agent.tools.names(), thread_id=thread
                )
            if runs.owners is not None:
                await runs.owners.record(run_id, principal)
            sequence = 0 if last is None else last.sequence
            for event in _opening(checkpoint):
                sequence += 1
                await self._log(run_id, sequence, event)
        finally:
            runs.release(run_id)
        return await runs.info(run_id)

    async def export_run(self, run_id: RunId, principal: Principal, to: str) -> RunBundle:
        """The bundle of `run_id` for its owner; the run is marked moved (to `to`) here."""
        agent, runs = self._agent(), self.runs
        last = await runs.log.last(run_id)
        if last is None:
            raise not_found(run_id)
        if runs.owners is not None:
            check_owner(run_id, await runs.owners.owner(run_id), principal)
        runs.hold(run_id)
        try:
            last = await runs.log.last(run_id) or last
            if status_after(last) == "moved":
                raise moved(run_id)
            with _refusals():
                latest = await agent.store.latest_checkpoint(run_id)
                shown = None if latest is None else unscoped_thread(latest.thread_id)
                bundle = await export_run(
                    agent.store, run_id, agent=agent.name, tools=agent.tools.names(),
                    thread_id=shown if runs.owners is not None else None,
                    secrets=agent.secrets(),
                )
                await mark_moved(agent.store, run_id, to, sequence=bundle.checkpoint.sequence)
            note = f"The run was exported to {to}; it goes on there."
            body = event_to_json(ErrorEvent(MOVED_CODE, runs.redactor.text(note)))
            await runs.log.append(run_id, LoggedEvent(last.sequence + 1, "error", body))
        finally:
            runs.release(run_id)
        return bundle

    def _agent(self) -> AgentLoop[Any, Any]:
        agent = self.runs.agent
        if not isinstance(agent, AgentLoop):
            raise HttpProblem(
                501, "handoff_unavailable",
                "This server's agent is not an AgentLoop: its runs cannot be imported or "
                "exported.",
            )
        return agent

    async def _may_return(self, run_id: RunId, status: str, principal: Principal) -> None:
        """Refuse (409) importing a run this server knows, unless the caller owns it and it
        was exported from here (then it comes back)."""
        owners = self.runs.owners
        owner = None if owners is None else await owners.owner(run_id)
        if status != "moved" or (owner is not None and owner != principal.name):
            raise HttpProblem(
                409, "run_exists",
                f"Run {run_id!r} is on this server already; a run is held in one place at a "
                "time (continue it here, or export it from here).",
            )

    async def _log(self, run_id: RunId, sequence: int, event: AgentEvent) -> None:
        runs = self.runs
        body = served_event(
            run_id, event, signer=lambda: runs.signer, redactor=runs.redactor,
            scoped_threads=runs.owners is not None,
        )
        await runs.log.append(run_id, LoggedEvent(sequence, event.type, body))


def handoff_routes(runs: RunService, config: ServerConfig) -> list[Route]:
    """The routes of `POST /v1/runs/import` and `GET /v1/runs/{run_id}/export`."""
    handoff = RunHandoff(runs, config)

    async def import_(request: Request) -> Response:
        document = parse_json(await read_body(request, config.max_body, config.body_timeout))
        info = await handoff.import_run(document, principal_of(request))
        return Response(RUN_INFO_ADAPTER().dump_json(info), 201, media_type="application/json")

    async def export(request: Request) -> Response:
        to = request.query_params.get("to") or "the client that exported it"
        if len(to) > MAX_MOVED_TO:
            raise HttpProblem(
                422, "invalid_request", f"`to` has at most {MAX_MOVED_TO} characters.", "to"
            )
        run_id = RunId(str(request.path_params["run_id"]))
        bundle = await handoff.export_run(run_id, principal_of(request), to)
        return JSONResponse(bundle.to_json())

    return [
        Route(RUN_IMPORT_PATH, import_, methods=["POST"]),
        Route(RUNS_PATH + "/{run_id}/export", export, methods=["GET"]),
    ]


def _read(document: object) -> RunBundle:
    """The bundle of a request body (4xx naming the field at fault)."""
    if not isinstance(document, dict):
        raise HttpProblem(422, "invalid_bundle", "The body must be a run bundle (a JSON object).")
    with _refusals():
        return read_run_bundle(document)


def _without_limits(bundle: RunBundle) -> RunBundle:
    """`bundle` with its run's usage limits dropped: this server's agent sets its own."""
    checkpoint = bundle.checkpoint
    overrides = checkpoint.state.overrides
    if overrides.usage_limits is None:
        return bundle
    state = replace(checkpoint.state, overrides=replace(overrides, usage_limits=None))
    return replace(bundle, checkpoint=replace(checkpoint, state=state))


def _check_settings(overrides: RunOverrides, config: ServerConfig) -> None:
    """Refuse (422) a run asking for a model or budget this server does not offer."""
    try:
        check_overrides(ChatRequest(Start([]), overrides=overrides), config)
    except HttpProblem as problem:
        if problem.field != "overrides.usage_limits":
            problem.field = f"checkpoint.state.{problem.field}" if problem.field else None
            raise


def _opening(checkpoint: Checkpoint) -> Sequence[AgentEvent]:
    """What an imported run's log starts with: `run_resumed`, then its pause or end (a run
    between turns has neither: `resume` continues it)."""
    state = checkpoint.state
    events: list[AgentEvent] = [
        RunResumed(checkpoint.run_id, checkpoint.thread_id, state.turn, state.started_at)
    ]
    if checkpoint.status == "interrupted":
        events.append(InterruptEvent(checkpoint.run_id, list(state.pending_interrupts)))
    elif checkpoint.status == "done":
        text, output = done_again(state.messages, state.tool_state)
        events.append(Done(checkpoint.run_id, text, state.usage, output))
    return events


class _refusals:
    """Turns the core's hand-off errors into the server's refusals."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        if error is None or isinstance(error, HttpProblem):
            return
        message = str(error)
        field = getattr(error, "field", None)
        if isinstance(error, BundleTooLarge):
            raise HttpProblem(413, "bundle_too_large", message, field) from None
        if isinstance(error, BundleVersionError):
            raise HttpProblem(422, "bundle_version", message, field) from None
        if isinstance(error, UnknownBundleTool):
            raise HttpProblem(422, "unknown_tool", message, field) from None
        if isinstance(error, InvalidBundle):
            raise HttpProblem(422, "invalid_bundle", message, field) from None
        if isinstance(error, RunInFlight):
            raise HttpProblem(409, "run_in_flight", message) from None
        if isinstance(error, RunNotMovable):
            raise HttpProblem(409, "run_not_movable", message) from None
        if isinstance(error, RunMoved):
            raise HttpProblem(409, "run_moved", message) from None
        if isinstance(error, RunBusy):
            raise HttpProblem(409, "run_busy", message) from None
        if isinstance(error, RunExists):
            raise HttpProblem(409, "run_exists", message) from None
        if isinstance(error, ThreadExists):
            raise HttpProblem(409, "thread_exists", message, "thread_id") from None
        if isinstance(error, RunNotFound):
            raise HttpProblem(404, "run_not_found", message) from None
        if isinstance(error, StoreError):
            raise HttpProblem(503, "store_error", "The server's store failed; try again later.") from None
