"""The `store` and `snapshot_store` fixtures: every conformance test runs once per backend.

"indexeddb" is a backend only where IndexedDB exists: in Pyodide, i.e. the Pyodide lane (node
with fake-indexeddb, or chromium's own IndexedDB) or a browser, and on the lane's host, which
collects what Pyodide runs without running anything itself. The lane checks that it collects
every test that is parametrized with "memory" once more with "indexeddb" (tests/test_pyodide_lane.py).
"postgres" is one natively where psycopg is installed: each store gets a new database of the
session's throwaway cluster (tests/conftest.py; skipped without Postgres).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from remi_web.stores.memory import MemoryStore
from remi_web.core.store import Retention, Store
from remi_web.stores.indexeddb import IndexedDBStore
from remi_web.stores.indexeddb_snapshots import IndexedDBSnapshotStore
from remi_web.stores.sqlite import SQLiteStore
from remi_web.tools import MemorySnapshotStore, SnapshotStore


def fresh_database_name() -> str:
    """An IndexedDB database name no other test uses (each test starts from an empty one)."""
    return f"remi-conformance-{uuid4().hex}"


BACKENDS: dict[str, Callable[[Any, Retention], Store]] = {
    "memory": lambda _tmp, keep: MemoryStore(keep=keep),
    "sqlite-memory": lambda _tmp, keep: SQLiteStore(":memory:", keep=keep),
    "sqlite-file": lambda tmp, keep: SQLiteStore(tmp / "store.db", keep=keep),
}
"""Backend name -> factory given a fresh temporary directory (for "postgres": a new database's
connection string) and a retention. New backends add a line here. The `store` fixture keeps
every checkpoint (most tests look at several); `test_retention.py` builds stores with the other
retentions."""

SNAPSHOT_BACKENDS: dict[str, Callable[[Any], SnapshotStore]] = {
    "memory": lambda _place: MemorySnapshotStore(),
}
"""Snapshot store backend name -> factory of an empty store (given a new database's connection
string for "postgres", None otherwise)."""

POSTGRES = "postgres"

LANE_HOST = "pyodide_lane_plugin" in sys.modules
"""Whether this is the Pyodide lane's host (tests/pyodide_lane/pyodide_lane_plugin.py, loaded
before any conftest): it collects the tests that run inside Pyodide, and runs none natively."""

if IndexedDBStore.available() or LANE_HOST:
    BACKENDS["indexeddb"] = lambda _tmp, keep: IndexedDBStore(fresh_database_name(), keep=keep)
    SNAPSHOT_BACKENDS["indexeddb"] = lambda _place: IndexedDBSnapshotStore(fresh_database_name())


def postgres_store(dsn: str, keep: Retention = "latest") -> Any:
    """A `PostgresStore` of `dsn` (imported here: the Pyodide lane loads this file too)."""
    from remi_web.stores.postgres import PostgresStore

    return PostgresStore(dsn, keep=keep)


if sys.platform != "emscripten" and not LANE_HOST and all(
    importlib.util.find_spec(name) for name in ("psycopg", "psycopg_pool")
):
    BACKENDS[POSTGRES] = postgres_store
    SNAPSHOT_BACKENDS[POSTGRES] = postgres_store


def _place(request: pytest.FixtureRequest, folder: Path | None) -> Any:
    """Where a new store of the requested backend lives: `folder`, or for Postgres a new
    database (the cluster is requested only then: other backends do not need Postgres)."""
    if request.param != POSTGRES:
        return folder
    return request.getfixturevalue("postgres_cluster").create_database()


async def _dispose(backend: Any) -> None:
    """Close a backend, and delete its database if it is an IndexedDB one."""
    close, aclose = getattr(backend, "close", None), getattr(backend, "aclose", None)
    if callable(aclose):
        await aclose()
    elif callable(close):
        close()
    if isinstance(backend, (IndexedDBStore, IndexedDBSnapshotStore)):
        await IndexedDBStore.delete_database(backend.name)


@pytest.fixture(params=list(BACKENDS))
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A fresh, empty store of each backend in turn, keeping every checkpoint."""
    backend = BACKENDS[request.param](_place(request, tmp_path), "all")
    yield backend
    await _dispose(backend)


@pytest.fixture(params=list(BACKENDS))
async def make_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[[Retention], Store]]:
    """A factory of fresh stores of each backend in turn, given their retention."""
    made: list[Store] = []

    def make(keep: Retention) -> Store:
        folder = tmp_path / f"store-{len(made)}"
        folder.mkdir()
        backend = BACKENDS[request.param](_place(request, folder), keep)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        await _dispose(backend)


@pytest.fixture(params=list(SNAPSHOT_BACKENDS))
async def snapshot_store(request: pytest.FixtureRequest) -> AsyncIterator[SnapshotStore]:
    """A fresh, empty snapshot store of each backend in turn."""
    backend = SNAPSHOT_BACKENDS[request.param](_place(request, None))
    yield backend
    await _dispose(backend)
