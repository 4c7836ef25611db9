"""`delete_thread`: the thread's checkpoints and messages go; other threads stay intact."""

from __future__ import annotations

import pytest

from remi_web.core.ids import RunId, ThreadId
from remi_web.core.store import Store

from .builders import checkpoint, message

pytestmark = pytest.mark.pyodide

DOOMED = ThreadId("doomed")
KEPT = ThreadId("kept")


async def _fill(store: Store) -> None:
    for thread, run in ((DOOMED, "run-d"), (KEPT, "run-k")):
        await store.put_checkpoint(checkpoint(run, 0, thread_id=thread))
        await store.put_checkpoint(checkpoint(run, 1, thread_id=thread))
        await store.append_messages(thread, [message(f"{thread} hi"), message(f"{thread} bye")])


async def test_checkpoints_and_messages_are_gone(store: Store) -> None:
    await _fill(store)

    await store.delete_thread(DOOMED)

    assert await store.list_checkpoints(DOOMED) == []
    assert await store.latest_checkpoint(RunId("run-d")) is None
    assert await store.load_messages(DOOMED) == []
    assert DOOMED not in await store.list_threads()


async def test_other_threads_are_intact(store: Store) -> None:
    await _fill(store)

    await store.delete_thread(DOOMED)

    assert await store.list_checkpoints(KEPT) == [
        checkpoint("run-k", 0, thread_id=KEPT),
        checkpoint("run-k", 1, thread_id=KEPT),
    ]
    assert await store.latest_checkpoint(RunId("run-k")) == checkpoint("run-k", 1, thread_id=KEPT)
    assert await store.load_messages(KEPT) == [message("kept hi"), message("kept bye")]
    assert await store.list_threads() == [KEPT]


async def test_deleting_an_unknown_thread_changes_nothing(store: Store) -> None:
    await _fill(store)

    await store.delete_thread(ThreadId("never-existed"))

    assert len(await store.list_checkpoints(DOOMED)) == 2
    assert set(await store.list_threads()) == {DOOMED, KEPT}


async def test_a_deleted_thread_starts_afresh(store: Store) -> None:
    await _fill(store)
    await store.delete_thread(DOOMED)

    await store.append_messages(DOOMED, [message("again")])

    assert await store.load_messages(DOOMED) == [message("again")]
    assert await store.list_threads() == [DOOMED, KEPT]
