"""What only `PostgresStore` promises: versioned tables, claims across processes, a pool of
its own or the caller's, and `StoreError`s that name the database but not its password."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool

from remi_web.core.errors import CorruptCheckpoint, StoreError
from remi_web.core.ids import RunId, ThreadId
from remi_web.stores import postgres_client
from remi_web.stores.postgres import MIGRATIONS, PostgresStore

from .builders import checkpoint, message


async def sql(dsn: str, query: str) -> list[tuple[Any, ...]]:
    """Run `query` on its own connection; the rows it returns (none for a statement)."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        cursor = await conn.execute(query)
        return await cursor.fetchall() if cursor.description else []


async def test_the_schema_version_is_kept_and_later_stores_do_not_migrate_again(
    postgres_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions_before: list[int] = []
    ensure_schema = postgres_client.ensure_schema

    async def recording(*args: Any) -> int:
        versions_before.append(await ensure_schema(*args))
        return versions_before[-1]

    monkeypatch.setattr(postgres_client, "ensure_schema", recording)
    async with PostgresStore(postgres_dsn) as first:
        await first.put_checkpoint(checkpoint("run-a", 1, rich=True))
        await first.append_messages(ThreadId("t1"), [message("hello")])

    stores = [PostgresStore(postgres_dsn) for _ in range(3)]
    await asyncio.gather(*(store.open() for store in stores))  # all at once: one lock
    for store in stores:
        await store.open()  # a second call does nothing
        assert await store.latest_checkpoint(RunId("run-a")) == checkpoint("run-a", 1, rich=True)
        assert await store.load_messages(ThreadId("t1")) == [message("hello")]
        await store.aclose()

    assert versions_before == [0, len(MIGRATIONS), len(MIGRATIONS), len(MIGRATIONS)]
    assert await sql(postgres_dsn, "SELECT component, version FROM remi_schema") == [
        ("store", len(MIGRATIONS))
    ]


async def test_a_database_newer_than_this_code_is_refused(postgres_dsn: str) -> None:
    await PostgresStore(postgres_dsn).open()
    await sql(postgres_dsn, "UPDATE remi_schema SET version = 99 WHERE component = 'store'")

    async with PostgresStore(postgres_dsn) as store:
        with pytest.raises(StoreError, match="version 99, newer than this remi-web knows"):
            await store.open()
        with pytest.raises(StoreError, match="upgrade remi-web"):
            await store.list_threads()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_an_unreachable_database_is_a_store_error_without_the_password() -> None:
    store = PostgresStore(f"postgresql://remi:hunter2-secret@127.0.0.1:{closed_port()}/remi")

    with pytest.raises(StoreError) as opening:
        await store.open()
    with pytest.raises(StoreError) as listing:
        await store.list_threads()
    await store.aclose()

    for caught, operation in ((opening, "open"), (listing, "list_threads")):
        text = str(caught.value)
        assert f"PostgresStore.{operation} failed on 127.0.0.1:" in text and "/remi" in text
        assert "hunter2" not in text and "refused" in text.lower()


async def test_a_missing_database_and_a_bad_dsn_are_store_errors(postgres_dsn: str) -> None:
    missing = make_conninfo(postgres_dsn, dbname="nowhere", password="hunter2")
    async with PostgresStore(missing) as store:
        with pytest.raises(StoreError, match='database "nowhere" does not exist') as caught:
            await store.append_messages(ThreadId("t1"), [message("lost")])
    assert "hunter2" not in str(caught.value)

    with pytest.raises(StoreError, match="connection string") as bad:
        PostgresStore("password=hunter2 no-equals-sign")
    assert "hunter2" not in str(bad.value)


async def test_a_corrupt_checkpoint_row_or_log_is_a_corrupt_checkpoint(postgres_dsn: str) -> None:
    async with PostgresStore(postgres_dsn, keep="all") as store:
        await store.put_checkpoint(checkpoint("run-a", 1))
        await store.put_checkpoint(checkpoint("run-b", 1))
        await sql(postgres_dsn, """UPDATE checkpoints SET body = '{"not": "a checkpoint"}'
                                   WHERE run_id = 'run-a'""")
        await sql(postgres_dsn, "DELETE FROM run_messages WHERE run_id = 'run-b'")

        with pytest.raises(CorruptCheckpoint, match="latest_checkpoint failed") as bad_row:
            await store.latest_checkpoint(RunId("run-a"))
        with pytest.raises(CorruptCheckpoint, match="has 1 messages but its log holds 0"):
            await store.latest_checkpoint(RunId("run-b"))
        with pytest.raises(CorruptCheckpoint, match="list_checkpoints failed"):
            await store.list_checkpoints(ThreadId("thread-1"))

    assert (bad_row.value.run_id, bad_row.value.sequence) == ("run-a", 1)


async def test_a_thread_refers_to_its_runs_log_instead_of_copying_a_message(
    postgres_dsn: str,
) -> None:
    async with PostgresStore(postgres_dsn) as store:
        await store.put_checkpoint(checkpoint("run-a", 1))
        logged = checkpoint("run-a", 1).state.messages
        await store.append_messages(ThreadId("thread-1"), [*logged, message("new")])

        rows = await sql(postgres_dsn, "SELECT message = '', ref_run, ref_position"
                                       " FROM thread_messages ORDER BY position")
        assert rows == [(True, "run-a", 0), (False, None, None)]
        assert await store.load_messages(ThreadId("thread-1")) == [*logged, message("new")]


async def test_a_given_pool_is_shared_and_left_open(postgres_dsn: str) -> None:
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(postgres_dsn, open=False)
    try:
        async with PostgresStore(postgres_dsn, pool=pool) as store:
            assert store.pool is pool
            await store.append_messages(ThreadId("t1"), [message("hi")])
        assert not pool.closed
        with pytest.raises(StoreError, match="load_messages failed .* closed"):
            await store.load_messages(ThreadId("t1"))
        async with pool.connection() as conn:
            cursor = await conn.execute("SELECT count(*) FROM thread_messages")
            assert await cursor.fetchone() == (1,)
    finally:
        await pool.close()


async def test_its_own_pool_is_closed_with_the_store(postgres_dsn: str) -> None:
    store = PostgresStore(postgres_dsn, min_size=1, max_size=2)
    await store.list_threads()
    await store.aclose()
    await store.aclose()

    assert store.pool.closed
    with pytest.raises(StoreError, match="put_checkpoint failed"):
        await store.put_checkpoint(checkpoint("run-a", 1))
