"""The worker side of the web app: page commands in, wire-format events out.

The page posts JSON commands (`send`, `resume`, `cancel`, `open`, `delete`, `files`); the
bridge runs the agent and posts one JSON message per event (`{"kind": "event", "thread_id",
"event"}`, where `event` is the core's wire JSON). `files` is answered with the files of the
agent file's workspace (`{"kind": "files", "files": [{"path", "size"}]}`). Pure Python, no
threads: the worker's JavaScript calls `handle()` for each message and passes `post` (its
`postMessage`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
from .history import thread_view
from .settings import SETTINGS_ADAPTER, BrowserSettings

if TYPE_CHECKING:
    from ..tools.filesystem import FileSystem

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
    """

    def __init__(
        self,
        make_agent: AgentFactory,
        store: Store,
        post: Callable[[str], None],
        files: FileSystem | None = None,
    ) -> None:
        self._make_agent = make_agent
        self._store = store
        self._post = post
        self._files = files
        self._running: ChatCtx | None = None

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
        settings = SETTINGS_ADAPTER.validate_python(command.get("settings") or {})
        await self._run(request, settings)

    async def _run(self, request: ChatRequest, settings: BrowserSettings) -> None:
        if self._running is not None:
            raise BridgeError("a run is already streaming; cancel it or wait for it to end")
        thread = request.thread_id
        prefix = '{"kind":"event","thread_id":' + json.dumps(thread) + ',"event":'
        ctx = ChatCtx(thread_id=thread)
        self._running = ctx
        try:
            agent = self._make_agent(settings)
            async for event in agent.chat(request, ctx):
                self._post(prefix + event_to_json(event) + "}")
        except RemiError as error:
            self._post(prefix + event_to_json(ErrorEvent("request", str(error))) + "}")
        except Exception as error:  # the page must hear about every failure
            message = f"{type(error).__name__}: {error}"
            self._post(prefix + event_to_json(ErrorEvent("internal", message)) + "}")
        finally:
            self._running = None
            self._post(json.dumps({"kind": "idle", "thread_id": thread}))

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


def _thread(command: dict[str, Any]) -> ThreadId:
    thread = command.get("thread_id")
    if thread is None:
        return ThreadId(new_id())
    if not isinstance(thread, str) or not thread:
        raise BridgeError("`thread_id` must be a non-empty string")
    return ThreadId(thread)
