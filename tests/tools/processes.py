"""Watching processes from the tests: is a pid still running?"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether `pid` is a running process (a zombie counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


async def all_gone(pids: list[int], safety_limit: float = 15.0) -> bool:
    """Whether every pid is gone, polling up to `safety_limit` seconds (killing takes a moment)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + safety_limit
    while any(alive(pid) for pid in pids):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def read_pids(path: Path) -> list[int]:
    """The pids a test command wrote, one per line."""
    return [int(line) for line in path.read_text().split()]


def kill_quietly(pids: list[int]) -> None:
    """Clean up after a test: SIGKILL whatever is left."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
