"""Natively there is no IndexedDB: the stores import without touching `js`, and refuse to start."""

from __future__ import annotations

import subprocess
import sys

import pytest

from remi_web.core.errors import StoreError
from remi_web.stores.indexeddb import IndexedDBStore
from remi_web.stores.indexeddb_snapshots import IndexedDBSnapshotStore

pytestmark = pytest.mark.skipif(sys.platform == "emscripten", reason="about native Python")

IMPORT_SPY = """
import importlib.abc, sys
attempted = []

class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("js", "pyodide"):
            attempted.append(name)
        return None

sys.meta_path.insert(0, Spy())
import remi_web, remi_web.stores
assert remi_web.IndexedDBStore is remi_web.stores.IndexedDBStore
assert remi_web.IndexedDBSnapshotStore is remi_web.stores.IndexedDBSnapshotStore
assert remi_web.IndexedDBStore.available() is False
assert attempted == [], attempted
print("ok")
"""


def test_the_facade_exports_the_stores_without_importing_js() -> None:
    run = subprocess.run([sys.executable, "-c", IMPORT_SPY], capture_output=True, text=True)

    assert run.returncode == 0, run.stderr
    assert run.stdout == "ok\n"


def test_constructing_them_natively_says_what_to_use_instead() -> None:
    assert not IndexedDBStore.available()
    with pytest.raises(StoreError, match="only a browser page or worker.*SQLiteStore"):
        IndexedDBStore()
    with pytest.raises(StoreError, match="MemorySnapshotStore"):
        IndexedDBSnapshotStore("remi-web")
