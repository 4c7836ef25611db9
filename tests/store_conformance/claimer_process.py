"""A claimer run as its own OS process by `test_claims.py` (not a test module).

Usage: `python claimer_process.py DATABASE WORKER STEPS`, DATABASE an SQLite file or a
`postgresql://` connection string. It prints "ready", waits for "go", then tries to advance run
"run-a" from each checkpoint it reads to the next with a compare-and-set, until the run reaches
STEPS. It prints how many steps it won.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from builders import checkpoint  # this script's directory is on sys.path

from remi_web.core.errors import CheckpointConflict
from remi_web.core.ids import RunId
from remi_web.stores.sqlite import SQLiteStore

if TYPE_CHECKING:
    from remi_web.stores.postgres import PostgresStore


def open_store(database: str) -> SQLiteStore | PostgresStore:
    """The store of `database`, keeping every checkpoint."""
    if database.startswith("postgresql://"):
        from remi_web.stores.postgres import PostgresStore

        return PostgresStore(database, keep="all")
    return SQLiteStore(database, keep="all")


async def claim(database: str, worker: int, steps: int) -> int:
    """Race the other workers; the number of steps this one won."""
    won = 0
    async with open_store(database) as store:
        while True:
            latest = await store.latest_checkpoint(RunId("run-a"))
            current = 0 if latest is None else latest.sequence
            if current >= steps:
                return won
            mine = replace(checkpoint("run-a", current + 1), id=f"run-a:{current + 1}:w{worker}")
            try:
                await store.put_checkpoint(mine, current)
            except CheckpointConflict:
                continue
            won += 1


def main() -> None:
    """Parse arguments, wait for the start signal, race."""
    path, worker, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit("no start signal")
    print("won", asyncio.run(claim(path, worker, steps)), flush=True)


if __name__ == "__main__":
    main()
