"""`append_messages`, `load_messages`, `list_threads`: thread histories kept in order."""

from __future__ import annotations

import pytest

from remi_web.core.ids import ThreadId
from remi_web.core.store import Store

from .builders import checkpoint, message, tool_call_messages

pytestmark = pytest.mark.pyodide

T1, T2, T3 = ThreadId("t1"), ThreadId("t2"), ThreadId("t3")


async def test_unknown_thread_has_no_messages(store: Store) -> None:
    assert await store.load_messages(ThreadId("nope")) == []


async def test_append_then_load_keeps_order_and_content(store: Store) -> None:
    await store.append_messages(T1, tool_call_messages("x"))

    assert await store.load_messages(T1) == tool_call_messages("x")


async def test_several_appends_accumulate_in_order(store: Store) -> None:
    await store.append_messages(T1, [message("one")])
    await store.append_messages(T1, [message("two"), message("three")])
    await store.append_messages(T1, tool_call_messages("x"))

    assert await store.load_messages(T1) == [
        message("one"),
        message("two"),
        message("three"),
        *tool_call_messages("x"),
    ]


async def test_threads_do_not_mix(store: Store) -> None:
    await store.append_messages(T1, [message("a1")])
    await store.append_messages(T2, [message("b1")])
    await store.append_messages(T1, [message("a2")])

    assert await store.load_messages(T1) == [message("a1"), message("a2")]
    assert await store.load_messages(T2) == [message("b1")]


async def test_stored_messages_ignore_later_caller_mutation(store: Store) -> None:
    batch = [message("one")]
    await store.append_messages(T1, batch)
    batch.append(message("sneaky"))
    tool_turn = tool_call_messages("x")
    await store.append_messages(T1, tool_turn)
    tool_turn[2].tool_calls.clear()

    loaded = await store.load_messages(T1)
    loaded.clear()

    assert await store.load_messages(T1) == [message("one"), *tool_call_messages("x")]


async def test_no_threads_at_first(store: Store) -> None:
    assert await store.list_threads() == []


async def test_list_threads_most_recently_updated_first(store: Store) -> None:
    for thread in (T1, T2, T3):
        await store.append_messages(thread, [message(f"{thread} first")])
    assert await store.list_threads() == [T3, T2, T1]

    await store.append_messages(T1, [message("t1 again")])
    assert await store.list_threads() == [T1, T3, T2]

    await store.append_messages(T2, [message("t2 again")])
    assert await store.list_threads() == [T2, T1, T3]


async def test_empty_append_neither_creates_nor_touches_a_thread(store: Store) -> None:
    await store.append_messages(T1, [message("one")])
    await store.append_messages(T2, [message("two")])

    await store.append_messages(T1, [])
    await store.append_messages(T3, [])

    assert await store.list_threads() == [T2, T1]
    assert await store.load_messages(T3) == []


async def test_threads_with_only_checkpoints_are_not_listed(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 0, thread_id="checkpoints-only"))
    await store.append_messages(T1, [message("one")])

    assert await store.list_threads() == [T1]
