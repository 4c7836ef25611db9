"""Following, from the page, a run that goes on on a server (a run the page handed off).

A handed-off run often waits there, paused on an approval that someone answers on the
server's side (`HttpAgent`, `remi chat`). The page keeps showing it: it asks the run's status
every `poll_seconds`, and once the run's log has events after the last one shown (or the run
is streaming), it reads them with `Last-Event-ID` up to the next pause or end, and so on until
the run ends. A run between turns (`stalled` there: a tool round finished here, the next model
call not made) is continued with a `resume` without payloads. The network may come and go:
a failed status call or a lost stream is tried again at the next poll, never reported as the
run's failure. Page-safe: no threads, no sockets (the `HttpAgent`'s transport is fetch there).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..core.ctx import ChatCtx
from ..core.events import AgentEvent, ErrorEvent
from ..core.ids import RunId
from ..core.requests import ChatRequest, Resume
from ..http.transport import HttpResponse
from ..remote.errors import RemoteRefusal, RemoteUnavailable
from ..remote.http_agent import HttpAgent
from ..remote.stream import RemoteStream

ENDED = frozenset({"done", "failed", "cancelled", "moved"})
"""Server statuses after which a followed run has nothing more to show."""
STREAM_ENDS = frozenset({"done", "error", "cancelled", "need_tool_execution"})
"""Event types after which a followed run's log has no more events."""

Emit = Callable[[AgentEvent, int], None]
"""Receives each followed event with its number in the run's log."""


async def follow_server_run(
    target: HttpAgent, run_id: RunId, after: int, emit: Emit, *, poll_seconds: float = 1.0
) -> int:
    """Give `emit` the events of the server's run `run_id` after event `after`, as they come,
    until the run ends (done, failed, cancelled, or moved on from the server); the number of
    the last event given.

    Raises:
        RemoteRefusal: the server will not show the run (unknown to it, not the caller's...).
    """
    while True:
        try:
            info = await target.status(run_id)
        except RemoteUnavailable:  # offline for now: ask again at the next poll
            await asyncio.sleep(poll_seconds)
            continue
        last = after
        if info.last_event_id > after or info.status == "running":
            after, ended = await _read_log(target, run_id, after, emit)
        elif info.status == "stalled":
            after, ended = await _continue(target, run_id, after, emit)
        else:
            ended = info.status in ENDED
        if ended:
            return after
        if after == last:  # nothing new (or the stream was lost): wait before asking again
            await asyncio.sleep(poll_seconds)


async def _read_log(
    target: HttpAgent, run_id: RunId, after: int, emit: Emit
) -> tuple[int, bool]:
    """The run's events after `after` up to its next pause or end: the last one's number,
    and whether the run ended."""
    stream = RemoteStream(target, ChatCtx(), run_id)
    stream.last_id = after
    try:
        response = await target.events(run_id, after)
    except RemoteUnavailable:
        return after, False
    return await _emit(stream, response, emit)


async def _continue(
    target: HttpAgent, run_id: RunId, after: int, emit: Emit
) -> tuple[int, bool]:
    """Continue a run left between turns (`resume` without payloads); its events as for
    `_read_log`. Someone else continuing it first is no failure: the next poll reads it."""
    try:
        stream, response = await target.open_stream(ChatRequest(Resume(run_id, {})), ChatCtx())
    except (RemoteUnavailable, RemoteRefusal):
        return after, False
    stream.last_id = max(stream.last_id, after)
    return await _emit(stream, response, emit)


async def _emit(stream: RemoteStream, response: HttpResponse, emit: Emit) -> tuple[int, bool]:
    """Hand each event of the stream (read to its end) to `emit`; a stream lost for good
    (`remote_unavailable`, its last event) is left for the next poll to pick up."""
    ended = False
    async for event in stream.events(response):
        if isinstance(event, ErrorEvent) and event.code == RemoteUnavailable.code:
            continue
        emit(event, stream.last_id)
        ended = event.type in STREAM_ENDS
    return stream.last_id, ended
