"""Virtual trees per agent or per thread, kept across reloads through a `SnapshotStore`."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest
from helpers import collect, of_type
from pydantic import JsonValue
from tool_calls import by_name, call, refused, tool_ctx

from remi_web import (
    AgentBuilder,
    ChatCtx,
    ChatRequest,
    MemoryStore,
    ScriptedModel,
    ToolCall,
    ToolResult,
)
from remi_web.core.errors import StoreError
from remi_web.core.ids import ThreadId
from remi_web.tools import MemorySnapshotStore, Quota, VirtualFS, VirtualWorkspace, vfs_tools

pytestmark = pytest.mark.pyodide


def in_thread(thread: str) -> ChatCtx:
    return ChatCtx(thread_id=ThreadId(thread))


async def test_per_thread_trees_are_separate() -> None:
    workspace = VirtualWorkspace(per_thread=True)
    t = by_name(vfs_tools(workspace))
    await call(t["fs_write"], tool_ctx(in_thread("alice")), path="/secret.txt", content="alice's")
    message = await refused(t["fs_read"], tool_ctx(in_thread("bob")), path="/secret.txt")
    assert "No such file" in message
    assert await call(t["fs_read"], tool_ctx(in_thread("alice")), path="/secret.txt") == "alice's"
    assert (await workspace.tree("vfs:bob")).used_entries == 0


async def test_one_shared_tree_for_every_thread_by_default() -> None:
    workspace = VirtualWorkspace()
    t = by_name(vfs_tools(workspace))
    await call(t["fs_write"], tool_ctx(in_thread("a")), path="/shared.txt", content="x")
    assert await call(t["fs_read"], tool_ctx(in_thread("b")), path="/shared.txt") == "x"


async def test_a_reload_finds_the_files_through_the_store() -> None:
    store = MemorySnapshotStore()
    first = by_name(vfs_tools(VirtualWorkspace(per_thread=True, store=store)))
    ctx = tool_ctx(in_thread("t1"))
    await call(first["fs_write"], ctx, path="/notes/todo.md", content="- ship\n")
    await call(first["fs_mkdir"], ctx, path="/empty")
    assert store.keys() == ["vfs:t1"]
    # a new page: new workspace, new tools, same store
    reloaded = by_name(vfs_tools(VirtualWorkspace(per_thread=True, store=store)))
    assert await call(reloaded["fs_read"], tool_ctx(in_thread("t1")), path="/notes/todo.md") == "- ship\n"
    assert await call(reloaded["fs_list"], tool_ctx(in_thread("t1"))) == "/ (2 entries):\nempty/\nnotes/"


async def test_reads_and_refused_writes_do_not_save() -> None:
    saves: list[str] = []

    class CountingStore(MemorySnapshotStore):
        async def save_snapshot(self, key: str, snapshot: JsonValue) -> None:
            saves.append(key)
            await super().save_snapshot(key, snapshot)

        async def save_entries(
            self, key: str, changed: Mapping[str, JsonValue | None], *, replace: bool = False
        ) -> None:
            saves.append(key)
            await super().save_entries(key, changed, replace=replace)

    workspace = VirtualWorkspace(Quota(max_bytes=70), store=CountingStore())  # /a uses 68
    t = by_name(vfs_tools(workspace))
    await call(t["fs_write"], path="/a", content="abc")
    await call(t["fs_read"], path="/a")
    await call(t["fs_list"])
    await refused(t["fs_write"], path="/b", content="too long")
    await call(t["fs_mkdir"], path="/")  # the root exists: nothing changes
    assert saves == ["vfs"]


async def test_concurrent_writes_end_with_the_newest_tree_saved() -> None:
    store = MemorySnapshotStore()
    workspace = VirtualWorkspace(store=store)
    t = by_name(vfs_tools(workspace))
    await asyncio.gather(*(call(t["fs_write"], path=f"/f{i}", content=str(i)) for i in range(20)))
    saved = await store.load_entries("vfs")
    again = VirtualWorkspace(store=store)
    tree = await again.tree("vfs")
    assert len(saved) == 20 and tree.used_entries == 20
    assert tree.snapshot() == (await workspace.tree("vfs")).snapshot()


async def test_a_tampered_snapshot_is_refused_with_a_store_error() -> None:
    store = MemorySnapshotStore()
    await store.save_snapshot(
        "vfs",
        {"format": "remi-vfs", "version": 1, "entries": [{"path": "/../../etc/x", "type": "file", "text": "boom"}]},
    )
    t = by_name(vfs_tools(VirtualWorkspace(store=store)))
    with pytest.raises(StoreError, match="cannot be loaded.*above the root"):
        await t["fs_list"].run("{}", tool_ctx())


async def test_a_snapshot_over_the_quota_is_refused() -> None:
    store = MemorySnapshotStore()
    big = {"path": "/a", "type": "file", "text": "x" * 100}
    await store.save_snapshot("vfs", {"format": "remi-vfs", "version": 1, "entries": [big]})
    with pytest.raises(StoreError, match="quota"):
        await VirtualWorkspace(Quota(max_bytes=10), store=store).tree("vfs")


async def test_per_thread_trees_under_the_agent_loop_follow_the_thread() -> None:
    store = MemorySnapshotStore()
    workspace = VirtualWorkspace(per_thread=True, store=store)
    model = ScriptedModel([
        [ToolCall("fs_write", {"path": "/memo.txt", "content": "remember"})], ["saved"],
        [ToolCall("fs_read", {"path": "/memo.txt"})], ["read"],
    ])
    agent = AgentBuilder().model(model).tools(*vfs_tools(workspace)).store(MemoryStore()).build()
    ctx = ChatCtx()
    await collect(agent.chat("write it", ctx))
    thread = ctx.thread_id
    assert thread is not None and store.keys() == [f"vfs:{thread}"]
    second = await collect(agent.chat(ChatRequest.user("read it", thread_id=thread)))
    assert [r.content for r in of_type(second, ToolResult)] == ["remember"]


class RecordingStore(MemorySnapshotStore):
    """Remembers what each save wrote; fails the saves it is told to."""

    def __init__(self, failures: int = 0) -> None:
        super().__init__()
        self.saves: list[tuple[dict[str, JsonValue | None], bool]] = []
        self.failures = failures

    async def save_entries(
        self, key: str, changed: Mapping[str, JsonValue | None], *, replace: bool = False
    ) -> None:
        if self.failures:
            self.failures -= 1
            raise StoreError("the disk is full")
        self.saves.append((dict(changed), replace))
        await super().save_entries(key, changed, replace=replace)


async def test_each_save_writes_only_the_entries_that_changed() -> None:
    store = RecordingStore()
    t = by_name(vfs_tools(VirtualWorkspace(store=store)))
    for i in range(50):
        await call(t["fs_write"], path=f"/notes/n{i}.md", content=f"note {i}")
    await call(t["fs_move"], source="/notes/n0.md", destination="/n0.md")
    await call(t["fs_remove"], path="/notes", recursive=True)
    sizes = [len(changed) for changed, _ in store.saves]
    assert sizes[:50] == [2] * 50  # the new file, and its directory (modified)
    assert sizes[50] == 3  # gone from /notes, new at /, /notes modified
    assert sizes[51] == 50  # /notes and its 49 files, deleted
    assert not any(replace for _, replace in store.saves)
    assert await store.load_entries("vfs") == (await VirtualWorkspace(store=store).tree("vfs")).entries()
    assert list(await store.load_entries("vfs")) == ["/n0.md"]


async def test_a_tree_saved_whole_still_loads_and_moves_to_entries_at_its_next_save() -> None:
    store = RecordingStore()
    old = VirtualFS()
    old.write_text("/docs/a.md", "a")
    old.write_bytes("/bin/x", b"\x00\xff")
    await store.save_snapshot("vfs", old.snapshot())  # what older versions saved
    workspace = VirtualWorkspace(store=store)
    tree = await workspace.tree("vfs")
    assert tree.snapshot() == old.snapshot()
    await workspace.save("vfs")  # unchanged: nothing to save
    assert store.saves == []

    tree.remove("/docs", recursive=True)
    await workspace.save("vfs")
    assert store.saves == [({"/bin": tree.entries()["/bin"], "/bin/x": tree.entries()["/bin/x"]}, True)]
    assert await store.load_snapshot("vfs") is None
    tree.remove("/bin", recursive=True)
    await workspace.save("vfs")
    assert store.saves[-1] == ({"/bin": None, "/bin/x": None}, False)
    assert store.keys() == []
    assert (await VirtualWorkspace(store=store).tree("vfs")).used_entries == 0  # nothing comes back


async def test_a_failed_save_is_made_good_by_the_next() -> None:
    store = RecordingStore(failures=1)
    workspace = VirtualWorkspace(store=store)
    tree = await workspace.tree("vfs")
    tree.write_text("/a/one.txt", "1")
    with pytest.raises(StoreError, match="disk is full"):
        await workspace.save("vfs")
    tree.write_text("/two.txt", "2")
    await workspace.save("vfs")
    assert sorted(store.saves[0][0]) == ["/a", "/a/one.txt", "/two.txt"]
    reloaded = await VirtualWorkspace(store=store).tree("vfs")
    assert reloaded.snapshot() == tree.snapshot()


async def test_a_tampered_entry_is_refused_with_a_store_error() -> None:
    store = MemorySnapshotStore()
    await store.save_entries("vfs", {"/a": {"path": "/../../etc/passwd", "type": "file", "text": "x"}})
    with pytest.raises(StoreError, match="cannot be loaded.*Invalid VirtualFS entry under '/a'"):
        await VirtualWorkspace(store=store).tree("vfs")
