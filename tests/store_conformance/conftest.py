"""The `store` fixture: every conformance test runs once per backend in `BACKENDS`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from remi_web.core.memory_store import MemoryStore
from remi_web.core.store import Store
from remi_web.stores.sqlite import SQLiteStore

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "memory": lambda _tmp: MemoryStore(),
    "sqlite-memory": lambda _tmp: SQLiteStore(":memory:"),
    "sqlite-file": lambda tmp: SQLiteStore(tmp / "store.db"),
}
"""Backend name -> factory given a fresh temporary directory. New backends add a line here."""


@pytest.fixture(params=list(BACKENDS))
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A fresh, empty store of each backend in turn."""
    backend = BACKENDS[request.param](tmp_path)
    yield backend
    close = getattr(backend, "close", None)
    if callable(close):
        close()
