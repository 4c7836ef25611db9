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
import time
from dataclasses import replace

from ..core.ctx import ChatCtx
from ..core.errors import CheckpointConflict, RemiError
from ..core.events import (
    TERMINAL_TYPES,
    AgentEvent,
    Cancelled,
    ErrorEvent,
    InterruptEvent,
    RunResumed,
    RunStart,
)
from ..core.ids import RunId, new_id, new_run_id, new_thread_id
from ..core.requests import ChatRequest, Resume, ToolResults
from ..core.run_claim import DEFAULT_LEASE_SECONDS, lease_expired
from ..core.run_close import close_run
from ..core.secrets import Redactor
from ..core.store import CheckpointStore
from ..core.wire import event_to_json
from .agent_source import ServedAgent
from .approvals import check_approvals, consume_approvals
from .database import ServerDatabase
from .event_log import PAUSES_AND_ENDS, LogConflict, LoggedEvent
from .event_record import served_event
from .log_tail import LogTail
from ..remote.frames import json_frame
from .live_run import LiveRun, Subscription
from .problems import HttpProblem, problem_for
from ..remote.protocol import RunInfo
from .run_status import (
    expect, logged_event, missed_event, moved, not_found, run_info, status_after,
)
from .limits import too_many_runs
from .owners import check_owner, scoped_thread
from .principals import ANONYMOUS, Principal
from .signing import ApprovalSigner

_log = logging.getLogger("remi_web.server")



class RunService:
    """The runs of one served agent.

    Args:
        agent: the agent.
        checkpoints: where the agent keeps its checkpoints (to check approvals against the
            call that would run, and to mark cancelled paused runs).
        db: the server's tables (event log, answered interrupts, owners) and the other
            servers of the database.
        signer: signs and checks approval tokens (None: the key stored in `db`, read by
            `open`).
        reconnect_grace: seconds a run survives without readers.
        cancel_wait: seconds a cancel waits for a live run to stop.
        allow_edits: whether approval answers may edit the call's arguments.
        recover_every: seconds between sweeps for runs to recover (None: no sweeping).
        settle_after: how old a checkpoint must be before a sweep logs the pause or end
            its server did not (the agent's lease: that server is surely gone by then).
        owned: whether runs belong to who started them (False: every caller may touch any
            run).
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
        db: ServerDatabase,
        signer: ApprovalSigner | None,
        *,
        reconnect_grace: float,
        cancel_wait: float,
        allow_edits: bool,
        recover_every: float | None = None,
        settle_after: float = DEFAULT_LEASE_SECONDS,
        owned: bool = False,
        approver: str = "any",
        max_runs: int | None = None,
        max_runs_per_principal: int | None = None,
        run_timeout: float | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.agent = agent
        self.checkpoints = checkpoints
        self.db = db
        self.log = db.events
        self.ledger = db.ledger
        self.cluster = db.cluster
        self._signer = signer
        self.reconnect_grace = reconnect_grace
        self.cancel_wait = cancel_wait
        self.allow_edits = allow_edits
        self.live: dict[RunId, LiveRun] = {}
        self._busy: set[RunId] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.recover_every = recover_every
        self.settle_after = settle_after
        self._sweeper: asyncio.Task[None] | None = None
        self.owners = db.owners if owned else None
        self.approver = approver
        self.max_runs = max_runs
        self.max_runs_per_principal = max_runs_per_principal
        self.run_timeout = run_timeout
        self.redactor = redactor if redactor is not None else Redactor()
        self._running: Counter[str] = Counter()  # runs launching or streaming, by principal
        self._cancelled: set[RunId] = set()  # cancels heard while the run was starting here

    @property
    def signer(self) -> ApprovalSigner:
        """The signer of approval tokens (after `open`)."""
        if self._signer is None:
            raise RuntimeError("RunService.open() reads the approval key first")
        return self._signer

    async def open(self) -> None:
        """Read (or make) the approval key, listen to the other servers, and start the
        recovery sweeps."""
        if self._signer is None:
            self._signer = ApprovalSigner(await self.db.stored_key())
        await self.cluster.start(self._heard_cancel)
        self.start_sweeping()

    def _heard_cancel(self, run_id: RunId) -> None:
        """Some server was asked to cancel `run_id`: stop it if it streams here."""
        live = self.live.get(run_id)
        if live is not None:
            live.ctx.cancel()
        elif run_id in self._busy:
            self._cancelled.add(run_id)

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
        owner = await self._allowed(run_id, principal, answering=bool(resume.payloads))
        if resume.payloads and self.approver == "other" and owner == principal.name:
            raise HttpProblem(
                403, "approval_forbidden",
                f"Run {run_id!r} was started by {principal.name!r}: on this server another "
                "principal (with the approve scope) answers its interrupts.",
                "authorization",
            )
        self._check_capacity(principal)
        last = await self._reserve(run_id)
        consumed: list[str] = []
        try:
            if resume.payloads and await self._answer_taken_by_the_dead(run_id, resume, last):
                request = ChatRequest(Resume(run_id, {}))  # go on where the dead server was
                return await self._launch(request, ChatCtx(run_id=run_id), run_id, principal)
            if resume.payloads:
                if not await self._any_answered(run_id, list(resume.payloads)):
                    expect(run_id, last, ("interrupted", "stalled"), "resume")
                issued = logged_event(last)
                pending = issued.interrupts if isinstance(issued, InterruptEvent) else []
                await check_approvals(
                    resume,
                    {info.interrupt_id: info for info in pending},
                    self.signer,
                    self.ledger,
                    waiting_calls=await self._waiting_calls(run_id),
                    allow_edits=self.allow_edits,
                )
            expect(run_id, last, ("interrupted", "stalled"), "resume")
            consumed = await consume_approvals(resume, self.ledger)
            return await self._launch(request, ChatCtx(run_id=run_id), run_id, principal)
        except BaseException:
            if consumed:
                await self.ledger.release(run_id, consumed)
            self._busy.discard(run_id)
            raise

    async def tool_results(
        self, run_id: RunId, request: ChatRequest, principal: Principal = ANONYMOUS
    ) -> LiveRun:
        """Continue a run waiting for the caller's tool results."""
        results = request.input
        assert isinstance(results, ToolResults)
        await self._allowed(run_id, principal)
        self._check_capacity(principal)
        last = await self._reserve(run_id)
        consumed: list[str] = []
        try:
            expect(run_id, last, ("awaiting_tools",), "tool-results")
            consumed = [f"tool-result:{r.call_id}" for r in results.results]
            used = await self.ledger.consume(run_id, consumed)
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
                await self.ledger.release(run_id, consumed)
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
            await self._allowed(run_id, principal)
        last = await self._reserve(run_id)
        try:
            status = status_after(last)
            if status == "moved":
                raise moved(run_id)
            if status != "stalled":
                raise HttpProblem(
                    409, "run_not_resumable",
                    f"Run {run_id!r} is {status}: there is nothing to recover.",
                )
            try:
                checkpoint = await self.checkpoints.latest_checkpoint(run_id)
            except Exception as error:
                raise problem_for(error) from error
            if checkpoint is not None and checkpoint.status == "running" and not lease_expired(
                checkpoint
            ):
                raise HttpProblem(409, "run_busy", f"Run {run_id!r} is running elsewhere.")
            missed = missed_event(run_id, checkpoint)
            if missed is not None and checkpoint is not None and (
                time.time() - checkpoint.created_at < settled_for
            ):
                raise HttpProblem(409, "run_busy", f"Run {run_id!r} may still be logging.")
            if missed is not None:
                await self._record(run_id, last.sequence + 1, missed)
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
        for run_id in await self.log.unfinished(self.settle_after):
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

    async def subscribe(
        self, run_id: RunId, after: int, principal: Principal | None = None
    ) -> Subscription | LogTail:
        """A reader of the run from event `after` on: the log first, then live (here, or
        from another server of the database)."""
        if await self.log.last(run_id) is None:
            raise not_found(run_id)
        if principal is not None:
            await self._allowed(run_id, principal, answering=True)
        logged = await self.log.read(run_id, after)
        live = self.live.get(run_id)
        if live is None and self.cluster.spans_servers:
            last_type = logged[-1].type if logged else (await self._last(run_id)).type
            if last_type not in PAUSES_AND_ENDS:  # streaming elsewhere, or about to be
                follower = self.cluster.follow(run_id)
                fresh = await self.log.read(run_id, logged[-1].sequence if logged else after)
                return LogTail(run_id, self.log, follower, logged + fresh, after)
        backlog = [json_frame(event.sequence, event.type, event.body) for event in logged]
        seen = logged[-1].sequence if logged else after
        return Subscription(backlog, live, seen)

    async def info(self, run_id: RunId, principal: Principal | None = None) -> RunInfo:
        """The run's status and what it waits for, from its event log (and, for a run
        streaming on another server, its checkpoint's lease)."""
        live = run_id in self.live
        info = await run_info(self.log, run_id, live=live)
        if principal is not None:
            await self._allowed(run_id, principal, answering=True)
        if info.status == "stalled" and self.cluster.spans_servers and await self._held(run_id):
            info = replace(info, status="running")
        return info

    async def cancel(self, run_id: RunId, principal: Principal | None = None) -> RunInfo:
        """Cancel a live run (here or on another server; and wait for it to stop) or a
        paused one."""
        if principal is not None:
            await self._allowed(run_id, principal)
        live = self.live.get(run_id)
        if live is not None:
            live.ctx.cancel()
            try:
                await asyncio.wait_for(asyncio.shield(live.ended), self.cancel_wait)
            except TimeoutError:
                _log.warning("run %s did not stop within %.1f s of its cancel", run_id, self.cancel_wait)
            return await self.info(run_id)
        if run_id in self._busy:
            raise HttpProblem(409, "run_busy", f"Run {run_id!r} is starting; cancel it again.")
        info = await self.info(run_id)
        if info.status == "moved":
            raise moved(run_id)
        if info.status == "running":  # on another server: ask it, and wait for the end
            info = await self._cancel_elsewhere(run_id)
        if info.status in ("done", "failed", "cancelled"):
            if info.status == "cancelled":
                return info
            raise HttpProblem(
                409, "run_not_resumable", f"Run {run_id!r} already ended ({info.status})."
            )
        await self._cancel_checkpoint(run_id)
        await self._append(run_id, info.last_event_id + 1, Cancelled(run_id))
        return await self.info(run_id)

    async def _cancel_elsewhere(self, run_id: RunId) -> RunInfo:
        """Ask the server streaming `run_id` to cancel it; its status once it stopped, or
        after `cancel_wait` seconds."""
        follower = self.cluster.follow(run_id)
        try:
            await self.cluster.send_cancel(run_id)
            never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            deadline = time.monotonic() + self.cancel_wait
            while (left := deadline - time.monotonic()) > 0:
                info = await self.info(run_id)
                if info.status not in ("running", "stalled"):  # its end is logged
                    return info
                await follower.wait(never, min(left, 1.0))
        finally:
            follower.close()
        _log.warning("run %s did not stop within %.1f s of its cancel", run_id, self.cancel_wait)
        return await self.info(run_id)

    async def _held(self, run_id: RunId) -> bool:
        """Whether the run's checkpoint is `running` under a live lease (some server
        streams it)."""
        try:
            checkpoint = await self.checkpoints.latest_checkpoint(run_id)
        except Exception:
            return False
        return (
            checkpoint is not None and checkpoint.status == "running" and not lease_expired(checkpoint)
        )

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

    def hold(self, run_id: RunId) -> None:
        """Reserve `run_id` for a hand-off (import or export): 409 `run_busy` if it streams
        or is reserved here; `release` ends the hold."""
        if run_id in self.live or run_id in self._busy:
            raise HttpProblem(409, "run_busy", f"Run {run_id!r} is streaming; wait for its end first.")
        self._busy.add(run_id)

    def release(self, run_id: RunId) -> None:
        """End a `hold`."""
        self._busy.discard(run_id)

    async def _allowed(
        self, run_id: RunId, principal: Principal, answering: bool = False
    ) -> str | None:
        """Refuse (404) a principal that may not touch the run; the run's owner."""
        await self._last(run_id)
        if self.owners is None:
            return None
        owner = await self.owners.owner(run_id)
        return check_owner(run_id, owner, principal, reading_or_answering=answering)

    async def _last(self, run_id: RunId) -> LoggedEvent:
        """The run's last logged event (404 for a run the log does not know)."""
        last = await self.log.last(run_id)
        if last is None:
            raise not_found(run_id)
        return last

    async def _answer_taken_by_the_dead(
        self, run_id: RunId, resume: Resume, last: LoggedEvent
    ) -> bool:
        """Handle answers the ledger holds although the log never showed the run going on
        (a server took them, then died before the run's first event): if the run's
        checkpoint still waits on them, they are released to be given again (False); if
        that server had claimed the run and its lease is gone, True: the run is to be taken
        over. A run held under a live lease is busy (409)."""
        ids = list(resume.payloads)
        issued = logged_event(last)
        if not isinstance(issued, InterruptEvent) or not await self._any_answered(run_id, ids):
            return False
        if not set(ids) <= {info.interrupt_id for info in issued.interrupts}:
            return False
        try:
            checkpoint = await self.checkpoints.latest_checkpoint(run_id)
        except Exception as error:
            raise problem_for(error) from error
        if checkpoint is None:
            return False
        if checkpoint.status == "running":
            if not lease_expired(checkpoint):
                raise HttpProblem(409, "run_busy", f"Run {run_id!r} is going on elsewhere.")
            return True
        waiting = {info.interrupt_id for info in checkpoint.state.pending_interrupts}
        if checkpoint.status == "interrupted" and set(ids) <= waiting:
            await self.ledger.release(run_id, ids)  # the run's claim still decides who wins
        return False

    async def _any_answered(self, run_id: RunId, interrupt_ids: list[str]) -> bool:
        for iid in interrupt_ids:
            if await self.ledger.answered(run_id, iid):
                return True
        return False

    def _check_capacity(self, principal: Principal) -> None:
        """Refuse (429) a run over the server's or the principal's limit."""
        if self.max_runs is not None and self._running.total() >= self.max_runs:
            raise too_many_runs("This server", self.max_runs)
        limit = self.max_runs_per_principal
        if limit is not None and self._running[principal.name] >= limit:
            raise too_many_runs(f"Principal {principal.name!r}", limit)

    async def _reserve(self, run_id: RunId) -> LoggedEvent:
        """Reserve the run for one continuation; its last logged event."""
        last = await self._last(run_id)
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
            last = await self.log.last(run_id)
            grace = None if unattended else self.reconnect_grace
            live = LiveRun(run_id, ctx, last.sequence if last else 0, grace)
            self.live[run_id] = live
            if claimed is None and self.owners is not None:
                await self.owners.record(run_id, principal)
            if self.run_timeout is not None:
                deadline = asyncio.get_running_loop().call_later(self.run_timeout, ctx.cancel)
            if run_id in self._cancelled:  # a cancel sent to another server as this one started it
                self._cancelled.discard(run_id)
                ctx.cancel()
            ended = await self._publish(live, first)
            ready.set_result(live)
            if not ended:
                async for event in stream:
                    if await self._publish(live, event):
                        ended = True
                        break
        except Exception as error:
            if live is None:
                _refuse(ready, problem_for(error))
                return
            code = error.code if isinstance(error, RemiError) else "internal"
            _log.error("run %s failed mid-stream", live.run_id, exc_info=error)
            ended = await self._publish_quietly(live, ErrorEvent(code, str(error) or type(error).__name__))
        finally:
            self._running[principal.name] -= 1
            if not self._running[principal.name]:
                del self._running[principal.name]
            if deadline is not None:
                deadline.cancel()
            if live is not None:
                if not ended:
                    reason = "the server stopped" if ctx.cancelled else "the agent stopped"
                    await self._publish_quietly(
                        live, ErrorEvent("incomplete_stream", f"{reason} before the run ended.")
                    )
                live.finish()
                self.live.pop(live.run_id, None)
            if claimed is not None:
                self._busy.discard(claimed)
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()

    async def _publish(self, live: LiveRun, event: AgentEvent) -> bool:
        """Sign, number, log and send one event; whether it ends the stream."""
        if isinstance(event, ErrorEvent) and event.code == CheckpointConflict.code:
            _log.warning("run %s was taken over elsewhere; its stream here ends", live.run_id)
            return True  # the run goes on where it was taken: its log is the taker's now
        sequence = live.last_sequence + 1
        body = await self._record(live.run_id, sequence, event)
        live.publish(json_frame(sequence, event.type, body))
        return event.type in TERMINAL_TYPES

    async def _record(self, run_id: RunId, sequence: int, event: AgentEvent) -> str:
        """Log one event as number `sequence`, as clients get it; its JSON."""
        body = served_event(
            run_id, event, signer=lambda: self.signer, redactor=self.redactor,
            scoped_threads=self.owners is not None,
        )
        await self.log.append(run_id, LoggedEvent(sequence, event.type, body))
        return body

    async def _publish_quietly(self, live: LiveRun, event: AgentEvent) -> bool:
        try:
            return await self._publish(live, event)
        except Exception:
            _log.exception("could not record the end of run %s", live.run_id)
            return True

    async def _append(self, run_id: RunId, sequence: int, event: AgentEvent) -> None:
        try:
            await self.log.append(run_id, LoggedEvent(sequence, event.type, event_to_json(event)))
        except LogConflict as error:
            raise HttpProblem(
                409, "run_busy", f"Run {run_id!r} moved on meanwhile; look again."
            ) from error


def _run_of(event: AgentEvent) -> RunId | None:
    return event.run_id if isinstance(event, RunStart | RunResumed) else None


def _refuse(ready: asyncio.Future[LiveRun], problem: HttpProblem) -> None:
    """Hand the refusal to the waiting request (and retrieve it, should nobody wait)."""
    if not ready.done():
        ready.set_exception(problem)
        ready.add_done_callback(lambda future: future.exception())
