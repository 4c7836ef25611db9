"""A writer run as its own OS process by `test_concurrency.py` (not a test module).

Usage: `python writer_process.py DB_PATH WORKER COUNT [--check-seed]`. It prints "ready", waits
for "go" on stdin (so all writers start together), opens the SQLite store, optionally checks the
checkpoint the parent wrote, then writes COUNT checkpoints and messages and one rich checkpoint.
Exit status 0 means every step succeeded; otherwise the reason is on stderr.
"""

from __future__ import annotations

import asyncio
import sys

from builders import checkpoint, message  # this script's directory is on sys.path

from remi_web.core.ids import RunId, ThreadId
from remi_web.stores.sqlite import SQLiteStore

SHARED = ThreadId("shared")


async def write(path: str, worker: int, count: int, check_seed: bool) -> None:
    """Open the store and do this worker's writes."""
    async with SQLiteStore(path, keep="all") as store:
        if check_seed:
            seed = await store.latest_checkpoint(RunId("seed"))
            if seed != checkpoint("seed", 7, thread_id="seed-thread", rich=True):
                sys.exit(f"worker {worker}: the parent's checkpoint read back as {seed!r}")
        own = ThreadId(f"thread-{worker}")
        for i in range(count):
            await store.put_checkpoint(checkpoint(f"run-{worker}", i, thread_id=own))
            await store.append_messages(SHARED, [message(f"{worker}:{i}")])
            halves = [message(f"{worker}:{i}:a"), message(f"{worker}:{i}:b")]
            await store.append_messages(own, halves)
        await store.put_checkpoint(checkpoint(f"rich-{worker}", 0, thread_id=own, rich=True))


def main() -> None:
    """Parse arguments, wait for the start signal, write."""
    path, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit("no start signal")
    asyncio.run(write(path, worker, count, "--check-seed" in sys.argv[4:]))


if __name__ == "__main__":
    main()
