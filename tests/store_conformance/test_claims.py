"""Claims: `put_checkpoint` with `expected_sequence` is a compare-and-set, and leases are
renewed only by the writer still holding the run. Every backend, and two OS processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from remi_web.core.errors import CheckpointConflict
from remi_web.core.ids import RunId
from remi_web.core.state import Lease
from remi_web.core.store import Store

from .builders import checkpoint

CLAIMER = Path(__file__).with_name("claimer_process.py")
RUN = RunId("run-a")


@pytest.mark.pyodide
async def test_the_first_checkpoint_of_a_run_expects_zero(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 1), 0)

    with pytest.raises(CheckpointConflict):
        await store.put_checkpoint(replace(checkpoint("run-a", 1), id="other"), 0)

    assert await store.latest_checkpoint(RUN) == checkpoint("run-a", 1)


@pytest.mark.pyodide
async def test_a_stale_writer_stores_nothing(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 1), 0)
    await store.put_checkpoint(checkpoint("run-a", 2), 1)

    with pytest.raises(CheckpointConflict):
        await store.put_checkpoint(checkpoint("run-a", 3, status="done"), 1)

    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.sequence == 2
    await store.put_checkpoint(checkpoint("run-a", 3, status="done"), 2)
    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.status == "done"


@pytest.mark.pyodide
async def test_a_put_without_expectation_is_unconditional(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 5))
    await store.put_checkpoint(checkpoint("run-a", 2))

    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.sequence == 5


@pytest.mark.pyodide
async def test_concurrent_claims_of_one_checkpoint_have_one_winner(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 1), 0)

    async def claim(worker: int) -> bool:
        await asyncio.sleep(0)
        try:
            await store.put_checkpoint(replace(checkpoint("run-a", 2), id=f"w{worker}"), 1)
        except CheckpointConflict:
            return False
        return True

    won = await asyncio.gather(*(claim(w) for w in range(8)))

    assert won.count(True) == 1
    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.id == f"w{won.index(True)}"


def another_connection(store: Store) -> Store:
    """A second connection to the same data where the backend has connections (an SQLite
    file, an IndexedDB database, a Postgres database: a second pool); the store itself
    otherwise."""
    from remi_web.stores.indexeddb import IndexedDBStore
    from remi_web.stores.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore) and store.path != ":memory:":
        return SQLiteStore(store.path, keep=store.keep)
    if isinstance(store, IndexedDBStore):
        return IndexedDBStore(store.name, keep=store.keep)
    postgres = sys.modules.get("remi_web.stores.postgres")  # loaded if the store is one
    if postgres is not None and isinstance(store, postgres.PostgresStore):
        return postgres.PostgresStore(store.dsn, keep=store.keep)  # type: ignore[no-any-return]
    return store


@pytest.mark.pyodide
async def test_two_connections_claiming_one_checkpoint_have_one_winner(store: Store) -> None:
    other = another_connection(store)
    try:
        await store.put_checkpoint(checkpoint("run-a", 1), 0)
        for step in range(1, 6):  # each step: both connections try to advance the run
            attempts = [
                conn.put_checkpoint(replace(checkpoint("run-a", step + 1), id=f"{step}:{n}"), step)
                for n, conn in enumerate((store, other))
            ]
            outcomes = await asyncio.gather(*attempts, return_exceptions=True)
            assert [o is None for o in outcomes].count(True) == 1, outcomes
            assert all(isinstance(o, CheckpointConflict) for o in outcomes if o is not None)
        for conn in (store, other):
            latest = await conn.latest_checkpoint(RUN)
            assert latest is not None and latest.sequence == 6
    finally:
        if other is not store:
            aclose = getattr(other, "aclose", None)
            if aclose is not None:
                await aclose()
            else:
                getattr(other, "close")()


@pytest.mark.pyodide
async def test_a_lease_is_stored_and_renewed_in_place(store: Store) -> None:
    running = replace(checkpoint("run-a", 1, status="running"), lease=Lease("proc-1", 100.0))
    await store.put_checkpoint(running, 0)
    assert await store.latest_checkpoint(RUN) == running

    await store.renew_lease(RUN, 1, Lease("proc-1", 200.0))

    latest = await store.latest_checkpoint(RUN)
    assert latest == replace(running, lease=Lease("proc-1", 200.0))
    listed = await store.list_checkpoints(running.thread_id)
    assert [cp.lease for cp in listed] == [Lease("proc-1", 200.0)]


@pytest.mark.pyodide
async def test_a_lease_of_a_run_that_moved_on_is_not_renewed(store: Store) -> None:
    await store.put_checkpoint(replace(checkpoint("run-a", 1), lease=Lease("p", 1.0)), 0)
    await store.put_checkpoint(checkpoint("run-a", 2), 1)

    with pytest.raises(CheckpointConflict):
        await store.renew_lease(RUN, 1, Lease("p", 2.0))
    with pytest.raises(CheckpointConflict):
        await store.renew_lease(RunId("unknown"), 1, Lease("p", 2.0))

    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.sequence == 2 and latest.lease is None


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_processes_claiming_one_database_have_one_winner_per_step(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    where = str(tmp_path / "claims.db") if backend == "sqlite" else str(
        request.getfixturevalue("postgres_dsn")
    )
    workers, steps = 4, 30
    procs = [
        subprocess.Popen(
            [sys.executable, str(CLAIMER), where, str(w), str(steps)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for w in range(workers)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
    assert all(proc.returncode == 0 for proc in procs), [err for _, err in outputs]
    wins = [int(out.split()[-1]) for out, _ in outputs]
    assert sum(wins) == steps  # every step advanced by exactly one process

    async def check() -> None:
        from remi_web.stores.postgres import PostgresStore
        from remi_web.stores.sqlite import SQLiteStore

        opened = SQLiteStore(where, keep="all") if backend == "sqlite" else PostgresStore(
            where, keep="all"
        )
        async with opened as reader:
            latest = await reader.latest_checkpoint(RUN)
            assert latest is not None and latest.sequence == steps
            listed = await reader.list_checkpoints(latest.thread_id)
            assert sorted(cp.sequence for cp in listed) == list(range(1, steps + 1))

    asyncio.run(check())
