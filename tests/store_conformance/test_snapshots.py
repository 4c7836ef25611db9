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


def entry(path: str, text: str = "x", modified: float = 1.0) -> dict[str, JsonValue]:
    """A file entry as `VirtualFS.entries()` gives one."""
    return {"path": path, "type": "file", "text": text, "modified": modified}


async def test_entries_saved_one_save_at_a_time_load_back_by_path(
    snapshot_store: SnapshotStore,
) -> None:
    assert await snapshot_store.load_entries("vfs") == {}
    await snapshot_store.save_entries("vfs", {"/a": entry("/a"), "/d": {"path": "/d", "type": "directory"}})
    await snapshot_store.save_entries("vfs", {"/d/b": entry("/d/b", "héllo \u2603 \U0001f600")})

    loaded = await snapshot_store.load_entries("vfs")

    assert loaded == {
        "/a": entry("/a"),
        "/d": {"path": "/d", "type": "directory"},
        "/d/b": entry("/d/b", "héllo \u2603 \U0001f600"),
    }
    first = loaded["/a"]
    assert isinstance(first, dict) and type(first["modified"]) is float  # 1.0 stays a float
    assert await snapshot_store.load_snapshot("vfs") is None  # entries are not a whole snapshot


async def test_saving_an_entry_again_replaces_it_and_none_deletes_it(
    snapshot_store: SnapshotStore,
) -> None:
    await snapshot_store.save_entries("vfs", {"/a": entry("/a", "1"), "/b": entry("/b")})
    await snapshot_store.save_entries("vfs", {"/a": entry("/a", "2"), "/b": None, "/never": None})
    assert await snapshot_store.load_entries("vfs") == {"/a": entry("/a", "2")}

    await snapshot_store.save_entries("vfs", {"/a": None})
    assert await snapshot_store.load_entries("vfs") == {}
    await snapshot_store.save_entries("vfs", {})  # nothing changed: nothing to do
    assert await snapshot_store.load_entries("vfs") == {}


async def test_the_entries_of_each_key_are_separate(snapshot_store: SnapshotStore) -> None:
    for key in ("vfs", "vfs:a", "vfs:a:b", "vfs:b"):
        await snapshot_store.save_entries(key, {"/f": entry("/f", key), f"/{key}": entry(f"/{key}")})
    await snapshot_store.save_entries("vfs:a", {"/f": None})
    await snapshot_store.save_entries("vfs", {}, replace=True)

    assert await snapshot_store.load_entries("vfs") == {}
    assert await snapshot_store.load_entries("vfs:a") == {"/vfs:a": entry("/vfs:a")}
    for key in ("vfs:a:b", "vfs:b"):
        assert await snapshot_store.load_entries(key) == {"/f": entry("/f", key), f"/{key}": entry(f"/{key}")}


async def test_replace_drops_the_whole_snapshot_and_every_entry_first(
    snapshot_store: SnapshotStore,
) -> None:
    await snapshot_store.save_snapshot("vfs", tree_snapshot("old"))
    await snapshot_store.save_entries("vfs", {"/a": entry("/a")})
    await snapshot_store.save_snapshot("other", tree_snapshot("kept"))

    await snapshot_store.save_entries("vfs", {"/b": entry("/b"), "/a": None}, replace=True)

    assert await snapshot_store.load_snapshot("vfs") is None
    assert await snapshot_store.load_entries("vfs") == {"/b": entry("/b")}
    assert await snapshot_store.load_snapshot("other") == tree_snapshot("kept")


async def test_saving_a_whole_snapshot_replaces_the_entries(snapshot_store: SnapshotStore) -> None:
    await snapshot_store.save_entries("vfs", {"/a": entry("/a")})
    await snapshot_store.save_snapshot("vfs", tree_snapshot("whole"))

    assert await snapshot_store.load_entries("vfs") == {}
    assert await snapshot_store.load_snapshot("vfs") == tree_snapshot("whole")


async def test_stored_entries_ignore_later_caller_mutation(snapshot_store: SnapshotStore) -> None:
    item = entry("/a", "kept")
    changed: dict[str, JsonValue | None] = {"/a": item}
    await snapshot_store.save_entries("vfs", changed)
    item["text"] = "changed"
    changed["/b"] = entry("/b")

    loaded = await snapshot_store.load_entries("vfs")
    loaded["/c"] = entry("/c")

    assert await snapshot_store.load_entries("vfs") == {"/a": entry("/a", "kept")}


async def test_a_workspace_saves_entry_by_entry_and_a_new_one_rebuilds_the_tree(
    snapshot_store: SnapshotStore,
) -> None:
    workspace = VirtualWorkspace(store=snapshot_store)
    tree = await workspace.tree("vfs")
    steps = [
        lambda: tree.write_text("/docs/todo.md", "- ship\n"),
        lambda: tree.write_bytes("/bin/blob", bytes(range(256))),
        lambda: tree.make_dir("/empty/inner"),
        lambda: tree.write_text("/docs/todo.md", "- shipped\n"),
        lambda: tree.move("/docs", "/archive/docs"),
        lambda: tree.remove("/empty", recursive=True),
        lambda: tree.write_text("/empty", "a file where a directory was"),
    ]
    for step in steps:
        step()
        await workspace.save("vfs")
        assert await snapshot_store.load_entries("vfs") == tree.entries()

    reloaded = await VirtualWorkspace(store=snapshot_store).tree("vfs")

    assert reloaded.snapshot() == tree.snapshot()
    assert reloaded.read_bytes("/bin/blob") == bytes(range(256))
    assert (reloaded.used_entries, reloaded.charged_bytes) == (tree.used_entries, tree.charged_bytes)
    assert await snapshot_store.load_snapshot("vfs") is None


async def test_a_tree_saved_whole_loads_and_is_saved_per_entry_from_its_next_change(
    snapshot_store: SnapshotStore,
) -> None:
    old = VirtualWorkspace(store=snapshot_store)
    (await old.tree("seed")).write_text("/docs/a.md", "a")
    whole = (await old.tree("seed")).snapshot()
    await snapshot_store.save_snapshot("vfs", whole)  # as versions before per-entry saves did

    workspace = VirtualWorkspace(store=snapshot_store)
    tree = await workspace.tree("vfs")
    assert tree.snapshot() == whole
    tree.write_text("/docs/b.md", "b")
    await workspace.save("vfs")

    assert await snapshot_store.load_snapshot("vfs") is None
    assert await snapshot_store.load_entries("vfs") == tree.entries()
    tree.remove("/docs", recursive=True)
    await workspace.save("vfs")
    assert (await VirtualWorkspace(store=snapshot_store).tree("vfs")).used_entries == 0
