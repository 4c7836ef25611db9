"""The worker's side of runs that move between the page and a server (docs/handoff.md).

The server is the one the settings name for the remote mode ("Agent URL", "Agent token"): a
`remi serve` of the same agent file. The page's commands (JSON, with its settings):

- `handoff` {thread_id, run_id?, offline?, bundle?}: continue the thread's last run (or
  `run_id`) on the server. The run is exported from the page's store, marked moved here (a
  resume here gets `RunMoved` from then on), then uploaded. Answers `handed_off` {thread_id,
  run_id, to, status_url, status, after}: the server has it; follow its events after `after`.
  When the server cannot be reached (or `offline` is true: the page knows it is offline), the
  run stays marked and the answer is `handoff_queued` {thread_id, run_id, to, bundle,
  message}: keep `bundle` and send it back as `handoff` {thread_id, bundle} once online (an
  upload whose answer was lost counts: the server then holds the run already).
- `take_back` {run_id, to?}: continue the server's run in the page: the server exports it
  (and marks it moved there, to `to`), the page's store imports it. Answers `taken_back`
  {thread_id, run_id, status, title}; the page then resumes it as any paused run.
- `follow` {thread_id, run_id, after, follow_id}: post the events of a run this page handed
  off, as they come on the server (`followed` {thread_id, run_id, follow_id, seq, event}),
  until it ends there; one run is followed at a time. `unfollow` stops following.

Whatever cannot be done is answered `handoff_refused` {op, thread_id, run_id, code,
message}, and nothing is lost: a run refused by the server comes back here (over its mark).
Page-safe: the store API and the `HttpAgent`'s transport (fetch) are all the I/O.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..core.agent import Agent
from ..core.content import content_text
from ..core.ctx import ChatCtx
from ..core.errors import RemiError, RequestError, RunInFlight
from ..core.events import AgentEvent
from ..core.ids import RunId, ThreadId
from ..core.loop import AgentLoop
from ..core.requests import ChatRequest
from ..core.run_bundle import RunBundle, export_run, import_run, mark_moved, read_run_bundle
from ..core.run_moved import MOVED, moved_to
from ..core.schema_types import JsonValue
from ..core.state import Checkpoint
from ..core.store import Store
from ..core.wire import event_to_json
from ..remote.errors import RemoteRefusal, RemoteRunExists
from ..remote.handoff import take_back
from ..remote.http_agent import HttpAgent
from ..remote.protocol import RunInfo, run_path
from .server_follow import follow_server_run
from .settings import BrowserSettings

HANDOFF_OPS = frozenset({"handoff", "take_back", "follow", "unfollow"})
"""The commands `HandoffBridge` carries out."""

PageAgentFactory = Callable[[BrowserSettings], Agent[ChatRequest, AgentEvent]]
"""Makes the page's agent for the given settings (the worker bridge's factory)."""


class HandoffUnavailable(RequestError):
    """The page cannot move runs as it is set up (no server in the settings, an agent at a
    URL already...); the message says what to change."""

    code = "handoff_unavailable"


class HandoffBridge:
    """Moves the page's runs to the settings' server and back, and follows moved runs.

    Args:
        store: the page's store (IndexedDB in the browser).
        post: sends one JSON text to the page.
        make_agent: builds the page's agent for given settings.
        streaming: the context of the run the worker streams now, if any (never handed off
            while it streams).
        poll_seconds: how often a followed run's status is asked while it waits there.
    """

    def __init__(
        self,
        store: Store,
        post: Callable[[str], None],
        make_agent: PageAgentFactory,
        streaming: Callable[[], ChatCtx | None],
        *,
        poll_seconds: float = 1.0,
    ) -> None:
        self._store = store
        self._post = post
        self._make_agent = make_agent
        self._streaming = streaming
        self.poll_seconds = poll_seconds
        self.following: asyncio.Task[None] | None = None

    async def handle(self, op: str, command: dict[str, Any], settings: BrowserSettings) -> None:
        """Carry out `op` (one of `HANDOFF_OPS`); what fails is posted as `handoff_refused`."""
        try:
            if op == "handoff":
                await self._hand_off(command, settings)
            elif op == "take_back":
                await self._take_back(command, settings)
            elif op == "follow":
                await self._follow(command, settings)
            elif op == "unfollow":
                self.stop_following()
            else:
                raise HandoffUnavailable(f"unknown op {op!r}")
        except RemiError as error:
            self._refused(op, command, error)
        except Exception as error:  # the page must hear about every failure
            self._refused(op, command, RemiError(f"{type(error).__name__}: {error}"))

    def stop_following(self) -> None:
        """Stop following the followed run, if any."""
        if self.following is not None:
            self.following.cancel()
            self.following = None

    async def _hand_off(self, command: dict[str, Any], settings: BrowserSettings) -> None:
        thread = ThreadId(_text(command, "thread_id"))
        agent = self._agent(settings)
        tools = agent.tools.names()
        async with _server(settings) as target:
            queued = command.get("bundle")
            if queued is not None:  # queued while offline: the run is marked moved already
                bundle = read_run_bundle(queued)
                await _check_still_queued(self._store, bundle, target)
            else:
                given = command.get("run_id")
                run_id = RunId(_text(command, "run_id") if given else await self._last_run(thread))
                self._check_not_streaming(thread, run_id)
                bundle = await export_run(
                    self._store, run_id, agent=agent.name, tools=tools, secrets=agent.secrets()
                )
                sequence = bundle.checkpoint.sequence
                await mark_moved(self._store, run_id, target.base_url, sequence=sequence)
            if command.get("offline") is True:
                self._queued(thread, bundle, target, "The page is offline.")
                return
            try:
                info, after = await upload(target, bundle)
            except RemoteRefusal:
                await import_run(self._store, bundle, tools)  # refused: the run goes on here
                raise
            except Exception as error:  # unreachable, or an answer not understood: keep it
                self._queued(thread, bundle, target, str(error) or type(error).__name__)
                return
        self._send({
            "kind": "handed_off", "thread_id": thread, "run_id": bundle.run_id,
            "to": target.base_url, "status_url": target.base_url + run_path(bundle.run_id),
            "status": info.status, "after": after,
        })

    async def _take_back(self, command: dict[str, Any], settings: BrowserSettings) -> None:
        run_id = RunId(_text(command, "run_id"))
        to = command.get("to")
        agent = self._agent(settings)
        self.stop_following()
        async with _server(settings) as source:
            where = to if isinstance(to, str) and to else "the page"
            checkpoint = await take_back(run_id, agent, source, to=where)
        self._send({
            "kind": "taken_back", "thread_id": checkpoint.thread_id, "run_id": run_id,
            "status": checkpoint.status, "title": _title(checkpoint),
        })

    async def _follow(self, command: dict[str, Any], settings: BrowserSettings) -> None:
        thread = _text(command, "thread_id")
        run_id = RunId(_text(command, "run_id"))
        after = command.get("after")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise HandoffUnavailable("`follow` needs `after`, the number of the last event seen")
        latest = await self._store.latest_checkpoint(run_id)
        to = None if latest is None else moved_to(latest)
        if to is None:
            raise HandoffUnavailable(f"Run {run_id!r} was not handed off from this page.")
        self.stop_following()
        target = _server_at(to, settings)
        ids = {"thread_id": thread, "run_id": run_id, "follow_id": command.get("follow_id")}
        self.following = asyncio.ensure_future(self._following(target, ids, after))

    async def _following(self, target: HttpAgent, ids: dict[str, JsonValue], after: int) -> None:
        """Post the followed run's events until it ends there (or following stops)."""

        def emit(event: AgentEvent, seq: int) -> None:
            wire = json.loads(event_to_json(event))
            self._send({"kind": "followed", **ids, "seq": seq, "event": wire})

        run_id = RunId(str(ids["run_id"]))
        try:
            async with target:
                await follow_server_run(target, run_id, after, emit, poll_seconds=self.poll_seconds)
        except RemiError as error:
            self._refused("follow", ids, error)
        except Exception as error:  # the page must hear about every failure
            self._refused("follow", ids, RemiError(f"{type(error).__name__}: {error}"))

    def _agent(self, settings: BrowserSettings) -> AgentLoop[Any, Any]:
        """The page's agent (its store, name and tools go into and come out of bundles)."""
        if settings.mode != "page":
            raise HandoffUnavailable(
                "The conversations of an agent at a URL run on that server already; runs "
                "move from and to the agent in the page (Settings: Agent in the page)."
            )
        agent = self._make_agent(replace(settings, mode="page"))
        if not isinstance(agent, AgentLoop):
            raise HandoffUnavailable("This page's agent is not an AgentLoop: its runs cannot move.")
        return agent

    async def _last_run(self, thread: ThreadId) -> str:
        checkpoints = await self._store.list_checkpoints(thread)
        if not checkpoints:
            raise HandoffUnavailable(f"Conversation {thread!r} has no run to continue elsewhere.")
        return checkpoints[-1].run_id

    def _check_not_streaming(self, thread: ThreadId, run_id: RunId) -> None:
        ctx = self._streaming()
        if ctx is not None and (ctx.thread_id == thread or ctx.run_id == run_id):
            raise RunInFlight(
                f"Run {run_id!r} is streaming in this page; continue it on the server once it "
                "pauses on an approval or ends its turn."
            )

    def _queued(self, thread: ThreadId, bundle: RunBundle, target: HttpAgent, why: str) -> None:
        self._send({
            "kind": "handoff_queued", "thread_id": thread, "run_id": bundle.run_id,
            "to": target.base_url, "bundle": bundle.to_json(),
            "message": f"{target.base_url} cannot be reached ({why}); the run continues there "
            "once the page is back online.",
        })

    def _refused(self, op: str, command: dict[str, Any], error: RemiError) -> None:
        code = error.remote_code if isinstance(error, RemoteRefusal) else error.code
        self._send({
            "kind": "handoff_refused", "op": op, "thread_id": _json(command.get("thread_id")),
            "run_id": _json(command.get("run_id")), "code": code, "message": str(error),
        })

    def _send(self, message: dict[str, JsonValue]) -> None:
        self._post(json.dumps(message))


async def upload(target: HttpAgent, bundle: RunBundle) -> tuple[RunInfo, int]:
    """Send `bundle` to the server; the run's status there and the number of the event its
    events are followed after. An earlier upload whose answer was lost counts: the server
    then holds the run already (followed from its first event).

    Raises:
        RemoteRefusal: the server will not take it.
        RemoteUnavailable: the server cannot be reached (send it again later).
    """
    try:
        info = await target.import_run(bundle)
    except RemoteRunExists:
        info = await target.status(bundle.run_id)
        if info.status == "moved":  # held there once, and gone on since: not this upload's
            raise
        return info, 0
    return info, info.last_event_id


async def _check_still_queued(store: Store, bundle: RunBundle, target: HttpAgent) -> None:
    """Refuse sending a queued bundle unless the page's copy is still its moved mark, made for
    this server (else the run went on here, or elsewhere, since it was queued)."""
    latest = await store.latest_checkpoint(bundle.run_id)
    marked = bundle.checkpoint.sequence + 1  # the mark is the next checkpoint after the bundle's
    if latest is None or latest.status != MOVED or latest.sequence != marked:
        raise HandoffUnavailable(
            f"Run {bundle.run_id!r} changed in this page since its hand-off was queued; "
            "continue it here, or hand it off again."
        )
    if moved_to(latest) != target.base_url:
        raise HandoffUnavailable(
            f"Run {bundle.run_id!r} was queued for {moved_to(latest)}; set the Agent URL in "
            "Settings back to it to continue the run there."
        )


def _server(settings: BrowserSettings) -> HttpAgent:
    """The settings' server, where runs move (a `remi serve` of the same agent file)."""
    if not settings.agent_url:
        raise HandoffUnavailable(
            "Set the Agent URL (and token) in Settings: a `remi serve` of this page's agent "
            "file, where runs continue."
        )
    return HttpAgent(settings.agent_url, token=settings.agent_token or None)


def _server_at(to: str, settings: BrowserSettings) -> HttpAgent:
    """A client of the server at `to`; the settings' token goes only to the settings' server."""
    same = bool(settings.agent_url) and HttpAgent(settings.agent_url).base_url == to
    return HttpAgent(to, token=(settings.agent_token or None) if same else None)


def _title(checkpoint: Checkpoint) -> str:
    """A conversation title: the start of the run's first user message."""
    for message in checkpoint.state.messages:
        if message.role == "user":
            text = content_text(message.content).strip()
            if text:
                return text[:60]
    return "Taken back from the server"


def _text(command: dict[str, Any], name: str) -> str:
    value = command.get(name)
    if not isinstance(value, str) or not value:
        raise HandoffUnavailable(f"`{name}` must be a non-empty string")
    return value


def _json(value: object) -> JsonValue:
    return value if isinstance(value, str | int) else None
