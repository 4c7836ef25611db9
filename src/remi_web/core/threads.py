"""Threads you can travel in: fork a thread at a message, replay from a message, and export
or import a whole thread as a versioned JSON bundle.

A fork copies the history *before* a message into a new thread; the original is left as it
was. A cut that would fall inside a tool round moves back to before the assistant message
that made the calls, so a tool call is never parted from its result. `replay` forks at a user
message and sends it again (or an edited one) in the branch: the model sees the truncated
history, and the branch keeps the new run. A bundle (`export_thread`) holds the messages
(ids included), the latest checkpoint of each of the thread's runs, and free metadata;
`import_thread` reads it back into a thread that does not exist yet.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Any, TypeAlias

from .checkpoint_codec import MESSAGE_LIST_ADAPTER, decode_checkpoint
from .content import Content
from .ctx import ChatCtx
from .agent import Agent
from .errors import (
    BundleVersionError,
    CheckpointVersionError,
    CorruptCheckpoint,
    InvalidBundle,
    MessageNotFound,
    RequestError,
    ThreadExists,
    ThreadNotFound,
)
from .events import AgentEvent
from .ids import CheckpointId, RunId, ThreadId, new_id, new_thread_id
from .messages import Message
from .requests import ChatRequest, Start
from .schema_types import JsonValue
from .state import CHECKPOINT_ADAPTER, Checkpoint
from .store import CheckpointStore, Store, ThreadStore

BUNDLE_FORMAT = "remi-thread"
"""The `format` of a thread bundle."""
BUNDLE_VERSION = 1
"""The bundle version this code writes and reads."""

At: TypeAlias = str | int
"""A message of a thread: its id, or its index (negative counts from the end, as in Python;
the length of the thread means "after the last message")."""

__all__ = [
    "BUNDLE_FORMAT", "BUNDLE_VERSION", "At", "export_thread", "fork_point", "fork_thread",
    "import_thread", "replay",
]


def message_index(messages: list[Message], at: At) -> int:
    """The index `at` names in `messages` (0 to `len(messages)`), or `MessageNotFound`."""
    if isinstance(at, bool):
        raise MessageNotFound(f"`at` is a message id or index, not {at!r}.")
    if isinstance(at, int):
        index = at + len(messages) if at < 0 else at
        if not 0 <= index <= len(messages):
            raise MessageNotFound(
                f"The thread has {len(messages)} messages; index {at} is not one of them."
            )
        return index
    for index, message in enumerate(messages):
        if message.id == at:
            return index
    raise MessageNotFound(f"The thread has no message with id {at!r}.")


def fork_point(messages: list[Message], at: At) -> int:
    """How many of `messages` a fork at `at` keeps: those before it, cut back to before the
    assistant message whose tool calls `at` answers, if it is a tool result."""
    index = message_index(messages, at)
    if index < len(messages) and messages[index].role == "tool":
        while index > 0 and messages[index].role == "tool":
            index -= 1
    return index


async def fork_thread(
    store: ThreadStore, thread_id: ThreadId, at: At | None = None,
    new_thread_id: ThreadId | None = None,
) -> ThreadId:
    """Copy the messages of `thread_id` before `at` (all of them without `at`) into a new
    thread; returns its id. The original thread is not changed.

    Args:
        store: where both threads live.
        thread_id: the thread to fork.
        at: the message the branch diverges at (its id or index; see `At`).
        new_thread_id: the branch's id (a fresh one by default); it must hold nothing yet.

    Raises:
        ThreadNotFound: `thread_id` has no messages.
        MessageNotFound: `at` names no message of it.
        ThreadExists: `new_thread_id` is `thread_id` or already has messages.
    """
    messages = await store.load_messages(thread_id)
    if not messages:
        raise ThreadNotFound(f"Thread {thread_id!r} has no messages to fork.")
    keep = len(messages) if at is None else fork_point(messages, at)
    target = await branch_id(store, new_thread_id, thread_id)
    if keep:
        await store.append_messages(target, messages[:keep])
    return target


async def replay(
    agent: Agent[ChatRequest, AgentEvent],
    store: ThreadStore,
    thread_id: ThreadId,
    at: At,
    *,
    message: Content | None = None,
    new_thread_id: ThreadId | None = None,
    metadata: Mapping[str, JsonValue] | None = None,
    ctx: ChatCtx | None = None,
) -> AsyncIterator[AgentEvent]:
    """Fork `thread_id` before the user message `at` and send that message again (or
    `message`, an edited one) in the branch: the run's events. The model sees the history
    before `at`; the branch (its id is `run_start.thread_id`) keeps the new run.

    Args:
        agent: the agent keeping its threads in `store`.
        store: where the thread lives.
        thread_id: the thread to replay.
        at: the user message to replay from (id or index); with `message`, any message.
        message: what to send instead of the message at `at`.
        new_thread_id: the branch's id (a fresh one by default).
        metadata: the run's metadata.
        ctx: the run's context.

    Raises (before the first event) what `fork_thread` raises, and `RequestError` when `at`
    is not a user message and no `message` is given.
    """
    messages = await store.load_messages(thread_id)
    if not messages:
        raise ThreadNotFound(f"Thread {thread_id!r} has no messages to replay.")
    index = message_index(messages, at)
    if message is None:
        if index == len(messages) or messages[index].role != "user":
            raise RequestError(
                f"Message {at!r} is not a user message; replay from one, or give `message`."
            )
        sent = Message.user(messages[index].content, name=messages[index].name)
    else:
        sent = Message.user(message)
    branch = await fork_thread(store, thread_id, index, new_thread_id)
    request = ChatRequest(Start([sent]), thread_id=branch, metadata=dict(metadata or {}))
    async for event in agent.chat(request, ctx if ctx is not None else ChatCtx()):
        yield event


async def export_thread(
    store: Store,
    thread_id: ThreadId,
    *,
    metadata: Mapping[str, JsonValue] | None = None,
    exported_as: ThreadId | None = None,
) -> dict[str, JsonValue]:
    """The thread as a JSON-ready bundle: `{"format": "remi-thread", "version": 1,
    "thread_id", "messages", "checkpoints", "metadata", "exported_at"}`, where `checkpoints`
    are the latest checkpoint of each of the thread's runs (without leases).

    Args:
        store: where the thread lives.
        thread_id: the thread.
        metadata: free JSON kept in the bundle.
        exported_as: the id the bundle names the thread by (`thread_id` by default).

    Raises:
        ThreadNotFound: the thread has neither messages nor checkpoints.
    """
    messages = await store.load_messages(thread_id)
    latest: dict[RunId, Checkpoint] = {}
    for checkpoint in await store.list_checkpoints(thread_id):
        known = latest.get(checkpoint.run_id)
        if known is None or checkpoint.sequence > known.sequence:
            latest[checkpoint.run_id] = checkpoint
    if not messages and not latest:
        raise ThreadNotFound(f"Thread {thread_id!r} has nothing to export.")
    shown = exported_as if exported_as is not None else thread_id
    adapter = CHECKPOINT_ADAPTER()
    checkpoints: list[JsonValue] = [
        adapter.dump_python(_moved(checkpoint, checkpoint.run_id, shown), mode="json")
        for checkpoint in sorted(latest.values(), key=lambda c: c.created_at)
    ]
    return {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "thread_id": shown,
        "messages": MESSAGE_LIST_ADAPTER().dump_python(messages, mode="json"),
        "checkpoints": checkpoints,
        "metadata": dict(metadata or {}),
        "exported_at": time.time(),
    }


async def import_thread(
    store: Store,
    bundle: Mapping[str, Any],
    new_thread_id: ThreadId | None = None,
    *,
    checkpoints: bool = True,
) -> ThreadId:
    """Store the thread of `bundle` (what `export_thread` made, e.g. read back with
    `json.loads`); returns its id. Messages keep their ids. A checkpoint whose run already
    exists in `store` is stored under a fresh run id, so nothing is overwritten.

    Args:
        store: where to put the thread.
        bundle: the bundle.
        new_thread_id: the thread's id here (the bundle's `thread_id` by default).
        checkpoints: whether to store the bundle's checkpoints too (False: messages only).

    Raises:
        InvalidBundle: the bundle is malformed (`BundleVersionError`: another version).
        ThreadExists: the thread already holds messages or checkpoints.
    """
    thread, messages, runs = read_bundle(bundle)
    target = new_thread_id if new_thread_id is not None else thread
    if await store.load_messages(target) or await store.list_checkpoints(target):
        raise ThreadExists(
            f"Thread {target!r} already exists; import into a new thread id (threads are "
            "never overwritten)."
        )
    if messages:
        await store.append_messages(target, messages)
    for checkpoint in runs if checkpoints else []:
        run_id = checkpoint.run_id
        if await _run_exists(store, run_id):
            run_id = RunId(new_id())
            checkpoint = replace(checkpoint, id=CheckpointId(new_id()))
        await store.put_checkpoint(_moved(checkpoint, run_id, target))
    return target


def read_bundle(bundle: Mapping[str, Any]) -> tuple[ThreadId, list[Message], list[Checkpoint]]:
    """The thread id, messages and checkpoints of a bundle, or `InvalidBundle` saying where
    it is wrong (`BundleVersionError` for a version this code does not read)."""
    from pydantic import ValidationError  # the adapters import it on first use anyway

    if not isinstance(bundle, Mapping):
        raise InvalidBundle("A thread bundle is a JSON object (what export_thread writes).")
    if bundle.get("format") != BUNDLE_FORMAT:
        raise InvalidBundle(
            f"Not a thread bundle: `format` is {bundle.get('format')!r}, not {BUNDLE_FORMAT!r}.",
            field="format",
        )
    version = bundle.get("version")
    if type(version) is not int or version != BUNDLE_VERSION:
        raise BundleVersionError(
            f"Thread bundle version {version!r}; this remi-web reads version {BUNDLE_VERSION}. "
            "Import it with the remi-web that exported it.",
            field="version",
        )
    thread = bundle.get("thread_id")
    if not isinstance(thread, str) or not thread:
        raise InvalidBundle("`thread_id` must be a non-empty string.", field="thread_id")
    metadata = bundle.get("metadata", {})
    if not isinstance(metadata, dict):
        raise InvalidBundle("`metadata` must be an object.", field="metadata")
    try:
        messages = MESSAGE_LIST_ADAPTER().validate_python(bundle.get("messages"))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in ("messages", *first["loc"]))
        raise InvalidBundle(f"Invalid message: {where}: {first['msg']}.", field=where) from None
    raw_checkpoints = bundle.get("checkpoints", [])
    if not isinstance(raw_checkpoints, list):
        raise InvalidBundle("`checkpoints` must be a list.", field="checkpoints")
    runs: list[Checkpoint] = []
    for position, raw in enumerate(raw_checkpoints):
        try:
            runs.append(decode_checkpoint(json.dumps(raw)))
        except (CorruptCheckpoint, CheckpointVersionError, TypeError, ValueError) as error:
            raise InvalidBundle(
                f"Checkpoint {position} cannot be read: {error}", field=f"checkpoints.{position}"
            ) from None
    return ThreadId(thread), messages, runs


async def branch_id(
    store: ThreadStore, requested: ThreadId | None, source: ThreadId
) -> ThreadId:
    """The id of a fork's branch: `requested` if it is free, else a fresh one.

    Raises:
        ThreadExists: `requested` is `source` or already has messages.
    """
    if requested is None:
        return new_thread_id()
    if requested == source:
        raise ThreadExists("A fork needs a new thread id, not the id of the thread it forks.")
    if await store.load_messages(requested):
        raise ThreadExists(
            f"Thread {requested!r} already has messages; fork into a new thread id."
        )
    return requested


async def _run_exists(store: CheckpointStore, run_id: RunId) -> bool:
    try:
        return await store.latest_checkpoint(run_id) is not None
    except (CorruptCheckpoint, CheckpointVersionError):
        return True  # something is there: do not write over it


def _moved(checkpoint: Checkpoint, run_id: RunId, thread_id: ThreadId) -> Checkpoint:
    """`checkpoint` of run `run_id` in thread `thread_id`, without a lease."""
    state = replace(checkpoint.state, run_id=run_id, thread_id=thread_id)
    return replace(checkpoint, run_id=run_id, thread_id=thread_id, state=state, lease=None)
