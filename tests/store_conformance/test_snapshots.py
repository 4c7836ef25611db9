"""`SnapshotStore`: JSON snapshots by key, stored by value, and the file trees kept through one."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import JsonValue

from remi_web.tools import SnapshotStore, VirtualWorkspace

pytestmark = pytest.mark.pyodide


def tree_snapshot(text: str) -> dict[str, JsonValue]:
    """A snapshot with every JSON type: nested objects and arrays, text, numbers, booleans, null."""
    return {
        "format": "remi-vfs",
        "version": 1,
        "entries": [{"path": "/notes.md", "type": "file", "text": text, "modified": 1.0}],
        "extra": {"ratio": 0.25, "big": 2**40, "flags": [True, False, None], "empty": {}},
        "unicode": "héllo \u2603 \U0001f600 \"quoted\" \\ back",
    }


async def test_an_unknown_key_has_no_snapshot(snapshot_store: SnapshotStore) -> None:
    assert await snapshot_store.load_snapshot("nope") is None


async def test_save_then_load_round_trips_every_json_type(snapshot_store: SnapshotStore) -> None:
    await snapshot_store.save_snapshot("vfs", tree_snapshot("hi"))

    loaded = await snapshot_store.load_snapshot("vfs")

    assert loaded == tree_snapshot("hi")
    assert isinstance(loaded, dict) and isinstance(loaded["entries"], list)
    entry = loaded["entries"][0]
    assert isinstance(entry, dict) and type(entry["modified"]) is float  # 1.0 stays a float
    assert isinstance(loaded["version"], int)


async def test_saving_again_replaces_and_keys_are_separate(snapshot_store: SnapshotStore) -> None:
    await snapshot_store.save_snapshot("vfs:a", tree_snapshot("first"))
    await snapshot_store.save_snapshot("vfs:b", tree_snapshot("other"))
    await snapshot_store.save_snapshot("vfs:a", tree_snapshot("second"))

    assert await snapshot_store.load_snapshot("vfs:a") == tree_snapshot("second")
    assert await snapshot_store.load_snapshot("vfs:b") == tree_snapshot("other")


async def test_scalar_and_empty_snapshots_are_kept(snapshot_store: SnapshotStore) -> None:
    for key, value in (("list", []), ("object", {}), ("text", ""), ("zero", 0), ("false", False)):
        await snapshot_store.save_snapshot(key, value)

    for key, value in (("list", []), ("object", {}), ("text", ""), ("zero", 0), ("false", False)):
        assert await snapshot_store.load_snapshot(key) == value


async def test_a_stored_snapshot_ignores_later_caller_mutation(
    snapshot_store: SnapshotStore,
) -> None:
    snapshot = tree_snapshot("kept")
    await snapshot_store.save_snapshot("vfs", snapshot)
    entries = snapshot["entries"]
    assert isinstance(entries, list)
    entries.clear()

    loaded = await snapshot_store.load_snapshot("vfs")
    assert isinstance(loaded, dict)
    loaded["version"] = 99

    assert await snapshot_store.load_snapshot("vfs") == tree_snapshot("kept")


async def test_a_new_workspace_finds_the_files_through_the_store(
    snapshot_store: SnapshotStore,
) -> None:
    first = VirtualWorkspace(per_thread=True, store=snapshot_store)
    tree = await first.tree("vfs:t1")
    tree.write_text("/docs/todo.md", "- ship\n")
    tree.make_dir("/empty")
    await first.save("vfs:t1")

    reloaded = await VirtualWorkspace(per_thread=True, store=snapshot_store).tree("vfs:t1")

    assert reloaded.read_text("/docs/todo.md") == "- ship\n"
    assert reloaded.snapshot() == tree.snapshot()
    assert (await VirtualWorkspace(store=snapshot_store).tree("vfs:t2")).used_entries == 0


async def test_concurrent_saves_of_many_keys_all_land(snapshot_store: SnapshotStore) -> None:
    await asyncio.gather(
        *(snapshot_store.save_snapshot(f"k{i}", tree_snapshot(str(i))) for i in range(20))
    )

    for i in range(20):
        assert await snapshot_store.load_snapshot(f"k{i}") == tree_snapshot(str(i))
