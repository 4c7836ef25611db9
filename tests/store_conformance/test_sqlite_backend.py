"""What only `SQLiteStore` promises: a durable file, WAL, closing, and `StoreError`s."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from remi_web.core.errors import StoreError
from remi_web.core.ids import RunId, ThreadId
from remi_web.stores.sqlite import SQLiteStore

from .builders import checkpoint, message


async def test_reopening_a_file_keeps_everything_and_the_schema_is_idempotent(
    tmp_path: Path,
) -> None:
    path = tmp_path / "durable.db"
    async with SQLiteStore(path) as store:
        await store.put_checkpoint(checkpoint("run-a", 0, rich=True))
        await store.append_messages(ThreadId("t1"), [message("hello")])

    SQLiteStore(path).close()
    async with SQLiteStore(str(path)) as reopened:
        assert await reopened.latest_checkpoint(RunId("run-a")) == checkpoint("run-a", 0, rich=True)
        assert await reopened.load_messages(ThreadId("t1")) == [message("hello")]
        assert await reopened.list_threads() == [ThreadId("t1")]


async def test_a_file_database_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    SQLiteStore(path).close()

    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_in_memory_databases_are_private(tmp_path: Path) -> None:
    async with SQLiteStore() as first, SQLiteStore(":memory:") as second:
        await first.put_checkpoint(checkpoint("run-a", 0))

        assert await second.latest_checkpoint(RunId("run-a")) is None


async def test_operations_after_close_raise_store_error_naming_the_operation() -> None:
    store = SQLiteStore()
    store.close()
    store.close()

    with pytest.raises(StoreError, match="put_checkpoint"):
        await store.put_checkpoint(checkpoint("run-a", 0))
    with pytest.raises(StoreError, match="append_messages"):
        await store.append_messages(ThreadId("t1"), [message("late")])
    with pytest.raises(StoreError, match="list_threads"):
        await store.list_threads()


async def test_the_async_context_manager_closes_the_store() -> None:
    async with SQLiteStore() as store:
        await store.list_threads()

    with pytest.raises(StoreError, match="load_messages"):
        await store.load_messages(ThreadId("t1"))


async def test_an_unreadable_row_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    async with SQLiteStore(path) as store:
        await store.put_checkpoint(checkpoint("run-a", 0))
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE checkpoints SET body = '{\"not\": \"a checkpoint\"}'")

    async with SQLiteStore(path) as store:
        with pytest.raises(StoreError, match="latest_checkpoint"):
            await store.latest_checkpoint(RunId("run-a"))


def test_a_path_that_cannot_be_opened_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="could not open"):
        SQLiteStore(tmp_path / "missing-dir" / "x.db")
