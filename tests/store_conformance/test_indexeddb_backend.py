"""What only the IndexedDB stores promise: one database shared as tabs share it, kept across
reopening, atomic operations, a schema that newer code can migrate, closing, and `StoreError`s.

IndexedDB exists only in Pyodide (a browser, or the Pyodide lane's node with fake-indexeddb), so
natively these tests are skipped; the lane requires every one of them to pass.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from pydantic import JsonValue

from remi_web.core.errors import StoreError
from remi_web.core.ids import RunId, ThreadId
from remi_web.stores import idb
from remi_web.stores.idb_database import (
    CHECKPOINTS,
    META,
    SNAPSHOT_ENTRIES,
    SNAPSHOTS,
    THREADS,
    VERSION,
    migrate,
)
from remi_web.stores.indexeddb import IndexedDBStore
from remi_web.stores.indexeddb_snapshots import IndexedDBSnapshotStore
from remi_web.tools import VirtualWorkspace

from .builders import checkpoint, message, tool_call_messages
from .test_concurrency import assert_all_written, task_writes

pytestmark = [
    pytest.mark.pyodide,
    pytest.mark.skipif(
        not IndexedDBStore.available(),
        reason="IndexedDB exists only in Pyodide: the Pyodide lane runs these",
    ),
]

T1, T2, T3 = ThreadId("t1"), ThreadId("t2"), ThreadId("t3")


@pytest.fixture
async def name() -> AsyncIterator[str]:
    """A database name of its own for the test, deleted afterwards."""
    database = f"remi-idb-test-{uuid4().hex}"
    yield database
    await IndexedDBStore.delete_database(database)


async def raw_put(name: str, store: str, value: JsonValue, key: idb.Key | None = None) -> None:
    """Write a record behind the stores' backs (as another program, or a corruption, would)."""
    database = await idb.open_database(name, VERSION, migrate)
    try:
        await database.run([store], "readwrite", lambda tx: tx.put(store, value, key))
    finally:
        database.close()


async def test_two_stores_on_one_database_see_each_others_writes(name: str) -> None:
    async with IndexedDBStore(name, keep="all") as tab_a, IndexedDBStore(name, keep="all") as tab_b:
        await tab_a.put_checkpoint(checkpoint("run-a", 0))
        assert await tab_b.latest_checkpoint(RunId("run-a")) == checkpoint("run-a", 0)
        await tab_b.put_checkpoint(checkpoint("run-a", 1))
        assert await tab_a.latest_checkpoint(RunId("run-a")) == checkpoint("run-a", 1)
        assert await tab_a.list_checkpoints(ThreadId("thread-1")) == [
            checkpoint("run-a", 0),
            checkpoint("run-a", 1),
        ]

        await tab_a.append_messages(T1, [message("a1")])
        await tab_b.append_messages(T2, [message("b1")])
        await tab_a.append_messages(T3, [message("a2")])
        await tab_b.append_messages(T1, [message("b2")])

        assert await tab_b.load_messages(T1) == [message("a1"), message("b2")]
        assert await tab_a.list_threads() == [T1, T3, T2]
        assert await tab_b.list_threads() == [T1, T3, T2]

        await tab_b.delete_thread(ThreadId("thread-1"))
        assert await tab_a.latest_checkpoint(RunId("run-a")) is None


async def test_stores_on_one_database_writing_at_once_lose_nothing(name: str) -> None:
    workers, count = 6, 8
    tabs = [IndexedDBStore(name, keep="all") for _ in range(3)]
    try:
        await asyncio.gather(*(task_writes(tabs[w % 3], w, count) for w in range(workers)))
        async with IndexedDBStore(name, keep="all") as reader:
            await assert_all_written(reader, workers, count)
    finally:
        for tab in tabs:
            tab.close()


async def test_everything_survives_closing_and_reopening(name: str) -> None:
    async with IndexedDBStore(name, keep="all") as store:
        await store.put_checkpoint(checkpoint("run-a", 0, rich=True))
        await store.put_checkpoint(checkpoint("run-a", 1, thread_id="other"))
        await store.append_messages(T1, tool_call_messages("x"))
        await store.append_messages(T2, [message("two")])

    async with IndexedDBStore(name, keep="all") as reopened:
        assert await reopened.latest_checkpoint(RunId("run-a")) == checkpoint(
            "run-a", 1, thread_id="other"
        )
        assert await reopened.list_checkpoints(ThreadId("thread-1")) == [
            checkpoint("run-a", 0, rich=True)
        ]
        assert await reopened.load_messages(T1) == tool_call_messages("x")
        assert await reopened.list_threads() == [T2, T1]
        # the counters carried over too: positions continue, and T1 is now the newest
        await reopened.append_messages(T1, [message("after")])
        assert await reopened.load_messages(T1) == [*tool_call_messages("x"), message("after")]
        assert await reopened.list_threads() == [T1, T2]


async def test_snapshots_share_the_database_and_survive_a_reload(name: str) -> None:
    async with IndexedDBStore(name, keep="all") as store, IndexedDBSnapshotStore(name) as snapshots:
        await store.append_messages(T1, [message("hello")])
        workspace = VirtualWorkspace(per_thread=True, store=snapshots)
        tree = await workspace.tree("vfs:t1")
        tree.write_text("/notes/todo.md", "- ship\n")
        await workspace.save("vfs:t1")
        await snapshots.save_snapshot("other", {"n": 1})
        assert await snapshots.keys() == ["other", "vfs:t1"]

    async with IndexedDBSnapshotStore(name) as reloaded, IndexedDBStore(name, keep="all") as store:
        tree = await VirtualWorkspace(per_thread=True, store=reloaded).tree("vfs:t1")
        assert tree.read_text("/notes/todo.md") == "- ship\n"
        assert await reloaded.load_snapshot("other") == {"n": 1}
        assert await store.load_messages(T1) == [message("hello")]


async def test_a_failing_request_undoes_the_whole_operation(name: str) -> None:
    async with IndexedDBStore(name, keep="all") as store:
        await store.append_messages(T1, [message("kept")])
    # Another writer took the revision the next append will draw: its thread record violates
    # the unique index, so that append must fail as a whole, its messages included.
    await raw_put(name, THREADS, {"thread_id": "squatter", "revision": 2, "next_position": 0})

    async with IndexedDBStore(name, keep="all") as store:
        with pytest.raises(StoreError, match=r"append_messages.*ConstraintError"):
            await store.append_messages(T2, [message("lost"), message("lost too")])

        assert await store.load_messages(T2) == []
        assert await store.load_messages(T1) == [message("kept")]
        assert await store.list_threads() == [ThreadId("squatter"), T1]


async def test_a_cancelled_write_still_commits_whole(name: str) -> None:
    async with IndexedDBStore(name, keep="all") as store:
        await store.list_threads()  # connected: the next write issues its requests at once
        batch = [message(f"m{i}") for i in range(50)]
        write = asyncio.create_task(store.append_messages(T1, batch))
        await asyncio.sleep(0)  # the write's transaction is issued; now only its end is awaited

        write.cancel()
        with pytest.raises(asyncio.CancelledError):
            await write

        assert await store.load_messages(T1) == batch  # a later read waits for that commit
        await store.append_messages(T1, [message("next")])
        assert (await store.load_messages(T1))[-1] == message("next")


async def test_newer_code_migrates_the_data_and_older_code_is_refused(name: str) -> None:
    store = IndexedDBStore(name, keep="all")
    await store.append_messages(T1, [message("one")])
    await store.append_messages(T2, [message("two")])
    blocked: list[str] = []

    def to_v2(upgrade: idb.Upgrade) -> None:
        # what a future migration step does: new stores, and records rewritten in callbacks
        upgrade.create_store("added_in_v2")
        tx = upgrade.transaction

        def rewrite(records: list[JsonValue]) -> None:
            for record in records:
                assert isinstance(record, dict)
                tx.put(THREADS, {**record, "pinned": False})

        tx.get_all(THREADS, rewrite)

    newer = await idb.open_database(name, VERSION + 1, to_v2, blocked=lambda: blocked.append("x"))
    try:
        assert blocked == [], "the open store did not give way to the upgrade"
        assert newer.store_names() == sorted(
            [
                "added_in_v2", CHECKPOINTS, "messages", META, "run_messages", SNAPSHOT_ENTRIES,
                SNAPSHOTS, THREADS,
            ]
        )
        rewritten: list[JsonValue] = []
        await newer.run([THREADS], "readonly", lambda tx: tx.get_all(THREADS, rewritten.extend))
        assert [(r["thread_id"], r["pinned"]) for r in rewritten if isinstance(r, dict)] == [
            ("t1", False),
            ("t2", False),
        ]
    finally:
        newer.close()

    with pytest.raises(StoreError, match="load_messages.*newer schema.*reload the page"):
        await store.load_messages(T1)
    with pytest.raises(StoreError, match="newer schema"):
        await IndexedDBStore(name, keep="all").list_threads()
    store.close()


async def test_a_failed_migration_changes_nothing(name: str) -> None:
    async with IndexedDBStore(name, keep="all") as store:
        await store.append_messages(T1, [message("one")])

    def broken(upgrade: idb.Upgrade) -> None:
        upgrade.create_store("half_done")
        raise RuntimeError("migration bug")

    with pytest.raises(idb.IdbError, match="AbortError") as failure:
        await idb.open_database(name, VERSION + 1, broken)
    assert isinstance(failure.value.__cause__, RuntimeError)

    async with IndexedDBStore(name, keep="all") as store:  # still version 1, data intact
        assert await store.load_messages(T1) == [message("one")]
    database = await idb.open_database(name, VERSION, migrate)
    try:
        assert "half_done" not in database.store_names()
    finally:
        database.close()


async def test_deleting_the_database_forgets_everything(name: str) -> None:
    store = IndexedDBStore(name, keep="all")
    snapshots = IndexedDBSnapshotStore(name)
    await store.append_messages(T1, [message("one")])
    await snapshots.save_snapshot("vfs", {"n": 1})

    await IndexedDBStore.delete_database(name)  # the open stores give way

    assert await store.list_threads() == []
    assert await snapshots.load_snapshot("vfs") is None
    store.close()
    snapshots.close()


async def test_operations_after_close_raise_store_error_naming_the_operation(name: str) -> None:
    store = IndexedDBStore(name, keep="all")
    await store.list_threads()
    store.close()
    store.close()
    snapshots = IndexedDBSnapshotStore(name)
    snapshots.close()

    with pytest.raises(StoreError, match="put_checkpoint.*closed"):
        await store.put_checkpoint(checkpoint("run-a", 0))
    with pytest.raises(StoreError, match="append_messages.*closed"):
        await store.append_messages(T1, [message("late")])
    with pytest.raises(StoreError, match="list_threads.*closed"):
        await store.list_threads()
    with pytest.raises(StoreError, match="save_snapshot.*closed"):
        await snapshots.save_snapshot("vfs", {})


async def test_unreadable_records_raise_store_error(name: str) -> None:
    async with IndexedDBStore(name, keep="all") as store:
        await store.put_checkpoint(checkpoint("run-a", 0))
    corrupt = {
        "id": "run-a:0",
        "run_id": "run-a",
        "thread_id": "thread-1",
        "sequence": 0,
        "created_at": 1.0,
        "order": 1,
        "body": '{"not": "a checkpoint"}',
    }
    await raw_put(name, CHECKPOINTS, corrupt)
    await raw_put(name, SNAPSHOTS, {"not": "text"}, "vfs")
    await raw_put(name, SNAPSHOT_ENTRIES, {"snapshot": "vfs", "path": "/a", "body": 5})

    async with IndexedDBStore(name, keep="all") as store, IndexedDBSnapshotStore(name) as snapshots:
        with pytest.raises(StoreError, match="latest_checkpoint"):
            await store.latest_checkpoint(RunId("run-a"))
        with pytest.raises(StoreError, match="load_snapshot.*not JSON text"):
            await snapshots.load_snapshot("vfs")
        with pytest.raises(StoreError, match="load_entries.*'/a' under 'vfs' is not JSON text"):
            await snapshots.load_entries("vfs")


async def test_a_snapshot_that_is_not_json_is_refused(name: str) -> None:
    async with IndexedDBSnapshotStore(name) as snapshots:
        with pytest.raises(StoreError, match="save_snapshot.*not JSON"):
            await snapshots.save_snapshot("vfs", {"bad": object()})  # type: ignore[dict-item]
        with pytest.raises(StoreError, match="save_entries.*'/b' under 'vfs' is not JSON"):
            bad = {"/a": {"path": "/a"}, "/b": {"bad": object()}}
            await snapshots.save_entries("vfs", bad)  # type: ignore[arg-type]
        assert await snapshots.keys() == []


async def test_a_version_1_database_is_upgraded_and_its_checkpoints_still_read(name: str) -> None:
    from remi_web.core.checkpoint_codec import encode_checkpoint
    from remi_web.stores.idb_database import MIGRATIONS

    old = checkpoint("run-old", 3, rich=True)  # written as version 1 did: messages in the body
    database = await idb.open_database(name, 1, MIGRATIONS[1])
    record: JsonValue = {
        "id": old.id, "run_id": old.run_id, "thread_id": old.thread_id, "sequence": 3,
        "status": old.status, "created_at": old.created_at, "order": 1,
        "body": encode_checkpoint(old).decode(),
    }
    await database.run([CHECKPOINTS], "readwrite", lambda tx: tx.put(CHECKPOINTS, record))
    database.close()

    async with IndexedDBStore(name) as store:
        assert await store.latest_checkpoint(RunId("run-old")) == old
        newer = checkpoint("run-old", 4, rich=True)
        await store.put_checkpoint(newer, 3)
        assert await store.latest_checkpoint(RunId("run-old")) == newer


async def test_a_version_2_database_keeps_its_file_trees_through_the_upgrade(name: str) -> None:
    from remi_web.stores.idb_database import MIGRATIONS
    from remi_web.tools import VirtualFS

    old = VirtualFS()
    old.write_text("/docs/a.md", "a")
    old.write_bytes("/bin/x", bytes(range(256)))
    text = json.dumps(old.snapshot())  # written as version 2 did: one record, the whole tree

    def to_v2(upgrade: idb.Upgrade) -> None:
        for version in range(upgrade.old_version + 1, 3):
            MIGRATIONS[version](upgrade)

    database = await idb.open_database(name, 2, to_v2)
    await database.run([SNAPSHOTS], "readwrite", lambda tx: tx.put(SNAPSHOTS, text, "vfs:t1"))
    database.close()

    async with IndexedDBSnapshotStore(name) as snapshots:
        assert await snapshots.keys() == ["vfs:t1"]
        workspace = VirtualWorkspace(per_thread=True, store=snapshots)
        tree = await workspace.tree("vfs:t1")
        assert tree.snapshot() == old.snapshot()
        tree.write_text("/docs/b.md", "b")
        await workspace.save("vfs:t1")  # from now on, one record per entry
        assert await snapshots.load_snapshot("vfs:t1") is None
        assert sorted(await snapshots.load_entries("vfs:t1")) == [
            "/bin", "/bin/x", "/docs", "/docs/a.md", "/docs/b.md",
        ]

    async with IndexedDBSnapshotStore(name) as reloaded:
        again = await VirtualWorkspace(per_thread=True, store=reloaded).tree("vfs:t1")
        assert again.snapshot() == tree.snapshot()
        assert await reloaded.keys() == ["vfs:t1"]
