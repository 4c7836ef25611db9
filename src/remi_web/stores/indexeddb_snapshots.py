"""`IndexedDBSnapshotStore`: `VirtualWorkspace` file trees kept in the browser's IndexedDB.

A `SnapshotStore` (see `remi_web.tools.workspace`) for a page or a Web Worker: the files a
model wrote are there again after a reload, and in every tab of the origin. Snapshots live in
the `snapshots` object store of remi-web's database (the one `IndexedDBStore` uses when given
the same name), one record per key, stored as JSON text: a load returns a fresh copy with the
exact JSON types (IndexedDB's own cloning would turn 1.0 into 1 on the way back to Python).
"""

from __future__ import annotations

import json

from pydantic import JsonValue

from ..core.errors import StoreError
from . import idb
from .idb_client import IndexedDBClient
from .idb_database import DEFAULT_NAME, SNAPSHOTS


class IndexedDBSnapshotStore(IndexedDBClient):
    """A `SnapshotStore` in IndexedDB: JSON snapshots by key, shared by the origin's tabs.

    Each save is one transaction, so a reader sees a whole snapshot, never half of one; the
    last save of a key wins.

    Args:
        name: the IndexedDB database name.

    Raises:
        StoreError: IndexedDB is not available here (natively, or a context without it).
    """

    def __init__(self, name: str = DEFAULT_NAME) -> None:
        super().__init__(name, elsewhere="MemorySnapshotStore")

    async def load_snapshot(self, key: str) -> JsonValue | None:
        """The snapshot saved under `key`, or None."""
        found: list[JsonValue] = []

        def script(tx: idb.Transaction) -> None:
            tx.get(SNAPSHOTS, key, found.append)

        await self._run("load_snapshot", [SNAPSHOTS], "readonly", script)
        text = found[0] if found else None
        if text is None:
            return None
        with self._errors("load_snapshot"):
            if not isinstance(text, str):
                raise ValueError(f"the record under {key!r} is not JSON text")
            loaded: JsonValue = json.loads(text)
            return loaded

    async def save_snapshot(self, key: str, snapshot: JsonValue) -> None:
        """Save a copy of `snapshot` under `key`, replacing what was there."""
        try:
            text = json.dumps(snapshot, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            where = f"IndexedDBSnapshotStore.save_snapshot failed on {self.name!r}"
            raise StoreError(f"{where}: the snapshot for {key!r} is not JSON: {error}") from error

        def script(tx: idb.Transaction) -> None:
            tx.put(SNAPSHOTS, text, key)

        await self._run("save_snapshot", [SNAPSHOTS], "readwrite", script)

    async def keys(self) -> list[str]:
        """The keys that have a snapshot, sorted."""
        found: list[JsonValue] = []

        def script(tx: idb.Transaction) -> None:
            tx.get_all_keys(SNAPSHOTS, found.extend)

        await self._run("keys", [SNAPSHOTS], "readonly", script)
        return sorted(str(key) for key in found)
