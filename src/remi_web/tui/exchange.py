"""`Exchange`: one message and its answer: stream the run into its view, ask about each
interrupt, resume the same run, until it ends; Ctrl+C cancels it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from ..core.schema_types import JsonValue

from ..core.agent import Agent
from ..core.ctx import ChatCtx
from ..core.events import (
    AgentEvent,
    Cancelled,
    Custom,
    Done,
    ErrorEvent,
    InterruptEvent,
    InterruptInfo,
    RunResumed,
    RunStart,
    TurnStart,
    UsageEvent,
)
from ..core.requests import ChatRequest, Resume
from .approval import ApprovalAnswer
from .plan_panel import PlanPanel
from .status_bar import StatusBar
from .transcript import RunView

BREATHE = 0.05
"""The longest a fast stream holds the event loop before the screen gets a turn (seconds)."""

Ask = Callable[[InterruptInfo], Awaitable[ApprovalAnswer | None]]
"""Asks the user about one interrupt (None: Ctrl+C, the run stays paused)."""


class Exchange:
    """Drives one exchange with the agent.

    Args:
        agent: the agent.
        view: where the run is drawn.
        status: the status bar (turn, tokens, state).
        plan: the plan panel (a deep agent's `todo` events).
        ask: asks the user about an interrupt.
        ended: where the last event of each stream is appended (done, interrupt...).
    """

    def __init__(self, agent: Agent[ChatRequest, AgentEvent], view: RunView, status: StatusBar,
                 plan: PlanPanel, ask: Ask, ended: list[AgentEvent]) -> None:
        self.agent = agent
        self.view = view
        self.status = status
        self.plan = plan
        self.ask = ask
        self.ended = ended
        self.ctx: ChatCtx | None = ChatCtx()

    def cancel(self) -> bool:
        """Cancel the streaming run; False when there is none (or it is already cancelled)."""
        if self.ctx is None or self.ctx.cancelled:
            return False
        self.ctx.cancel()
        return True

    async def run(self, request: ChatRequest) -> None:
        """Stream, answer interrupts and resume until the run ends (errors are shown)."""
        view = self.view
        try:
            while True:
                ended = await self._stream(request)
                if ended is not None:
                    self.ended.append(ended)
                if not isinstance(ended, InterruptEvent):
                    states = {Done: "done", Cancelled: "cancelled", ErrorEvent: "failed"}
                    self.status.end(states.get(type(ended), "stopped"))
                    if isinstance(ended, Done):
                        await view.note(self._summary(ended.run_id), "done")
                    return
                answers = await self._answers(ended)
                if answers is None:
                    self.status.end("paused")
                    await view.note("cancelled: the run stays paused, waiting for approval",
                                    "warning")
                    return
                payloads, tokens = answers
                self.ctx = ChatCtx()
                request = ChatRequest(Resume(ended.run_id, payloads, tokens),
                                      thread_id=request.thread_id)
        except Exception as error:  # shown, and the app goes on
            self.status.end("failed")
            await view.note(f"error: {type(error).__name__}: {error}", "error")
        finally:
            self.ctx = None

    async def _stream(self, request: ChatRequest) -> AgentEvent | None:
        ctx = self.ctx or ChatCtx()
        last: AgentEvent | None = None
        breath = time.monotonic()
        async for event in self.agent.chat(request, ctx):
            last = event
            await self.view.show(event)
            self._track(event)
            if time.monotonic() - breath > BREATHE:  # a stream that never waits lets keys in
                await asyncio.sleep(0)
                breath = time.monotonic()
        return last

    def _track(self, event: AgentEvent) -> None:
        """The events about the run as a whole: status bar and plan."""
        if isinstance(event, TurnStart | RunResumed):
            self.status.set(turn=event.turn, state="running")
        elif isinstance(event, UsageEvent):
            self.status.add_usage(event.usage)
        elif isinstance(event, Custom) and event.name == "todo":
            self.plan.show_plan(event.data)
        elif isinstance(event, RunStart):
            self.status.set(state="running")

    async def _answers(
        self, event: InterruptEvent
    ) -> tuple[dict[str, JsonValue], dict[str, str]] | None:
        """The user's answer to each interrupt (None: Ctrl+C in the dialog)."""
        payloads: dict[str, JsonValue] = {}
        tokens: dict[str, str] = {}
        self.status.set(state="waiting for approval")
        names = ", ".join(info.tool_name for info in event.interrupts)
        await self.view.note(f"run {event.run_id[:8]} paused: {names} waits for approval",
                             "warning")
        for info in event.interrupts:
            card = self.view.cards.get(info.call_id)
            if card is not None:
                card.waiting()
            answer = await self.ask(info)
            if answer is None:
                return None
            if card is not None:
                card.answered(answer.approved, answer.arguments)
            payloads[info.interrupt_id] = answer.payload()
            if info.token:
                tokens[info.interrupt_id] = info.token
        return payloads, tokens

    def _summary(self, run_id: str) -> str:
        status = self.status
        turns = f"{status.turn} turn{'s' if status.turn != 1 else ''}"
        return (f"— run {run_id[:8]} · {turns} · {status.usage.prompt_tokens} in / "
                f"{status.usage.completion_tokens} out tokens · {status.elapsed:.1f} s")
