"""`drive`: run a guest session to its end, doing its requests, and stream its events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import cast

from ..core.ctx import ChatCtx
from ..core.events import TERMINAL_TYPES, AgentEvent, ErrorEvent, RunResumed, RunStart
from ..guest.protocol import EventOut, Finished, HostToolCall, Output, Reply, RequestOut, Waiting
from .effects import HostEffects
from .errors import GuestFailure
from .session import GuestSession


async def drive(
    session: GuestSession, effects: HostEffects, ctx: ChatCtx
) -> AsyncIterator[AgentEvent]:
    """Stream the events of `session`'s run while performing its requests with `effects`.

    A model or store request the guest waits for alone is done inline (a model chunk: one
    hop per token); host tools and concurrent requests run as tasks, so the guest keeps
    working and tool progress streams meanwhile. `ctx.cancel()` is
    passed on to the guest. A trap ends the stream with an `error` event. The session and
    any model call still open are closed at the end, even if the caller stops reading.
    """
    outstanding: dict[asyncio.Task[Reply], int] = {}
    reply: tuple[int, Reply] | None = None
    ended = False
    cancel_sent = False
    try:
        while True:
            try:
                outputs = await session.step(reply)
            except GuestFailure as failure:
                if not ended:
                    yield ErrorEvent(failure.code, str(failure))
                return
            reply = None
            for out in outputs:
                if type(out) is EventOut and not ended:
                    event = out.event
                    if type(event) is RunStart or type(event) is RunResumed:
                        ctx.run_id, ctx.thread_id = event.run_id, event.thread_id
                    ended = event.type in TERMINAL_TYPES
                    yield event
            while effects.progress and not ended:
                yield effects.progress.popleft()
            if ctx.cancelled and not cancel_sent:
                cancel_sent = True
                await session.cancel()
            last = outputs[-1]
            if type(last) is Finished:
                return
            if type(last) is EventOut:
                continue
            if type(last) is RequestOut:
                if not last.busy and not outstanding and type(last.request) is not HostToolCall:
                    reply = (last.id, await effects.perform(last.id, last.request))
                    continue
                task = asyncio.ensure_future(effects.perform(last.id, last.request))
                outstanding[task] = last.id
                if last.busy:
                    continue
            timeout = _timeout(last)
            if not outstanding and timeout is None:
                if not ended:
                    yield ErrorEvent(
                        "guest_stuck", "The guest waits, but for nothing the host was asked."
                    )
                return
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:  # wait for a reply (or the guest's timer), streaming tool progress
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                reply = await _first_reply(outstanding, left, effects.progress_ready)
                while effects.progress and not ended:
                    yield effects.progress.popleft()
                if reply is not None or left == 0.0 or not effects.progress_ready.is_set():
                    break
                effects.progress_ready.clear()
    finally:
        for task in outstanding:
            task.cancel()
        await effects.close()
        await session.close()


def _timeout(last: Output) -> float | None:
    return last.timeout if type(last) is Waiting else None


async def _first_reply(
    outstanding: dict[asyncio.Task[Reply], int], timeout: float | None, progress: asyncio.Event
) -> tuple[int, Reply] | None:
    """The first reply to finish; None when `timeout` passes first or `progress` is set."""
    progress.clear()
    woken = asyncio.ensure_future(progress.wait())
    try:
        done, _ = await asyncio.wait(
            [*outstanding, woken], timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        woken.cancel()
    for task in done:
        if task is not woken:
            finished = cast("asyncio.Task[Reply]", task)
            return outstanding.pop(finished), finished.result()
    return None
