"""Checkpoint and thread stores: in memory, SQLite (native), and later IndexedDB (browser).

`SQLiteStore` is imported on first use, so this package imports in Pyodide without `sqlite3`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.memory_store import MemoryStore

if TYPE_CHECKING:
    from .sqlite import SQLiteStore

__all__ = ["MemoryStore", "SQLiteStore"]


def __getattr__(name: str) -> object:
    """Import `SQLiteStore` lazily (it needs the stdlib `sqlite3`)."""
    if name == "SQLiteStore":
        from .sqlite import SQLiteStore

        return SQLiteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
