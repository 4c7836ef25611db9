"""Branching a thread for the page's "Edit" on a user message: a thin caller of the core's
`fork_thread`, counting user messages the way the page shows them.

The page makes such a branch, then sends the edited text in it; the original thread is left
as it was. The history is cut right before a user message, so an assistant's tool calls are
never parted from their results.
"""

from __future__ import annotations

from ..core.ids import ThreadId
from ..core.store import Store
from ..core.threads import branch_id
from ..core.threads import fork_thread as fork_at


async def fork_thread(
    store: Store, source: ThreadId, before_user: int, target: ThreadId
) -> int:
    """Copy `source`'s stored messages before its `before_user`-th user message (from 0) into
    the empty thread `target`; returns how many were copied.

    An index past the stored user messages (the message of a run that has not ended: cut off by
    a reload, or waiting for approval) copies the whole stored history.

    Raises:
        ValueError: `before_user` is negative.
        ThreadExists: `target` is `source`, or `target` is not empty.
    """
    if before_user < 0:
        raise ValueError("`before_user` must be 0 or more")
    messages = await store.load_messages(source)
    users = [index for index, message in enumerate(messages) if message.role == "user"]
    keep = users[before_user] if before_user < len(users) else len(messages)
    if not messages:  # nothing stored yet: an empty branch
        await branch_id(store, target, source)
        return 0
    await fork_at(store, source, keep, target)
    return keep

