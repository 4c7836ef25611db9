"""The worker side of the web app: page commands in, wire-format events out.

The page posts JSON commands (`send`, `resume`, `attach`, `cancel`, `open`, `fork`, `delete`,
`files`, `eval` for the eval tab: `evals_bridge`, and `handoff`, `take_back`, `follow`,
`unfollow` for runs that move to a server and back: `handoff_bridge`); the bridge runs the agent and posts one JSON message per event (`{"kind": "event",
"thread_id", "event"}`, where `event` is the core's wire JSON, plus `seq`, the event's number in
the run's log, for an agent at a URL). `files` is answered with the files of the agent file's
workspace (`{"kind": "files", "files": [{"path", "size"}]}`). Pure Python, no threads: the
worker's JavaScript calls `handle()` for each message and passes `post` (its `postMessage`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from pydantic import JsonValue, ValidationError

from ..core.agent import Agent
from ..core.ctx import ChatCtx
from ..core.errors import RemiError
from ..core.events import AgentEvent, ErrorEvent
from ..core.ids import RunId, ThreadId, new_id
from ..core.messages import Message
from ..core.requests import ChatRequest, Resume, Start
from ..core.store import Store
from ..core.wire import event_to_json
from .branches import fork_thread
from .history import thread_view
from .settings import SETTINGS_ADAPTER, BrowserSettings

if TYPE_CHECKING:
    from ..tools.filesystem import FileSystem
    from ..remote.http_agent import HttpAgent
    from .handoff_bridge import HandoffBridge
    from .remote_runs import Attach

AgentFactory = Callable[[BrowserSettings], Agent[ChatRequest, AgentEvent]]
"""Makes the agent for the page's current settings."""


class BridgeError(RemiError):
    """A command from the page that the bridge cannot carry out."""


class WorkerBridge:
    """Runs one agent run at a time for the page and streams its events back.

    Args:
        make_agent: builds the agent for the settings a command carries.
        store: where threads and checkpoints live (IndexedDB in the browser).
        post: sends one JSON text to the page.
        files: the agent file's workspace, whose files `files` lists (None: no files).
        make_eval_agent: builds the agent an `eval` command evaluates (default
            `make_agent`; the worker gives one on a fresh in-memory store, so evaluations
            leave nothing in the page's store).
    """

    def __init__(
        self,
        make_agent: AgentFactory,
        store: Store,
        post: Callable[[str], None],
        files: FileSystem | None = None,
        make_eval_agent: AgentFactory | None = None,
    ) -> None:
        self._make_agent = make_agent
        self._store = store
        self._post = post
        self._files = files
        self._make_eval_agent = make_eval_agent or make_agent
        self._running: ChatCtx | None = None
        self._handoffs: HandoffBridge | None = None

    @property
    def busy(self) -> bool:
        """Whether a run is streaming now."""
        return self._running is not None

    async def handle(self, message: str) -> None:
        """Carry out one command from the page; problems are posted back, never raised."""
        thread: JsonValue = None
        try:
            command = json.loads(message)
            if not isinstance(command, dict):
                raise BridgeError("a command must be a JSON object")
            thread = command.get("thread_id")
            await self._dispatch(command)
        except (BridgeError, RemiError, ValidationError, ValueError) as error:
            self._post_error(thread, "bad_command", str(error))

    async def _dispatch(self, command: dict[str, Any]) -> None:
        op = command.get("op")
        if op == "cancel":
            if self._running is not None:
                self._running.cancel()
            return
        if op == "open":
            view = await thread_view(self._store, _thread(command))
            self._post(json.dumps({"kind": "history", **view}))
            return
        if op == "delete":
            await self._store.delete_thread(_thread(command))
            self._post(json.dumps({"kind": "deleted", "thread_id": _thread(command)}))
            return
        if op == "files":
            self._post(json.dumps({"kind": "files", "files": self.file_list()}))
            return
        if op == "fork":
            await self._fork(command)
            return
        settings = SETTINGS_ADAPTER().validate_python(command.get("settings") or {})
        if op == "eval":
            await self._evaluate(command, settings)
            return
        if op in ("handoff", "take_back", "follow", "unfollow"):  # runs that move
            await self._handoff(op, command, settings)
            return
        if op == "attach":
            await self._run(_thread(command), settings, _attach(command, settings))
            return
        if op == "send":
            text = command.get("text")
            if not isinstance(text, str) or not text.strip():
                raise BridgeError("`send` needs a non-empty `text`")
            request = ChatRequest(Start([Message.user(text)]), thread_id=_thread(command))
        elif op == "resume":
            payloads = command.get("payloads")
            if not isinstance(payloads, dict):
                raise BridgeError("`resume` needs `payloads`, an object keyed by interrupt id")
            run_id = RunId(str(command.get("run_id")))
            request = ChatRequest(Resume(run_id, payloads), thread_id=_thread(command))
        else:
            raise BridgeError(f"unknown op {op!r}")
        await self._run(request.thread_id, settings, request)

    async def _fork(self, command: dict[str, Any]) -> None:
        """`fork` {thread_id, before_user, new_thread_id}: the branch is made, then `forked`."""
        before = command.get("before_user")
        target = command.get("new_thread_id")
        if not isinstance(before, int) or isinstance(before, bool):
            raise BridgeError("`fork` needs `before_user`, the index of a user message (from 0)")
        if not isinstance(target, str) or not target:
            raise BridgeError("`fork` needs `new_thread_id`, a non-empty string")
        source = _thread(command)
        copied = await fork_thread(self._store, source, before, ThreadId(target))
        self._post(json.dumps(
            {"kind": "forked", "thread_id": source, "new_thread_id": target, "copied": copied}
        ))

    async def _evaluate(self, command: dict[str, Any], settings: BrowserSettings) -> None:
        """`eval`: run a dataset against the page's agent (`evals_bridge`); `cancel` stops
        it, and `idle` follows its result, as after a run."""
        from .evals_bridge import run_page_eval  # the chat alone never loads the evals library

        if self._running is not None:
            message = "a run is streaming; wait for it to end (or stop it) and evaluate again"
            self._post(json.dumps({"kind": "eval_error", "message": message}))
            return
        ctx = ChatCtx()
        self._running = ctx
        about = "agent at " + settings.agent_url if settings.mode == "remote" else "page agent"
        try:
            await run_page_eval(
                command, lambda: self._make_eval_agent(settings), self._post, ctx.token,
                metadata={"agent": about, "model": settings.model},
            )
        except Exception as error:  # the page must hear about every failure
            message = f"{type(error).__name__}: {error}"
            self._post(json.dumps({"kind": "eval_error", "message": message}))
        finally:
            self._running = None
            self._post(json.dumps({"kind": "idle", "thread_id": None}))

    async def _handoff(self, op: str, command: dict[str, Any], settings: BrowserSettings) -> None:
        """Runs that move between the page and the settings' server (`handoff_bridge`)."""
        from .handoff_bridge import HandoffBridge  # the chat alone never loads the remote client

        if self._handoffs is None:
            streaming = lambda: self._running  # noqa: E731 (never handed off while it streams)
            self._handoffs = HandoffBridge(self._store, self._post, self._make_agent, streaming)
        await self._handoffs.handle(op, command, settings)

    async def _run(
        self, thread: ThreadId | None, settings: BrowserSettings, action: ChatRequest | Attach
    ) -> None:
        if self._running is not None:
            raise BridgeError("a run is already streaming; cancel it or wait for it to end")
        prefix = '{"kind":"event","thread_id":' + json.dumps(thread) + ',"event":'
        ctx = ChatCtx(thread_id=thread)
        self._running = ctx
        try:
            agent = self._make_agent(settings)
            remote = settings.mode == "remote"
            async for event, seq in self._events(agent, action, ctx, remote):
                tail = "}" if seq is None else f',"seq":{seq}}}'
                self._post(prefix + event_to_json(event) + tail)
        except RemiError as error:
            self._post(prefix + event_to_json(ErrorEvent("request", str(error))) + "}")
        except Exception as error:  # the page must hear about every failure
            message = f"{type(error).__name__}: {error}"
            self._post(prefix + event_to_json(ErrorEvent("internal", message)) + "}")
        finally:
            self._running = None
            self._post(json.dumps({"kind": "idle", "thread_id": thread}))

    async def _events(
        self,
        agent: Agent[ChatRequest, AgentEvent],
        action: ChatRequest | Attach,
        ctx: ChatCtx,
        remote: bool,
    ) -> AsyncIterator[tuple[AgentEvent, int | None]]:
        """The run's events, numbered when the agent is at a URL (so a reload can re-attach)."""
        if remote:  # imported only then: the agent in the page never needs the remote client
            from ..remote.http_agent import HttpAgent
            from .remote_runs import Attach, numbered_events

            if isinstance(agent, HttpAgent):
                if isinstance(action, Attach) and not await self._attachable(agent, action, ctx):
                    return
                async for numbered in numbered_events(agent, action, ctx):
                    yield numbered
                return
            if isinstance(action, Attach):
                raise BridgeError("`attach` needs an agent at a URL (an `HttpAgent`)")
        assert isinstance(action, ChatRequest)
        async for event in agent.chat(action, ctx):
            yield event, None

    async def _attachable(self, agent: HttpAgent, action: Attach, ctx: ChatCtx) -> bool:
        """Tell the page whether the run can be followed to its end: `{"kind": "attached",
        "thread_id", "run_id", "status", "attached"}` (and `message` when its status could not be
        had)."""
        from .remote_runs import can_follow

        answer: dict[str, JsonValue] = {
            "kind": "attached", "thread_id": ctx.thread_id, "run_id": action.run_id,
        }
        try:
            info = await agent.status(action.run_id)
        except RemiError as error:
            answer.update(status=None, attached=False, message=str(error))
        else:
            answer.update(status=info.status, attached=can_follow(info, action.after))
        self._post(json.dumps(answer))
        return answer["attached"] is True

    def file_list(self) -> list[JsonValue]:
        """The workspace's files, `{"path", "size"}` each, depth first and sorted by name."""
        if self._files is None:
            return []
        return [
            {"path": entry.path, "size": entry.size}
            for entry in self._files.walk("/")
            if entry.kind == "file"
        ]

    def _post_error(self, thread: JsonValue, code: str, message: str) -> None:
        event = event_to_json(ErrorEvent(code, message))
        self._post('{"kind":"event","thread_id":' + json.dumps(thread) + ',"event":' + event + "}")
        if not self.busy:
            self._post(json.dumps({"kind": "idle", "thread_id": thread}))


def _attach(command: dict[str, Any], settings: BrowserSettings) -> Attach:
    """`attach` {thread_id, run_id, after}: follow a remote run again after event `after`."""
    from .remote_runs import Attach

    if settings.mode != "remote":
        raise BridgeError("`attach` needs an agent at a URL (settings mode `remote`)")
    run_id = command.get("run_id")
    after = command.get("after")
    if not isinstance(run_id, str) or not run_id:
        raise BridgeError("`attach` needs `run_id`, a non-empty string")
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise BridgeError("`attach` needs `after`, the number of the last event seen (0 or more)")
    return Attach(RunId(run_id), after)


def _thread(command: dict[str, Any]) -> ThreadId:
    thread = command.get("thread_id")
    if thread is None:
        return ThreadId(new_id())
    if not isinstance(thread, str) or not thread:
        raise BridgeError("`thread_id` must be a non-empty string")
    return ThreadId(thread)
