"""The thread endpoints of the protocol: read a thread, fork it, export and import it as a
bundle (`remi_web.core.threads`). Shared by the server and `HttpAgent`; pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from ..core.ids import ThreadId
from ..core.messages import Message
from ..core.schema_types import LazyAdapter

THREADS_PATH = "/v1/threads"
IMPORT_PATH = THREADS_PATH + "/import"
MAX_THREAD_ID = 256
"""The longest thread id a client may name (characters)."""

ThreadAction: TypeAlias = Literal["fork", "export"]


def thread_path(thread_id: str, action: ThreadAction | None = None) -> str:
    """The path of thread `thread_id` (`GET` for its messages), or of one of its actions."""
    base = f"{THREADS_PATH}/{thread_id}"
    return base if action is None else f"{base}/{action}"


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    """The answer of `GET /v1/threads/{thread_id}`: the thread's messages, in order."""

    thread_id: ThreadId
    messages: list[Message] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ForkRequest:
    """The body of `POST /v1/threads/{thread_id}/fork`.

    Args:
        at: the message the branch diverges at: its id, or its index (negative from the
            end); the branch holds the messages before it. None: all of them.
        new_thread_id: the branch's id (a fresh one by default).
    """

    at: str | int | None = None
    new_thread_id: ThreadId | None = None


@dataclass(frozen=True, slots=True)
class ThreadCreated:
    """The answer (201) of a fork or an import: the new thread and how many messages it
    holds; `forked_from` is the thread a fork copied."""

    thread_id: ThreadId
    messages: int
    forked_from: ThreadId | None = None


THREAD_INFO_ADAPTER = LazyAdapter[ThreadInfo](ThreadInfo)
FORK_REQUEST_ADAPTER = LazyAdapter[ForkRequest](ForkRequest)
THREAD_CREATED_ADAPTER = LazyAdapter[ThreadCreated](ThreadCreated)
