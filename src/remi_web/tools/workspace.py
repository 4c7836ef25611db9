"""Which file system a tool call works on, and keeping virtual trees across reloads.

`Workspace` is what the file tools ask for the file system of a call. `FixedWorkspace`
always gives the same one. `VirtualWorkspace` gives a `VirtualFS` per agent or per thread
and, with a `SnapshotStore`, loads it on first use and saves it after every change, so a
page reload (or a restarted process) finds the files where the model left them.
Pure Python: runs in Pyodide.
"""

from __future__ import annotations

import asyncio
import json
from typing import Protocol

from pydantic import JsonValue

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
    """Keeps JSON snapshots by key (e.g. in IndexedDB in the browser, or SQLite)."""

    async def load_snapshot(self, key: str) -> JsonValue | None:
        """The snapshot saved under `key`, or None."""
        ...

    async def save_snapshot(self, key: str, snapshot: JsonValue) -> None:
        """Save `snapshot` under `key`, replacing what was there."""
        ...


class MemorySnapshotStore:
    """A `SnapshotStore` in this process's memory, storing JSON text (so copies, not aliases)."""

    def __init__(self) -> None:
        """An empty store."""
        self._saved: dict[str, str] = {}

    async def load_snapshot(self, key: str) -> JsonValue | None:
        """The snapshot saved under `key`, or None."""
        text = self._saved.get(key)
        return None if text is None else json.loads(text)

    async def save_snapshot(self, key: str, snapshot: JsonValue) -> None:
        """Save a copy of `snapshot` under `key`."""
        self._saved[key] = json.dumps(snapshot)

    def keys(self) -> list[str]:
        """The keys that have a snapshot."""
        return sorted(self._saved)


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
        store: where trees are loaded from on first use and saved after each change.
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
        """Save the tree under `key` to the store, if there is a store and it changed."""
        tree = self._trees.get(key)
        if self.store is None or tree is None:
            return
        async with self._lock(key):  # one save at a time, always of the newest tree
            if self._saved.get(key) == tree.revision:
                return
            revision = tree.revision
            await self.store.save_snapshot(key, tree.snapshot())
            self._saved[key] = revision

    async def _load(self, key: str) -> VirtualFS:
        if self.store is None:
            return VirtualFS(self.quota)
        snapshot = await self.store.load_snapshot(key)
        if snapshot is None:
            return VirtualFS(self.quota)
        try:
            return VirtualFS.from_snapshot(snapshot, self.quota)
        except ValueError as exc:
            raise StoreError(f"The saved file tree {key!r} cannot be loaded: {exc}") from exc

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock
