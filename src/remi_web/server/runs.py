"""`RunService`: starts, continues, cancels and describes the runs of the served agent.

Each run's stream is driven by one asyncio task of its own, apart from the HTTP
connection: every event is signed (interrupts), numbered, written to the event log, then
fanned out to the readers. So a reader may leave and come back (`Last-Event-ID`), and the
log always holds what was sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

from ..core.ctx import ChatCtx
from ..core.errors import RemiError
from ..core.events import (
    TERMINAL_TYPES,
    AgentEvent,
    Cancelled,
    ErrorEvent,
    InterruptEvent,
    RunResumed,
    RunStart,
)
from ..core.ids import CheckpointId, RunId, new_id, new_run_id
from ..core.requests import ChatRequest, Resume, ToolResults
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
from .run_status import expect, logged_event, not_found, run_info
from .signing import ApprovalSigner

_log = logging.getLogger("remi_web.server")

_PAUSED = ("interrupted", "awaiting_tools", "tools_executed")


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

    async def start(self, request: ChatRequest) -> LiveRun:
        """Start a run (`input` is `Start`); returns once its first event is out."""
        return await self._launch(request, ChatCtx(run_id=new_run_id()), None)

    async def resume(self, run_id: RunId, request: ChatRequest) -> LiveRun:
        """Continue a paused run after checking every answer's approval token."""
        resume = request.input
        assert isinstance(resume, Resume)
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
            return await self._launch(request, ChatCtx(run_id=run_id), run_id)
        except BaseException:
            if consumed:
                self.ledger.release(run_id, consumed)
            self._busy.discard(run_id)
            raise

    async def tool_results(self, run_id: RunId, request: ChatRequest) -> LiveRun:
        """Continue a run waiting for the caller's tool results."""
        assert isinstance(request.input, ToolResults)
        last = self._reserve(run_id)
        try:
            expect(run_id, last, ("awaiting_tools",), "tool-results")
            return await self._launch(request, ChatCtx(run_id=run_id), run_id)
        except BaseException:
            self._busy.discard(run_id)
            raise

    def subscribe(self, run_id: RunId, after: int) -> Subscription:
        """A reader of the run from event `after` on: the log first, then live."""
        if self.log.last(run_id) is None:
            raise not_found(run_id)
        logged = self.log.read(run_id, after)
        backlog = [json_frame(event.sequence, event.type, event.body) for event in logged]
        seen = logged[-1].sequence if logged else after
        return Subscription(backlog, self.live.get(run_id), seen)

    def info(self, run_id: RunId) -> RunInfo:
        """The run's status and what it waits for, from its event log."""
        return run_info(self.log, run_id, live=run_id in self.live)

    async def cancel(self, run_id: RunId) -> RunInfo:
        """Cancel a live run (and wait for it to stop) or a paused one."""
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
        for live in list(self.live.values()):
            live.ctx.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.cancel_wait)
        for task in list(self._tasks):
            task.cancel()

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
        checkpoint = await self.checkpoints.latest_checkpoint(run_id)
        if checkpoint is None or checkpoint.state.status != "interrupted":
            return None
        return {call.id: call.arguments for call in checkpoint.state.pending_calls}

    async def _cancel_checkpoint(self, run_id: RunId) -> None:
        """Mark a paused run's checkpoint cancelled, so the agent will not continue it."""
        checkpoint = await self.checkpoints.latest_checkpoint(run_id)
        if checkpoint is None or checkpoint.status not in _PAUSED:
            return
        state = checkpoint.state
        state.status = "cancelled"
        state.sequence = checkpoint.sequence + 1
        await self.checkpoints.put_checkpoint(
            Checkpoint(
                CheckpointId(new_id()), run_id, checkpoint.thread_id, state.sequence,
                "cancelled", state, time.time(),
            )
        )

    async def _launch(self, request: ChatRequest, ctx: ChatCtx, claimed: RunId | None) -> LiveRun:
        """Start driving the agent's stream in a task of its own; the live run once its
        first event is out, or the refusal the agent raised before it."""
        ready: asyncio.Future[LiveRun] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._drive(request, ctx, claimed, ready))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(ready)  # a request cancelled meanwhile leaves the run be

    async def _drive(
        self,
        request: ChatRequest,
        ctx: ChatCtx,
        claimed: RunId | None,
        ready: asyncio.Future[LiveRun],
    ) -> None:
        stream = self.agent.chat(request, ctx)
        live: LiveRun | None = None
        ended = False
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
            live = LiveRun(run_id, ctx, last.sequence if last else 0, self.reconnect_grace)
            self.live[run_id] = live
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
        if isinstance(event, InterruptEvent):
            event = replace(
                event,
                interrupts=[
                    replace(info, token=self.signer.sign(
                        live.run_id, info.interrupt_id, info.arguments
                    ))
                    for info in event.interrupts
                ],
            )
        sequence = live.last_sequence + 1
        body = event_to_json(event)
        self.log.append(live.run_id, LoggedEvent(sequence, event.type, body))
        live.publish(json_frame(sequence, event.type, body))
        return event.type in TERMINAL_TYPES

    def _publish_quietly(self, live: LiveRun, event: AgentEvent) -> bool:
        try:
            return self._publish(live, event)
        except Exception:
            _log.exception("could not record the end of run %s", live.run_id)
            return True

    def _append(self, run_id: RunId, sequence: int, event: AgentEvent) -> None:
        self.log.append(run_id, LoggedEvent(sequence, event.type, event_to_json(event)))


def _run_of(event: AgentEvent) -> RunId | None:
    return event.run_id if isinstance(event, RunStart | RunResumed) else None


def _refuse(ready: asyncio.Future[LiveRun], problem: HttpProblem) -> None:
    """Hand the refusal to the waiting request (and retrieve it, should nobody wait)."""
    if not ready.done():
        ready.set_exception(problem)
        ready.add_done_callback(lambda future: future.exception())
