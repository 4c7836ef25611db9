"""Checkpoint and thread stores: in memory, SQLite and Postgres (native), and IndexedDB
(browser).

`SQLiteStore`, `PostgresStore` and the IndexedDB stores are imported on first use, so this
package imports in Pyodide without `sqlite3` and natively without `js` or `psycopg`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .memory import MemoryStore

if TYPE_CHECKING:
    from .indexeddb import IndexedDBStore
    from .indexeddb_snapshots import IndexedDBSnapshotStore
    from .postgres import PostgresStore
    from .sqlite import SQLiteStore

__all__ = [
    "IndexedDBSnapshotStore", "IndexedDBStore", "MemoryStore", "PostgresStore", "SQLiteStore",
]

_LAZY = {
    "SQLiteStore": "sqlite",  # needs the stdlib `sqlite3`
    "PostgresStore": "postgres",  # needs psycopg: pip install 'remi-web[postgres]'
    "IndexedDBStore": "indexeddb",  # needs Pyodide's `js` when used (not when imported)
    "IndexedDBSnapshotStore": "indexeddb_snapshots",
}


def __getattr__(name: str) -> object:
    """Import the platform-specific stores lazily."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
