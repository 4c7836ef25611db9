"""`list_checkpoints`: every checkpoint of a thread's runs, oldest first, nothing else."""

from __future__ import annotations

import pytest

from remi_web.core.ids import ThreadId
from remi_web.core.store import Store

from .builders import checkpoint

pytestmark = pytest.mark.pyodide


async def test_unknown_thread_lists_nothing(store: Store) -> None:
    assert await store.list_checkpoints(ThreadId("nope")) == []


async def test_lists_the_threads_runs_oldest_first(store: Store) -> None:
    a0 = checkpoint("run-a", 0, created_at=10.0)
    b0 = checkpoint("run-b", 0, created_at=20.0)
    a1 = checkpoint("run-a", 1, created_at=30.0)
    b1 = checkpoint("run-b", 1, created_at=40.0)
    for cp in (b1, a0, a1, b0):
        await store.put_checkpoint(cp)

    assert await store.list_checkpoints(ThreadId("thread-1")) == [a0, b0, a1, b1]


async def test_equal_times_keep_put_order(store: Store) -> None:
    first = checkpoint("run-a", 0, created_at=5.0)
    second = checkpoint("run-b", 0, created_at=5.0)
    await store.put_checkpoint(first)
    await store.put_checkpoint(second)

    assert await store.list_checkpoints(ThreadId("thread-1")) == [first, second]


async def test_other_threads_are_excluded(store: Store) -> None:
    mine = [checkpoint("run-a", i, thread_id="mine") for i in range(3)]
    theirs = [checkpoint("run-b", i, thread_id="theirs") for i in range(2)]
    for cp in [*theirs, *mine]:
        await store.put_checkpoint(cp)

    assert await store.list_checkpoints(ThreadId("mine")) == mine
    assert await store.list_checkpoints(ThreadId("theirs")) == theirs
