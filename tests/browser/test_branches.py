"""`fork_thread`: a branch holds the history before one user message; the original is untouched."""

from __future__ import annotations

import pytest

from remi_web.browser.branches import fork_thread
from remi_web.core.errors import ThreadExists
from remi_web.core.ids import ThreadId
from remi_web.core.messages import Message, ToolCallRequest
from remi_web.stores.memory import MemoryStore

pytestmark = pytest.mark.pyodide

SOURCE, BRANCH = ThreadId("original"), ThreadId("branch")
HISTORY = [
    Message.user("my name is Ada"),
    Message.assistant("", [ToolCallRequest("c1", "save_note", '{"text": "Ada"}')]),
    Message.tool("c1", "saved"),
    Message.assistant("Nice to meet you, Ada."),
    Message.user("what is my name?"),
    Message.assistant("Ada."),
]


async def _store() -> MemoryStore:
    store = MemoryStore()
    await store.append_messages(SOURCE, list(HISTORY))
    return store


@pytest.mark.parametrize(("before_user", "copied"), [(0, 0), (1, 4), (2, 6), (9, 6)])
async def test_a_branch_holds_what_came_before_that_user_message(before_user: int, copied: int) -> None:
    store = await _store()
    assert await fork_thread(store, SOURCE, before_user, BRANCH) == copied
    branch = await store.load_messages(BRANCH)
    assert [(m.role, m.content, m.tool_calls) for m in branch] == [
        (m.role, m.content, m.tool_calls) for m in HISTORY[:copied]
    ]
    assert await store.load_messages(SOURCE) == HISTORY  # the original is left as it was


async def test_a_branch_never_parts_a_tool_call_from_its_result() -> None:
    store = await _store()
    await fork_thread(store, SOURCE, 1, BRANCH)
    branch = await store.load_messages(BRANCH)
    calls = {call.id for m in branch for call in m.tool_calls}
    results = {m.tool_call_id for m in branch if m.role == "tool"}
    assert calls == results == {"c1"}


async def test_bad_branches_are_refused() -> None:
    store = await _store()
    with pytest.raises(ValueError, match="0 or more"):
        await fork_thread(store, SOURCE, -1, BRANCH)
    with pytest.raises(ThreadExists, match="new thread id"):
        await fork_thread(store, SOURCE, 0, SOURCE)
    await fork_thread(store, SOURCE, 1, BRANCH)
    with pytest.raises(ThreadExists, match="already has messages"):
        await fork_thread(store, SOURCE, 1, BRANCH)
