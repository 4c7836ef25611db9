"""Branching a thread: a new thread holding another's history up to one of its user messages.

The page's "Edit" on a user message makes such a branch, then sends the edited text in it; the
original thread is left as it was. The history is cut right before a user message, so an
assistant's tool calls are never parted from their results.
"""

from __future__ import annotations

from ..core.ids import ThreadId
from ..core.store import Store


async def fork_thread(
    store: Store, source: ThreadId, before_user: int, target: ThreadId
) -> int:
    """Copy `source`'s stored messages before its `before_user`-th user message (from 0) into
    the empty thread `target`; returns how many were copied.

    An index past the stored user messages (the message of a run that has not ended: cut off by
    a reload, or waiting for approval) copies the whole stored history.

    Raises:
        ValueError: `before_user` is negative, `target` is `source`, or `target` is not empty.
    """
    if before_user < 0:
        raise ValueError("`before_user` must be 0 or more")
    if target == source:
        raise ValueError("a branch needs a new thread id")
    if await store.load_messages(target):
        raise ValueError(f"thread {target!r} already has messages; branch into a new one")
    messages = await store.load_messages(source)
    users = [index for index, message in enumerate(messages) if message.role == "user"]
    prefix = messages[: users[before_user]] if before_user < len(users) else messages
    if prefix:
        await store.append_messages(target, list(prefix))
    return len(prefix)
