"""A remote run's events with their sequence numbers, so that the page can re-attach to it.

With an agent at a URL the page keeps the run's id and the sequence number (the SSE `id`) of
the last event it showed. After a reload it asks to `attach`: the run's events after that one,
from the server's log (`Last-Event-ID`), then live while the run goes on. Each stream is read by
the same `RemoteStream` as `HttpAgent.chat`, so a broken one is picked up again and no event is
lost or repeated.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from ..core.ctx import ChatCtx
from ..core.events import AgentEvent
from ..core.ids import RunId
from ..core.requests import ChatRequest
from ..remote.http_agent import HttpAgent
from ..remote.protocol import RunInfo
from ..remote.stream import RemoteStream

FOLLOWED = frozenset({"running", "interrupted", "done", "failed", "cancelled"})
"""Statuses of a run whose log the page can follow to its end (a `stalled` one has none)."""


@dataclass(frozen=True, slots=True)
class Attach:
    """Follow run `run_id` again from the event after the one numbered `after`."""

    run_id: RunId
    after: int


def can_follow(info: RunInfo, after: int) -> bool:
    """Whether the run's log has events after `after` that end in a terminal one."""
    return info.status in FOLLOWED and info.last_event_id > after


async def numbered_events(
    agent: HttpAgent, action: ChatRequest | Attach, ctx: ChatCtx
) -> AsyncIterator[tuple[AgentEvent, int]]:
    """The events of a request (or the rest of a run, for `Attach`), each with its sequence
    number in the run's log, up to the terminal one."""
    if isinstance(action, Attach):
        stream = RemoteStream(agent, ctx, action.run_id)
        stream.last_id = action.after
        response = await agent.events(action.run_id, action.after)
    else:
        stream, response = await agent.open_stream(action, ctx)
    async for event in stream.events(response):
        yield event, stream.last_id
