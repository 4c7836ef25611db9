"""`HttpAgent`'s thread methods: read, fork, replay, export and import a served thread
(`/v1/threads/...`, see `docs/protocol.md`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..core.content import Content
from ..core.ctx import ChatCtx
from ..core.events import AgentEvent
from ..core.ids import ThreadId
from ..core.messages import Message
from ..core.requests import ChatRequest, Start
from ..core.schema_types import JsonValue
from .thread_protocol import (
    FORK_REQUEST_ADAPTER,
    IMPORT_PATH,
    THREAD_CREATED_ADAPTER,
    THREAD_INFO_ADAPTER,
    ForkRequest,
    thread_path,
)

if TYPE_CHECKING:
    from ..http.transport import HttpResponse

_DOCUMENT_LIMIT = 64 * 1024 * 1024


class ThreadClient:
    """The thread methods of a client that has `send` and `chat` (`HttpAgent`)."""

    if TYPE_CHECKING:

        async def send(
            self,
            method: str,
            path: str,
            body: bytes | None = None,
            headers: Mapping[str, str] | None = None,
        ) -> HttpResponse: ...

        def chat(
            self, request: ChatRequest | str, ctx: ChatCtx | None = None
        ) -> AsyncIterator[AgentEvent]: ...

    async def thread(self, thread_id: str) -> list[Message]:
        """The messages of the caller's thread `thread_id` (`RemoteRefusal` with
        `remote_code == "thread_not_found"` for an unknown one)."""
        response = await self.send("GET", thread_path(_segment(thread_id)))
        info = THREAD_INFO_ADAPTER().validate_json(await response.read(_DOCUMENT_LIMIT))
        return info.messages

    async def fork(
        self, thread_id: str, at: str | int | None = None, new_thread_id: str | None = None
    ) -> ThreadId:
        """Fork the thread before message `at` (id or index; all of it without `at`) into
        a new thread on the server; returns the new thread's id."""
        body = FORK_REQUEST_ADAPTER().dump_json(
            ForkRequest(at, None if new_thread_id is None else ThreadId(new_thread_id))
        )
        response = await self.send("POST", thread_path(_segment(thread_id), "fork"), body)
        return THREAD_CREATED_ADAPTER().validate_json(await response.read(_DOCUMENT_LIMIT)).thread_id

    async def replay(
        self,
        thread_id: str,
        at: str | int,
        message: Content | None = None,
        *,
        new_thread_id: str | None = None,
        ctx: ChatCtx | None = None,
    ) -> AsyncIterator[AgentEvent]:
        """Fork before the user message `at` and send it again (or `message`) in the branch:
        the events of that run (`run_start.thread_id` is the branch)."""
        if message is None:
            messages = await self.thread(thread_id)
            index = next(
                (i for i, m in enumerate(messages) if m.id == at), at if isinstance(at, int) else -1
            )
            if not -len(messages) <= index < len(messages) or messages[index].role != "user":
                from ..core.errors import RequestError

                raise RequestError(
                    f"Message {at!r} is not a user message; replay from one, or give `message`."
                )
            sent = Message.user(messages[index].content, name=messages[index].name)
        else:
            sent = Message.user(message)
        branch = await self.fork(thread_id, at, new_thread_id)
        async for event in self.chat(ChatRequest(Start([sent]), thread_id=branch), ctx):
            yield event

    async def export(self, thread_id: str) -> dict[str, JsonValue]:
        """The thread as a bundle (`remi_web.core.threads.export_thread`'s JSON)."""
        response = await self.send("GET", thread_path(_segment(thread_id), "export"))
        bundle: dict[str, JsonValue] = json.loads(await response.read(_DOCUMENT_LIMIT))
        return bundle

    async def import_thread(
        self, bundle: Mapping[str, Any], thread_id: str | None = None
    ) -> ThreadId:
        """Store a bundle's messages as a new thread on the server (the bundle's thread id,
        or `thread_id`); returns its id. The server keeps no imported checkpoints."""
        path = IMPORT_PATH if thread_id is None else f"{IMPORT_PATH}?thread_id={quote(thread_id, safe='')}"
        response = await self.send("POST", path, json.dumps(dict(bundle)).encode())
        return THREAD_CREATED_ADAPTER().validate_json(await response.read(_DOCUMENT_LIMIT)).thread_id


def _segment(thread_id: str) -> str:
    """`thread_id` as one URL path segment."""
    return quote(thread_id, safe="")
