"""Which file system a tool call works on, and keeping virtual trees across reloads.

`Workspace` is what the file tools ask for the file system of a call. `FixedWorkspace`
always gives the same one. `VirtualWorkspace` gives a `VirtualFS` per agent or per thread
and, with a `SnapshotStore`, loads it on first use and saves it after every change, so a
page reload (or a restarted process) finds the files where the model left them.

A tree is saved entry by entry: after a change only the entries that changed are written
(`SnapshotStore.save_entries`), so a save costs the change, not the whole tree. Trees saved
whole by older versions (`save_snapshot`) still load, and move to per-entry records at their
first save. Pure Python: runs in Pyodide.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Protocol

from ..core.schema_types import JsonValue

from ..core.ctx import ChatCtx
from ..core.errors import StoreError
from .filesystem import FileSystem
from .vfs import Quota, VirtualFS


class Workspace(Protocol):
    """Gives the file tools the file system of a call, and hears about changes."""

    async def open(self, ctx: ChatCtx) -> FileSystem:
        """The file system the call running with `ctx` works on."""
        ...

    async def changed(self, ctx: ChatCtx) -> None:
        """Called after a tool changed the file system `open(ctx)` gave."""
        ...


class SnapshotStore(Protocol):
    """Keeps file trees by key (e.g. in IndexedDB in the browser, or SQLite), as JSON.

    A key holds a whole snapshot (`save_snapshot`), or entries by path (`save_entries`), each
    one JSON value saved and loaded on its own so that saving a change costs that change.
    `VirtualWorkspace` saves entries; a whole snapshot is what older versions saved.
    """

    async def load_snapshot(self, key: str) -> JsonValue | None:
        """The whole snapshot saved under `key`, or None."""
        ...

    async def save_snapshot(self, key: str, snapshot: JsonValue) -> None:
        """Save `snapshot` under `key`, replacing what was there (entries too)."""
        ...

    async def load_entries(self, key: str) -> dict[str, JsonValue]:
        """The entries saved under `key` by path (empty if there are none)."""
        ...

    async def save_entries(
        self, key: str, changed: Mapping[str, JsonValue | None], *, replace: bool = False
    ) -> None:
        """Save the entries of `changed` under `key`: a value replaces the entry at its path,
        None deletes it, and every other entry stays. With `replace`, everything under `key`
        (its whole snapshot and every entry) is dropped first. One atomic operation where
        the store has transactions."""
        ...


class MemorySnapshotStore:
    """A `SnapshotStore` in this process's memory, storing JSON text (so copies, not aliases)."""

    def __init__(self) -> None:
        """An empty store."""
        self._saved: dict[str, str] = {}
        self._entries: dict[str, dict[str, str]] = {}

    async def load_snapshot(self, key: str) -> JsonValue | None:
        """The whole snapshot saved under `key`, or None."""
        text = self._saved.get(key)
        return None if text is None else json.loads(text)

    async def save_snapshot(self, key: str, snapshot: JsonValue) -> None:
        """Save a copy of `snapshot` under `key`, replacing what was there (entries too)."""
        self._saved[key] = json.dumps(snapshot)
        self._entries.pop(key, None)

    async def load_entries(self, key: str) -> dict[str, JsonValue]:
        """The entries saved under `key` by path (empty if there are none)."""
        return {path: json.loads(text) for path, text in self._entries.get(key, {}).items()}

    async def save_entries(
        self, key: str, changed: Mapping[str, JsonValue | None], *, replace: bool = False
    ) -> None:
        """Save copies of the entries of `changed` under `key` (None deletes one); with
        `replace`, drop everything under `key` first."""
        texts = {path: None if item is None else json.dumps(item) for path, item in changed.items()}
        if replace:
            self._saved.pop(key, None)
            self._entries.pop(key, None)
        entries = self._entries.setdefault(key, {})
        for path, text in texts.items():
            if text is None:
                entries.pop(path, None)
            else:
                entries[path] = text
        if not entries:
            del self._entries[key]

    def keys(self) -> list[str]:
        """The keys that have a snapshot or entries."""
        return sorted(self._saved.keys() | self._entries.keys())

    def stored_bytes(self, key: str | None = None) -> int:
        """The bytes of JSON text (paths included) held under `key`, or under every key."""
        keys = self.keys() if key is None else [key]
        total = 0
        for name in keys:
            total += len(self._saved.get(name, "").encode())
            for path, text in self._entries.get(name, {}).items():
                total += len(path.encode()) + len(text.encode())
        return total


class FixedWorkspace:
    """One file system for every call, with no persistence."""

    def __init__(self, fs: FileSystem) -> None:
        """Serve `fs` to every call."""
        self.fs = fs

    async def open(self, ctx: ChatCtx) -> FileSystem:
        """The one file system."""
        return self.fs

    async def changed(self, ctx: ChatCtx) -> None:
        """Nothing to do."""


class VirtualWorkspace:
    """`VirtualFS` trees for the file tools: one per agent, or one per thread.

    Args:
        quota: the quota of each tree.
        per_thread: one tree per `ctx.thread_id` (calls without a thread share the
            "default" tree); otherwise one tree for every call.
        store: where trees are loaded from on first use and saved after each change (only
            the entries that changed).
        key: the store key of the shared tree, or the prefix of the per-thread keys
            (`"{key}:{thread_id}"`).
    """

    def __init__(
        self,
        quota: Quota | None = None,
        *,
        per_thread: bool = False,
        store: SnapshotStore | None = None,
        key: str = "vfs",
    ) -> None:
        self.quota = quota if quota is not None else Quota()
        self.per_thread = per_thread
        self.store = store
        self.key = key
        self._trees: dict[str, VirtualFS] = {}
        self._saved: dict[str, int] = {}
        self._whole: set[str] = set()  # loaded from a whole snapshot: save every entry once
        self._locks: dict[str, asyncio.Lock] = {}

    def key_for(self, ctx: ChatCtx) -> str:
        """The store key of the tree that calls with `ctx` use."""
        if not self.per_thread:
            return self.key
        return f"{self.key}:{ctx.thread_id or 'default'}"

    async def open(self, ctx: ChatCtx) -> VirtualFS:
        """The tree for `ctx`, loaded from the store (or created empty) on first use."""
        return await self.tree(self.key_for(ctx))

    async def tree(self, key: str) -> VirtualFS:
        """The tree stored under `key` (see `key_for`), e.g. to show the files in a UI."""
        tree = self._trees.get(key)
        if tree is not None:
            return tree
        async with self._lock(key):
            tree = self._trees.get(key)
            if tree is None:
                tree = await self._load(key)
                self._trees[key] = tree
                self._saved[key] = tree.revision
        return tree

    async def changed(self, ctx: ChatCtx) -> None:
        """Save the tree of `ctx` when it changed since it was last saved."""
        await self.save(self.key_for(ctx))

    async def save(self, key: str) -> None:
        """Save the tree under `key` to the store, if there is a store and it changed: only
        the entries that changed since the last save."""
        tree = self._trees.get(key)
        if self.store is None or tree is None:
            return
        async with self._lock(key):  # one save at a time, always of the newest tree
            if self._saved.get(key) == tree.revision:
                return
            revision = tree.revision
            changes: dict[str, JsonValue | None] = dict(tree.take_changes())
            whole = key in self._whole
            if whole:  # the first save of a tree saved whole: every entry, the old record gone
                changes = dict(tree.entries())
            try:
                await self.store.save_entries(key, changes, replace=whole)
            except BaseException:
                tree.mark_changed(changes)  # saved at the next save instead
                raise
            self._whole.discard(key)
            self._saved[key] = revision

    async def _load(self, key: str) -> VirtualFS:
        if self.store is None:
            return VirtualFS(self.quota)
        entries = await self.store.load_entries(key)
        snapshot = None if entries else await self.store.load_snapshot(key)
        if not entries and snapshot is None:
            return VirtualFS(self.quota)
        try:
            if entries:
                return VirtualFS.from_entries(entries, self.quota)
            tree = VirtualFS.from_snapshot(snapshot, self.quota)
        except ValueError as exc:
            raise StoreError(f"The saved file tree {key!r} cannot be loaded: {exc}") from exc
        self._whole.add(key)  # saved whole (by an older version): saved per entry from now on
        return tree

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock
