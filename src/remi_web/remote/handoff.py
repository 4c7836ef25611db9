"""Hand a run from a local agent to a server (`handoff`) and back (`take_back`), never
leaving it continued in two places (see docs/handoff.md).

`handoff` exports the run, marks it moved here (a compare-and-set: a resume racing it
loses), then uploads it; if the server refuses, the run comes back over its mark, so
nothing is lost. `take_back` exports the run from the server (which marks it moved there)
and imports it here; if this side refuses it, the run is given back to the server.
Page-safe: the store API and the HTTP transport are all the I/O.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from ..core.ctx import ChatCtx
from ..core.events import AgentEvent
from ..core.ids import RunId
from ..core.loop import AgentLoop
from ..core.run_bundle import RunBundle, export_run, import_run, mark_moved
from ..core.state import Checkpoint
from .errors import RemoteRefusal, RemoteRunNotFound, RemoteUnavailable
from .http_agent import HttpAgent
from .protocol import RunInfo
from .stream import RemoteStream

__all__ = ["Handoff", "HandoffUncertain", "handoff", "take_back"]


class HandoffUncertain(RemoteUnavailable):
    """The server could not be reached while a run moved, and whether it got the run is
    unknown. The run stays marked moved on the side it left; `bundle` is the run: upload it
    again (`HttpAgent.import_run`), or import it back (`run_bundle.import_run`) once the
    server is known not to have it.

    Args:
        message: what happened.
        bundle: the run that was moving.
    """

    code = "handoff_uncertain"

    def __init__(self, message: str, *, bundle: RunBundle) -> None:
        super().__init__(message)
        self.bundle = bundle


@dataclass(frozen=True, slots=True)
class Handoff:
    """A run handed off to a server.

    Args:
        run_id: the run.
        info: its status on the server right after the import: pending interrupts with the
            server's approval tokens, and `last_event_id`, where to follow its events from.
        target: the server's client.
    """

    run_id: RunId
    info: RunInfo
    target: HttpAgent

    async def events(self, ctx: ChatCtx | None = None) -> AsyncIterator[AgentEvent]:
        """The run's events on the server since the hand-off (`Last-Event-ID`), up to its
        next pause or end; none while it still waits where it was handed off."""
        async for event in follow(self.target, self.run_id, self.info.last_event_id, ctx):
            yield event


async def handoff(run_id: RunId, agent: AgentLoop[Any, Any], target: HttpAgent) -> Handoff:
    """Continue `agent`'s run `run_id` on the server of `target`; the run is marked moved
    here (a later resume here raises `RunMoved`).

    Raises (the run is then still here, unless `HandoffUncertain`):
        RunMoved, RunInFlight, RunNotMovable, RunBusy: it cannot move as it stands.
        RemoteRefusal: the server would not take it (`remote_code` says why).
        HandoffUncertain: the server could not be reached after the upload began.
    """
    tools = agent.tools.names()
    bundle = await export_run(
        agent.store, run_id, agent=agent.name, tools=tools, secrets=agent.secrets()
    )
    await mark_moved(agent.store, run_id, target.base_url, sequence=bundle.checkpoint.sequence)
    try:
        info = await target.import_run(bundle)
    except RemoteRefusal:
        await import_run(agent.store, bundle, tools)  # refused: the run comes back here
        raise
    except RemoteUnavailable as error:
        info = await _after_lost_answer(target, agent, bundle, error)
    return Handoff(run_id, info, target)


async def take_back(
    run_id: RunId,
    agent: AgentLoop[Any, Any],
    source: HttpAgent,
    *,
    to: str = "the client that took it back",
) -> Checkpoint:
    """Continue the server's run `run_id` with `agent` here (`Resume` it as any paused run);
    the checkpoint stored. The server marks the run moved (to `to`) and never continues it.

    Raises:
        RemoteRefusal: the server would not export it (`RemoteRunMoved` for a second time).
        InvalidBundle, RunExists, ThreadExists...: this side refused it; it was given back to
            the server.
        HandoffUncertain: this side refused it and the server could not take it back.
    """
    bundle = await source.export_run(run_id, to)
    try:
        return await import_run(agent.store, bundle, agent.tools.names())
    except Exception:
        try:
            await source.import_run(bundle)  # back where it was
        except Exception as failure:
            raise HandoffUncertain(
                f"Run {run_id!r} was refused here and could not be given back to "
                f"{source.base_url} ({failure}); keep its bundle.",
                bundle=bundle,
            ) from failure
        raise


async def follow(
    target: HttpAgent, run_id: RunId, after: int, ctx: ChatCtx | None = None
) -> AsyncIterator[AgentEvent]:
    """The events of a server's run after event `after`, up to its next pause or end
    (reconnecting with `Last-Event-ID`); nothing if it is paused at `after`."""
    info = await target.status(run_id)
    if info.status != "running" and info.last_event_id <= after:
        return
    stream = RemoteStream(target, ctx if ctx is not None else ChatCtx(), run_id)
    stream.last_id = after
    async for event in stream.events(await target.events(run_id, after)):
        yield event


async def _after_lost_answer(
    target: HttpAgent, agent: AgentLoop[Any, Any], bundle: RunBundle, error: RemoteUnavailable
) -> RunInfo:
    """The server's status of a run whose upload got no answer: it has the run (its
    status), or it does not (the run comes back here, and `error` is raised)."""
    try:
        return await target.status(bundle.run_id)
    except RemoteRunNotFound:
        await import_run(agent.store, bundle, agent.tools.names())
        raise error from None
    except RemoteUnavailable as again:
        raise HandoffUncertain(
            f"Run {bundle.run_id!r} is marked moved here, and {target.base_url} could not be "
            f"reached to say whether it has it ({again}); upload `bundle` again, or import "
            "it back here once the server is known not to have it.",
            bundle=bundle,
        ) from error
