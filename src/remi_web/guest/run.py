"""`GuestRun`: one run of the guest's agent, advanced one output at a time by the host.

No thread and no running event loop survive between calls: `next()` runs the agent's tasks
on a `StepLoop` until the agent's stream yields its next event, or until every task waits for
the host (then the oldest new request is returned, or `Waiting`). `provide()` delivers a reply
and does the same. Every exception ends the run with an `error` event; nothing escapes.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence

from ..core.ctx import ChatCtx
from ..core.errors import ConfigurationError, RemiError
from ..core.events import TERMINAL_TYPES, AgentEvent, ErrorEvent
from ..core.loop import AgentLoop
from ..core.model_io import ToolDefinition
from ..core.registry import ToolRegistry
from ..core.requests import ChatRequest
from .channel import HostChannel, set_channel
from .host_store import HostStore
from .host_tool import HostTool
from .protocol import EventOut, Finished, Output, Reply, RequestOut, Waiting
from .step_loop import StepLoop

_log = logging.getLogger("remi_web.guest")


def error_event(error: BaseException) -> ErrorEvent:
    """The `error` event for an exception raised in the guest."""
    if isinstance(error, RemiError):
        return ErrorEvent(error.code, str(error) or type(error).__name__)
    if isinstance(error, SystemExit):
        return ErrorEvent(
            "guest_error", f"The agent called sys.exit({error.code!r}); its run was ended."
        )
    return ErrorEvent("guest_error", f"{type(error).__name__}: {error}")


def agent_for_run(agent: AgentLoop, host_tools: Sequence[ToolDefinition]) -> AgentLoop:
    """The agent as one run uses it: its store is the host's, the host's tools are added."""
    clash = sorted(d.name for d in host_tools if d.name in agent.tools)
    if clash:
        raise ConfigurationError(
            f"Host tool(s) {', '.join(clash)} clash with the guest's own tools of the same "
            "name; rename one of them."
        )
    tools = ToolRegistry([*agent.tools, *(HostTool(d) for d in host_tools)])
    # The host holds the run (claims, leases): the guest keeps no lease of its own. The host
    # checks request-supplied tool schemas (a component carries no jsonschema).
    return dataclasses.replace(
        agent, store=HostStore(), tools=tools, lease_seconds=None, check_tools=False
    )


class GuestRun:
    """One run inside the guest.

    Args:
        agent: the guest's agent (built once, by the component's factory).
        request: what to run.
        host_tools: the tools the host grants this run.
        clock: the run's monotonic clock (timers of `asyncio.sleep`).
    """

    def __init__(
        self,
        agent: AgentLoop,
        request: ChatRequest,
        host_tools: Sequence[ToolDefinition] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loop = StepLoop(clock)
        self._channel = HostChannel(self._loop)
        self._context = contextvars.copy_context()
        self._context.run(set_channel, self._channel)
        self._ctx = ChatCtx()
        self._pending: asyncio.Task[AgentEvent | None] | None = None
        self._finished = False
        self._ended = False
        self._failure: BaseException | None = None
        self._events: AsyncIterator[AgentEvent] | None = None
        try:
            self._events = agent_for_run(agent, host_tools).chat(request, self._ctx)
        except BaseException as error:  # reported as the run's first (and last) event
            self._failure = error

    @property
    def ctx(self) -> ChatCtx:
        """The run's context (its run id once the run started)."""
        return self._ctx

    def next(self) -> Output:
        """Advance the run to its next output."""
        if self._finished:
            return Finished()
        if self._failure is not None:
            self._finished = self._ended = True
            return EventOut(error_event(self._failure))
        taken = self._channel.take()
        if taken is not None:
            return self._request(*taken)
        if self._pending is None:
            self._pending = self._loop.create_task(self._advance(), context=self._context)
        pending = self._pending
        try:
            self._loop.run_until(lambda: pending.done() or self._channel.queued)
        except SystemExit as stop:  # asyncio lets it out of the loop: end the run cleanly
            if pending.done() and not pending.cancelled():
                pending.exception()  # retrieved, so asyncio reports nothing more
            self._ended = True
            self.close()
            return EventOut(error_event(stop))
        if pending.done():
            self._pending = None
            return self._stepped(pending)
        taken = self._channel.take()
        if taken is not None:
            return self._request(*taken)
        return Waiting(self._loop.next_timer())

    def provide(self, request_id: int, reply: Reply) -> Output:
        """Answer request `request_id`, then advance to the next output."""
        if self._finished:
            return Finished()
        self._channel.resolve(request_id, reply)
        return self.next()

    def cancel(self) -> None:
        """Cancel the run; the following outputs lead to its `cancelled` end."""
        self._ctx.cancel()

    def close(self) -> None:
        """Stop the run now (closing its stream) and drop its pending work."""
        if not self._finished:
            self._finished = True
            pending = self._pending
            if pending is not None and not pending.done():
                pending.cancel()  # the stream is mid-step: stop that step first
                self._loop.run_until(pending.done)
            aclose = getattr(self._events, "aclose", None) if self._events is not None else None
            if aclose is not None:
                closing = self._loop.create_task(aclose(), context=self._context)
                self._loop.run_until(closing.done)
        self._loop.close()

    def _request(self, request_id: int, request: object) -> RequestOut:
        busy = self._loop.busy or self._channel.queued
        return RequestOut(request_id, request, busy)  # type: ignore[arg-type]

    async def _advance(self) -> AgentEvent | None:
        assert self._events is not None
        try:
            return await anext(self._events)
        except StopAsyncIteration:
            return None

    def _stepped(self, task: asyncio.Task[AgentEvent | None]) -> Output:
        try:
            event = task.result()
        except BaseException as error:  # every failure of the agent becomes an error event
            self.close()
            if self._ended:
                _log.warning("the guest failed after its stream ended", exc_info=error)
                return Finished()
            _log.error("the guest's run failed", exc_info=error)
            self._ended = True
            return EventOut(error_event(error))
        if event is None:
            self.close()
            return Finished()
        if event.type in TERMINAL_TYPES:
            self._ended = True
        return EventOut(event)
