"""Concurrent writers: asyncio tasks on one store, connections and OS processes on one file.

The tests in one process also run in the Pyodide lane (`pyodide` mark); the ones that start OS
processes cannot (Pyodide has no processes), so they are left unmarked and run natively only.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from remi_web.core.ids import RunId, ThreadId
from remi_web.core.store import Store
from remi_web.stores.sqlite import SQLiteStore

from .builders import checkpoint, message

SHARED = ThreadId("shared")
WRITER = Path(__file__).with_name("writer_process.py")


async def task_writes(store: Store, worker: int, count: int) -> None:
    """Worker `worker`'s writes: checkpoints, and messages to its own thread and the shared one."""
    own = ThreadId(f"thread-{worker}")
    for i in range(count):
        await store.put_checkpoint(checkpoint(f"run-{worker}", i, thread_id=own))
        await asyncio.sleep(0)
        await store.append_messages(SHARED, [message(f"{worker}:{i}")])
        await asyncio.sleep(0)
        await store.append_messages(own, [message(f"{worker}:{i}:a"), message(f"{worker}:{i}:b")])


async def assert_all_written(store: Store, workers: int, count: int) -> None:
    """Every write of every worker is there, each worker's writes in its own order."""
    shared = [m.content for m in await store.load_messages(SHARED)]
    assert sorted(shared) == sorted(f"{w}:{i}" for w in range(workers) for i in range(count))
    for w in range(workers):
        own = ThreadId(f"thread-{w}")
        assert [c for c in shared if isinstance(c, str) and c.startswith(f"{w}:")] == [
            f"{w}:{i}" for i in range(count)
        ]
        assert await store.load_messages(own) == [
            message(f"{w}:{i}:{half}") for i in range(count) for half in "ab"
        ]
        assert await store.latest_checkpoint(RunId(f"run-{w}")) == checkpoint(
            f"run-{w}", count - 1, thread_id=own
        )
        listed = await store.list_checkpoints(own)
        assert [cp.id for cp in listed if cp.run_id == f"run-{w}"] == [
            f"run-{w}:{i}" for i in range(count)
        ]
    own_threads = {ThreadId(f"thread-{w}") for w in range(workers)}
    assert set(await store.list_threads()) == {SHARED, *own_threads}


@pytest.mark.pyodide
async def test_many_tasks_writing_at_once_lose_nothing(store: Store) -> None:
    workers, count = 20, 10

    await asyncio.gather(*(task_writes(store, w, count) for w in range(workers)))

    await assert_all_written(store, workers, count)


@pytest.mark.pyodide
async def test_several_connections_to_one_file_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    workers, count = 6, 10
    connections = [SQLiteStore(path, keep="all") for _ in range(3)]
    try:
        await asyncio.gather(
            *(task_writes(connections[w % 3], w, count) for w in range(workers))
        )
        async with SQLiteStore(path, keep="all") as reader:
            await assert_all_written(reader, workers, count)
    finally:
        for connection in connections:
            connection.close()


def _run_writers(path: Path, workers: int, count: int, *extra: str) -> None:
    """Start `workers` writer processes, release them together, and require a clean exit."""
    processes = [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(path), str(w), str(count), *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=path.parent,
        )
        for w in range(workers)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            ready = process.stdout.readline()
            assert ready == "ready\n", process.communicate(timeout=60)[1]
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in processes:
            _, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, stderr
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


async def test_processes_writing_one_new_file_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "processes.db"
    workers, count = 3, 100

    _run_writers(path, workers, count)

    async with SQLiteStore(path, keep="all") as store:
        await assert_all_written(store, workers, count)


async def test_checkpoints_cross_between_processes(tmp_path: Path) -> None:
    path = tmp_path / "handoff.db"
    async with SQLiteStore(path, keep="all") as store:
        await store.put_checkpoint(checkpoint("seed", 7, thread_id="seed-thread", rich=True))

    _run_writers(path, 3, 5, "--check-seed")

    async with SQLiteStore(path, keep="all") as store:
        for w in range(3):
            written = await store.latest_checkpoint(RunId(f"rich-{w}"))
            assert written == checkpoint(f"rich-{w}", 0, thread_id=f"thread-{w}", rich=True)
        await assert_all_written(store, 3, 5)
