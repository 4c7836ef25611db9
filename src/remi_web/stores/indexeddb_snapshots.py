"""`IndexedDBSnapshotStore`: `VirtualWorkspace` file trees kept in the browser's IndexedDB.

A `SnapshotStore` (see `remi_web.tools.workspace`) for a page or a Web Worker: the files a
model wrote are there again after a reload, and in every tab of the origin. They live in
remi-web's database (the one `IndexedDBStore` uses when given the same name): entries in the
`snapshot_entries` object store, one record per entry keyed `[key, path]`, so a save writes
only the entries that changed; whole snapshots (what older versions saved, and
`save_snapshot`) in `snapshots`, one record per key. Both hold JSON text: a load returns a
fresh copy with the exact JSON types (IndexedDB's own cloning would turn 1.0 into 1 on the way
back to Python).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..core.schema_types import JsonValue

from ..core.errors import StoreError
from . import idb
from .idb_client import IndexedDBClient
from .idb_database import DEFAULT_NAME, SNAPSHOT_ENTRIES, SNAPSHOTS


class IndexedDBSnapshotStore(IndexedDBClient):
    """A `SnapshotStore` in IndexedDB: JSON snapshots and entries by key, shared by the
    origin's tabs.

    Each save is one transaction, so a reader sees all of a save or none of it; the last save
    of an entry (or of a whole snapshot) wins.

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
        """Save a copy of `snapshot` under `key`, replacing what was there (entries too)."""
        text = self._json("save_snapshot", f"the snapshot for {key!r}", snapshot)

        def script(tx: idb.Transaction) -> None:
            tx.put(SNAPSHOTS, text, key)
            tx.delete(SNAPSHOT_ENTRIES, idb.KeyRange.prefix(key))

        await self._run("save_snapshot", [SNAPSHOTS, SNAPSHOT_ENTRIES], "readwrite", script)

    async def load_entries(self, key: str) -> dict[str, JsonValue]:
        """The entries saved under `key` by path (empty if there are none)."""
        found: list[JsonValue] = []

        def script(tx: idb.Transaction) -> None:
            tx.get_all(SNAPSHOT_ENTRIES, found.extend, where=idb.KeyRange.prefix(key))

        await self._run("load_entries", [SNAPSHOT_ENTRIES], "readonly", script)
        entries: dict[str, JsonValue] = {}
        with self._errors("load_entries"):
            for record in found:
                if not isinstance(record, dict):
                    raise ValueError(f"an entry record under {key!r} is not an object")
                path, body = record.get("path"), record.get("body")
                if not isinstance(path, str) or not isinstance(body, str):
                    raise ValueError(f"the entry record {path!r} under {key!r} is not JSON text")
                entries[path] = json.loads(body)
        return entries

    async def save_entries(
        self, key: str, changed: Mapping[str, JsonValue | None], *, replace: bool = False
    ) -> None:
        """Save copies of the entries of `changed` under `key` (None deletes one), in one
        transaction; with `replace`, everything under `key` is dropped first."""
        records: list[tuple[str, dict[str, JsonValue] | None]] = []
        for path, entry in changed.items():  # encoded first: a bad entry saves nothing
            if entry is None:
                records.append((path, None))
            else:
                body = self._json("save_entries", f"the entry {path!r} under {key!r}", entry)
                records.append((path, {"snapshot": key, "path": path, "body": body}))

        def script(tx: idb.Transaction) -> None:
            if replace:
                tx.delete(SNAPSHOTS, key)
                tx.delete(SNAPSHOT_ENTRIES, idb.KeyRange.prefix(key))
            for path, record in records:
                if record is None:
                    tx.delete(SNAPSHOT_ENTRIES, [key, path])
                else:
                    tx.put(SNAPSHOT_ENTRIES, record)

        await self._run("save_entries", [SNAPSHOTS, SNAPSHOT_ENTRIES], "readwrite", script)

    async def keys(self) -> list[str]:
        """The keys that have a snapshot or entries, sorted."""
        whole: list[JsonValue] = []
        entries: list[JsonValue] = []

        def script(tx: idb.Transaction) -> None:
            tx.get_all_keys(SNAPSHOTS, whole.extend)
            tx.get_all_keys(SNAPSHOT_ENTRIES, entries.extend)

        await self._run("keys", [SNAPSHOTS, SNAPSHOT_ENTRIES], "readonly", script)
        found = {str(key) for key in whole}
        found.update(str(key[0]) for key in entries if isinstance(key, list) and key)
        return sorted(found)

    def _json(self, operation: str, what: str, value: JsonValue) -> str:
        """`value` as JSON text, or a `StoreError` naming `operation` and `what`."""
        try:
            return json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            where = f"IndexedDBSnapshotStore.{operation} failed on {self.name!r}"
            raise StoreError(f"{where}: {what} is not JSON: {error}") from error
