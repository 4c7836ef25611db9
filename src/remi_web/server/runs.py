"""`RunService`: starts, continues, cancels and describes the runs of the served agent.

Each run's stream is driven by one asyncio task of its own, apart from the HTTP
connection: every event is signed (interrupts), numbered, written to the event log, then
fanned out to the readers. So a reader may leave and come back (`Last-Event-ID`), and the
log always holds what was sent.

A run whose log stops short of a pause or an end (its server died) is recovered: `recover`
takes it over once its lease has expired (the agent's checkpoint says what was in flight),
or writes the pause or end its checkpoint reached but its log missed. The server sweeps for
such runs at start-up and every `recover_every` seconds.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import logging
import re
import time
from dataclasses import replace

from ..core.content import content_text
from ..core.ctx import ChatCtx
from ..core.errors import RemiError
from ..core.events import (
    TERMINAL_TYPES,
    AgentEvent,
    Cancelled,
    Done,
    ErrorEvent,
    InterruptEvent,
    NeedToolExecution,
    RunResumed,
    RunStart,
)
from ..core.ids import RunId, new_id, new_run_id, new_thread_id
from ..core.requests import ChatRequest, Resume, ToolResults
from ..core.run_claim import DEFAULT_LEASE_SECONDS
from ..core.run_close import close_run
from ..core.secrets import Redactor
from ..core.state import Checkpoint
from ..core.store import CheckpointStore
from ..core.wire import event_to_json
from .agent_source import ServedAgent
from .approvals import ApprovalLedger, check_approvals, consume_approvals
from .event_log import EventLog, LoggedEvent
from ..remote.frames import json_frame
from .live_run import LiveRun, Subscription
from .problems import HttpProblem, problem_for
from ..remote.protocol import RunInfo
from .run_status import expect, logged_event, not_found, run_info, status_after
from .limits import too_many_runs
from .owners import RunOwners, scoped_thread, unscoped_thread
from .principals import ANONYMOUS, Principal
from .signing import ApprovalSigner

_log = logging.getLogger("remi_web.server")

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"]+", re.IGNORECASE)  # never shown to clients


class RunService:
    """The runs of one served agent.

    Args:
        agent: the agent.
        checkpoints: where the agent keeps its checkpoints (to check approvals against the
            call that would run, and to mark cancelled paused runs).
        log: the event log.
        ledger: answered interrupts.
        signer: signs and checks approval tokens.
        reconnect_grace: seconds a run survives without readers.
        cancel_wait: seconds a cancel waits for a live run to stop.
        allow_edits: whether approval answers may edit the call's arguments.
        recover_every: seconds between sweeps for runs to recover (None: no sweeping).
        settle_after: how old a checkpoint must be before a sweep logs the pause or end
            its server did not (the agent's lease: that server is surely gone by then).
        owners: who owns which run (None: no ownership, every caller may touch any run).
        approver: "other": a run's interrupts must be answered by another principal than
            the one who started it.
        max_runs, max_runs_per_principal: live runs at once (429 beyond).
        run_timeout: seconds a run may stream before it is cancelled.
        redactor: scrubs the served agent's secrets from error events.
    """

    def __init__(
        self,
        agent: ServedAgent,
        checkpoints: CheckpointStore,
        log: EventLog,
        ledger: ApprovalLedger,
        signer: ApprovalSigner,
        *,
        reconnect_grace: float,
        cancel_wait: float,
        allow_edits: bool,
        recover_every: float | None = None,
        settle_after: float = DEFAULT_LEASE_SECONDS,
        owners: RunOwners | None = None,
        approver: str = "any",
        max_runs: int | None = None,
        max_runs_per_principal: int | None = None,
        run_timeout: float | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.agent = agent
        self.checkpoints = checkpoints
        self.log = log
        self.ledger = ledger
        self.signer = signer
        self.reconnect_grace = reconnect_grace
        self.cancel_wait = cancel_wait
        self.allow_edits = allow_edits
        self.live: dict[RunId, LiveRun] = {}
        self._busy: set[RunId] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.recover_every = recover_every
        self.settle_after = settle_after
        self._sweeper: asyncio.Task[None] | None = None
        self.owners = owners
        self.approver = approver
        self.max_runs = max_runs
        self.max_runs_per_principal = max_runs_per_principal
        self.run_timeout = run_timeout
        self.redactor = redactor if redactor is not None else Redactor()
        self._running: Counter[str] = Counter()  # runs launching or streaming, by principal

    async def start(self, request: ChatRequest, principal: Principal = ANONYMOUS) -> LiveRun:
        """Start a run (`input` is `Start`); returns once its first event is out. The run
        belongs to `principal`, and so does its thread."""
        self._check_capacity(principal)
        if self.owners is not None:
            thread = request.thread_id or new_thread_id()
            request = replace(request, thread_id=scoped_thread(principal, thread))
        return await self._launch(request, ChatCtx(run_id=new_run_id()), None, principal)

    async def resume(
        self, run_id: RunId, request: ChatRequest, principal: Principal = ANONYMOUS
    ) -> LiveRun:
        """Continue a paused run after checking every answer's approval token."""
        resume = request.input
        assert isinstance(resume, Resume)
        owner = self._allowed(run_id, principal, answering=bool(resume.payloads))
        if resume.payloads and self.approver == "other" and owner == principal.name:
            raise HttpProblem(
                403, "approval_forbidden",
                f"Run {run_id!r} was started by {principal.name!r}: on this server another "
                "principal (with the approve scope) answers its interrupts.",
                "authorization",
            )
        self._check_capacity(principal)
        last = self._reserve(run_id)
        consumed: list[str] = []
        try:
            if resume.payloads:
                if not any(self.ledger.answered(run_id, iid) for iid in resume.payloads):
                    expect(run_id, last, ("interrupted", "stalled"), "resume")
                issued = logged_event(last)
                pending = issued.interrupts if isinstance(issued, InterruptEvent) else []
                check_approvals(
                    resume,
                    {info.interrupt_id: info for info in pending},
                    self.signer,
                    self.ledger,
                    waiting_calls=await self._waiting_calls(run_id),
                    allow_edits=self.allow_edits,
                )
            expect(run_id, last, ("interrupted", "stalled"), "resume")
            consumed = consume_approvals(resume, self.ledger)
            return await self._launch(request, ChatCtx(run_id=run_id), run_id, principal)
        except BaseException:
            if consumed:
                self.ledger.release(run_id, consumed)
            self._busy.discard(run_id)
            raise

    async def tool_results(
        self, run_id: RunId, request: ChatRequest, principal: Principal = ANONYMOUS
    ) -> LiveRun:
        """Continue a run waiting for the caller's tool results."""
        results = request.input
        assert isinstance(results, ToolResults)
        self._allowed(run_id, principal)
        self._check_capacity(principal)
        last = self._reserve(run_id)
        consumed: list[str] = []
        try:
            expect(run_id, last, ("awaiting_tools",), "tool-results")
            consumed = [f"tool-result:{r.call_id}" for r in results.results]
            used = self.ledger.consume(run_id, consumed)
            if used:
                consumed = []
                raise HttpProblem(
                    409, "tool_results_replayed",
                    f"Tool call {used[0].split(':', 1)[1]!r} of run {run_id!r} was already "
                    "answered; a tool result counts once.",
                    "input.results",
                )
            return await self._launch(request, ChatCtx(run_id=run_id), run_id, principal)
        except BaseException:
            if consumed:
                self.ledger.release(run_id, consumed)
            self._busy.discard(run_id)
            raise

    async def recover(
        self, run_id: RunId, settled_for: float = 0.0, principal: Principal | None = None
    ) -> int:
        """Recover a run whose log stopped short of a pause or an end; the sequence of its
        last event before the recovery (read on from there).

        The run is taken over (`Resume(run_id, {})`: a lease not yet expired answers 409
        `run_busy`), or, if its checkpoint got further than its log, the missing pause or
        end is logged (once the checkpoint is `settled_for` seconds old: another server may
        still be about to log it). A recovered run goes on without readers until it pauses or
        ends. `principal`: who asks (None: the server's own sweep).
        """
        if principal is not None:
            self._allowed(run_id, principal)
        last = self._reserve(run_id)
        try:
            status = status_after(last)
            if status != "stalled":
                raise HttpProblem(
                    409, "run_not_resumable",
                    f"Run {run_id!r} is {status}: there is nothing to recover.",
                )
            try:
                checkpoint = await self.checkpoints.latest_checkpoint(run_id)
            except Exception as error:
                raise problem_for(error) from error
            missed = _missed_event(run_id, checkpoint)
            if missed is not None and checkpoint is not None and (
                time.time() - checkpoint.created_at < settled_for
            ):
                raise HttpProblem(409, "run_busy", f"Run {run_id!r} may still be logging.")
            if missed is not None:
                self._record(run_id, last.sequence + 1, missed)
                self._busy.discard(run_id)
                return last.sequence
            request = ChatRequest(Resume(run_id, {}))
            await self._launch(request, ChatCtx(run_id=run_id), run_id, unattended=True)
            return last.sequence
        except BaseException:
            self._busy.discard(run_id)
            raise

    async def recover_stalled(self) -> list[RunId]:
        """One sweep: recover every run of the log that stopped short and is not live
        here; the runs recovered (a run held elsewhere is left for a later sweep)."""
        recovered: list[RunId] = []
        for run_id in self.log.unfinished():
            if run_id in self.live or run_id in self._busy:
                continue
            try:
                await self.recover(run_id, self.settle_after)
            except HttpProblem as problem:
                if problem.code != "run_busy":
                    _log.warning("could not recover run %s: %s", run_id, problem.message)
                continue
            except Exception:
                _log.exception("could not recover run %s", run_id)
                continue
            recovered.append(run_id)
        if recovered:
            _log.info("recovered %d run(s)", len(recovered))
        return recovered

    def start_sweeping(self) -> None:
        """Recover stalled runs now and every `recover_every` seconds (if set)."""
        if self.recover_every is not None and self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep(self.recover_every))

    async def _sweep(self, every: float) -> None:
        while True:
            try:
                await self.recover_stalled()
            except Exception:
                _log.exception("the recovery sweep failed")
            await asyncio.sleep(every)

    def subscribe(
        self, run_id: RunId, after: int, principal: Principal | None = None
    ) -> Subscription:
        """A reader of the run from event `after` on: the log first, then live."""
        if self.log.last(run_id) is None:
            raise not_found(run_id)
        if principal is not None:
            self._allowed(run_id, principal, answering=True)
        logged = self.log.read(run_id, after)
        backlog = [json_frame(event.sequence, event.type, event.body) for event in logged]
        seen = logged[-1].sequence if logged else after
        return Subscription(backlog, self.live.get(run_id), seen)

    def info(self, run_id: RunId, principal: Principal | None = None) -> RunInfo:
        """The run's status and what it waits for, from its event log."""
        info = run_info(self.log, run_id, live=run_id in self.live)
        if principal is not None:
            self._allowed(run_id, principal, answering=True)
        return info

    async def cancel(self, run_id: RunId, principal: Principal | None = None) -> RunInfo:
        """Cancel a live run (and wait for it to stop) or a paused one."""
        if self.log.last(run_id) is not None and principal is not None:
            self._allowed(run_id, principal)
        live = self.live.get(run_id)
        if live is not None:
            live.ctx.cancel()
            try:
                await asyncio.wait_for(asyncio.shield(live.ended), self.cancel_wait)
            except TimeoutError:
                _log.warning("run %s did not stop within %.1f s of its cancel", run_id, self.cancel_wait)
            return self.info(run_id)
        if run_id in self._busy:
            raise HttpProblem(409, "run_busy", f"Run {run_id!r} is starting; cancel it again.")
        info = self.info(run_id)
        if info.status in ("done", "failed", "cancelled"):
            if info.status == "cancelled":
                return info
            raise HttpProblem(
                409, "run_not_resumable", f"Run {run_id!r} already ended ({info.status})."
            )
        await self._cancel_checkpoint(run_id)
        self._append(run_id, info.last_event_id + 1, Cancelled(run_id))
        return self.info(run_id)

    async def close(self) -> None:
        """Cancel the live runs and wait (briefly) for their tasks to end."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for live in list(self.live.values()):
            live.ctx.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.cancel_wait)
        for task in list(self._tasks):
            task.cancel()

    def _allowed(self, run_id: RunId, principal: Principal, answering: bool = False) -> str | None:
        """Refuse (404) a principal that may not touch the run; the run's owner."""
        if self.log.last(run_id) is None:
            raise not_found(run_id)
        if self.owners is None:
            return None
        return self.owners.check(run_id, principal, reading_or_answering=answering)

    def _check_capacity(self, principal: Principal) -> None:
        """Refuse (429) a run over the server's or the principal's limit."""
        if self.max_runs is not None and self._running.total() >= self.max_runs:
            raise too_many_runs("This server", self.max_runs)
        limit = self.max_runs_per_principal
        if limit is not None and self._running[principal.name] >= limit:
            raise too_many_runs(f"Principal {principal.name!r}", limit)

    def _reserve(self, run_id: RunId) -> LoggedEvent:
        """Reserve the run for one continuation; its last logged event."""
        last = self.log.last(run_id)
        if last is None:
            raise not_found(run_id)
        if run_id in self.live or run_id in self._busy:
            raise HttpProblem(
                409, "run_busy", f"Run {run_id!r} is streaming; wait for its end first."
            )
        self._busy.add(run_id)
        return last

    async def _waiting_calls(self, run_id: RunId) -> dict[str, str] | None:
        try:
            checkpoint = await self.checkpoints.latest_checkpoint(run_id)
        except Exception as error:  # an unreadable checkpoint: 503, the run can be cancelled
            raise problem_for(error) from error
        if checkpoint is None or checkpoint.state.status != "interrupted":
            return None
        return {call.id: call.arguments for call in checkpoint.state.pending_calls}

    async def _cancel_checkpoint(self, run_id: RunId) -> None:
        """Mark a paused (or orphaned, or unreadable) run's checkpoint cancelled, so the
        agent will not continue it."""
        try:
            await close_run(self.checkpoints, run_id, "cancelled")
        except Exception as error:
            raise problem_for(error) from error

    async def _launch(
        self,
        request: ChatRequest,
        ctx: ChatCtx,
        claimed: RunId | None,
        principal: Principal = ANONYMOUS,
        unattended: bool = False,
    ) -> LiveRun:
        """Start driving the agent's stream in a task of its own; the live run once its
        first event is out, or the refusal the agent raised before it. An `unattended` run
        is never cancelled for lack of readers."""
        ready: asyncio.Future[LiveRun] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._drive(request, ctx, claimed, ready, principal, unattended))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(ready)  # a request cancelled meanwhile leaves the run be

    async def _drive(
        self,
        request: ChatRequest,
        ctx: ChatCtx,
        claimed: RunId | None,
        ready: asyncio.Future[LiveRun],
        principal: Principal = ANONYMOUS,
        unattended: bool = False,
    ) -> None:
        stream = self.agent.chat(request, ctx)
        live: LiveRun | None = None
        ended = False
        deadline: asyncio.TimerHandle | None = None
        self._running[principal.name] += 1  # counts against the limits from now on
        try:
            try:
                first = await anext(stream)
            except StopAsyncIteration:
                _refuse(ready, HttpProblem(500, "empty_stream", "The agent answered with no event."))
                return
            except Exception as error:
                _refuse(ready, problem_for(error))
                return
            run_id = claimed or _run_of(first) or ctx.run_id or RunId(new_id())
            if run_id in self.live:
                _refuse(ready, HttpProblem(409, "run_busy", f"Run {run_id!r} is streaming."))
                return
            last = self.log.last(run_id)
            grace = None if unattended else self.reconnect_grace
            live = LiveRun(run_id, ctx, last.sequence if last else 0, grace)
            self.live[run_id] = live
            if claimed is None and self.owners is not None:
                self.owners.record(run_id, principal)
            if self.run_timeout is not None:
                deadline = asyncio.get_running_loop().call_later(self.run_timeout, ctx.cancel)
            ended = self._publish(live, first)
            ready.set_result(live)
            if not ended:
                async for event in stream:
                    if self._publish(live, event):
                        ended = True
                        break
        except Exception as error:
            if live is None:
                _refuse(ready, problem_for(error))
                return
            code = error.code if isinstance(error, RemiError) else "internal"
            _log.error("run %s failed mid-stream", live.run_id, exc_info=error)
            ended = self._publish_quietly(live, ErrorEvent(code, str(error) or type(error).__name__))
        finally:
            self._running[principal.name] -= 1
            if not self._running[principal.name]:
                del self._running[principal.name]
            if deadline is not None:
                deadline.cancel()
            if live is not None:
                if not ended:
                    reason = "the server stopped" if ctx.cancelled else "the agent stopped"
                    self._publish_quietly(
                        live, ErrorEvent("incomplete_stream", f"{reason} before the run ended.")
                    )
                live.finish()
                self.live.pop(live.run_id, None)
            if claimed is not None:
                self._busy.discard(claimed)
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()

    def _publish(self, live: LiveRun, event: AgentEvent) -> bool:
        """Sign, number, log and send one event; whether it ends the stream."""
        sequence = live.last_sequence + 1
        body = self._record(live.run_id, sequence, event)
        live.publish(json_frame(sequence, event.type, body))
        return event.type in TERMINAL_TYPES

    def _record(self, run_id: RunId, sequence: int, event: AgentEvent) -> str:
        """Sign (interrupts) and log one event as number `sequence`; its JSON. A scoped
        thread id is shown as its principal knows it."""
        if self.owners is not None and isinstance(event, RunStart | RunResumed):
            event = replace(event, thread_id=unscoped_thread(event.thread_id))
        if isinstance(event, ErrorEvent):
            message = self.redactor.text(event.message)
            if _URL.search(message):
                _log.warning("run %s failed: %s", run_id, message)  # the detail stays here
                message = _URL.sub("<the model endpoint>", message)
            event = replace(event, message=message)
        if isinstance(event, InterruptEvent):
            event = replace(
                event,
                interrupts=[
                    replace(info, token=self.signer.sign(run_id, info.interrupt_id, info.arguments))
                    for info in event.interrupts
                ],
            )
        body = event_to_json(event)
        self.log.append(run_id, LoggedEvent(sequence, event.type, body))
        return body

    def _publish_quietly(self, live: LiveRun, event: AgentEvent) -> bool:
        try:
            return self._publish(live, event)
        except Exception:
            _log.exception("could not record the end of run %s", live.run_id)
            return True

    def _append(self, run_id: RunId, sequence: int, event: AgentEvent) -> None:
        self.log.append(run_id, LoggedEvent(sequence, event.type, event_to_json(event)))


def _missed_event(run_id: RunId, checkpoint: Checkpoint | None) -> AgentEvent | None:
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
        last = state.messages[-1] if state.messages else None
        text = content_text(last.content) if last is not None else ""
        return Done(run_id, text, state.usage)
    if checkpoint.status == "cancelled":
        return Cancelled(run_id)
    if checkpoint.status == "failed":
        return ErrorEvent("run_failed", "The run failed; its server stopped before saying why.")
    return None


def _run_of(event: AgentEvent) -> RunId | None:
    return event.run_id if isinstance(event, RunStart | RunResumed) else None


def _refuse(ready: asyncio.Future[LiveRun], problem: HttpProblem) -> None:
    """Hand the refusal to the waiting request (and retrieve it, should nobody wait)."""
    if not ready.done():
        ready.set_exception(problem)
        ready.add_done_callback(lambda future: future.exception())
