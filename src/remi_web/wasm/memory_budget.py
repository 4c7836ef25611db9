"""`MemoryBudget`: one cap on the linear memory of all live guest instances of a process.

Each instance's store is capped at `Limits.memory_bytes`; before it is created, that much is
reserved from the budget, and given back when the instance is closed (or collected). So the
guests of a process together never hold more than the budget, however many runs start. A new
instance that finds no room waits (a bounded time) for others to end, then is refused with a
`MemoryBudgetExceeded` error (code `memory_budget`).

The process-wide budget comes from the environment: `REMI_WASM_MEMORY_BUDGET` (bytes, or with
a unit: `4GiB`, `512MiB`, `2G`; default half of the machine's memory) and
`REMI_WASM_MEMORY_WAIT` (seconds a new instance may wait; default 10).
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from collections.abc import Callable

from ..core.errors import ConfigurationError
from .errors import MemoryBudgetExceeded

BUDGET_ENV = "REMI_WASM_MEMORY_BUDGET"
"""The environment variable that sets the process-wide budget (bytes, or `4GiB`, `512MiB`)."""
WAIT_ENV = "REMI_WASM_MEMORY_WAIT"
"""The environment variable that sets how long (seconds) a new instance may wait for room."""
DEFAULT_WAIT = 10.0
"""Seconds a new instance waits for room by default."""

_MIB = 1024 * 1024
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2,
          "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3, "t": 1000**4,
          "tb": 1000**4, "tib": 1024**4}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
_process: MemoryBudget | None = None
_process_lock = threading.Lock()


class Reservation:
    """Memory held in a budget for one live instance; `release()` gives it back (once)."""

    def __init__(self, budget: MemoryBudget, amount: int) -> None:
        self.budget = budget
        self.amount = amount
        self._released = False
        self._lock = threading.Lock()

    def release(self) -> None:
        """Give the memory back to the budget (later calls do nothing)."""
        with self._lock:
            if self._released:
                return
            self._released = True
        self.budget._give_back(self.amount)


class MemoryBudget:
    """A total of linear memory shared by the live guest instances that reserve from it.

    Thread-safe; `reserve` blocks (for guest threads), `acquire` awaits (for event loops).

    Args:
        total_bytes: the most all live instances may hold together.
        wait_seconds: how long a new instance may wait for room before it is refused.
    """

    def __init__(self, total_bytes: int, wait_seconds: float = DEFAULT_WAIT) -> None:
        if total_bytes <= 0:
            raise ConfigurationError(f"A memory budget must be positive, not {total_bytes}.")
        self.total_bytes = total_bytes
        self.wait_seconds = wait_seconds
        self._used = 0
        self._changed = threading.Condition()
        self._wakers: set[Callable[[], None]] = set()

    @property
    def used_bytes(self) -> int:
        """What live instances hold now."""
        with self._changed:
            return self._used

    def try_reserve(self, amount: int) -> Reservation | None:
        """Reserve `amount` bytes now, or return None when there is no room."""
        self._check(amount)
        with self._changed:
            return self._take(amount)

    def reserve(self, amount: int, wait_seconds: float | None = None) -> Reservation:
        """Reserve `amount` bytes, blocking up to `wait_seconds` (default: the budget's) for
        room; raises `MemoryBudgetExceeded` when none comes."""
        self._check(amount)
        wait = self.wait_seconds if wait_seconds is None else wait_seconds
        deadline = time.monotonic() + wait
        with self._changed:
            while (taken := self._take(amount)) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._refusal(amount, wait)
                self._changed.wait(left)
            return taken

    async def acquire(self, amount: int, wait_seconds: float | None = None) -> Reservation:
        """`reserve` without blocking the event loop: awaits room up to `wait_seconds`."""
        self._check(amount)
        wait = self.wait_seconds if wait_seconds is None else wait_seconds
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            woken = asyncio.Event()

            def wake(event: asyncio.Event = woken) -> None:
                loop.call_soon_threadsafe(event.set)

            with self._changed:
                taken = self._take(amount)
                if taken is not None:
                    return taken
                self._wakers.add(wake)
            try:
                left = deadline - loop.time()
                if left <= 0:
                    raise self._refusal(amount, wait)
                try:
                    await asyncio.wait_for(woken.wait(), left)
                except TimeoutError:
                    pass  # one last look at the budget, then refuse
            finally:
                with self._changed:
                    self._wakers.discard(wake)

    def _take(self, amount: int) -> Reservation | None:
        if self._used + amount > self.total_bytes:
            return None
        self._used += amount
        return Reservation(self, amount)

    def _give_back(self, amount: int) -> None:
        with self._changed:
            self._used -= amount
            self._changed.notify_all()
            wakers = list(self._wakers)
        for wake in wakers:
            try:
                wake()
            except RuntimeError:  # that waiter's loop is closed
                pass

    def _check(self, amount: int) -> None:
        if amount > self.total_bytes:
            raise MemoryBudgetExceeded(
                f"A guest instance needs {_mib(amount)} of memory, more than the whole "
                f"WebAssembly memory budget of {_mib(self.total_bytes)}; lower "
                f"Limits.memory_bytes or raise the budget ({BUDGET_ENV})."
            )

    def _refusal(self, amount: int, wait: float) -> MemoryBudgetExceeded:
        return MemoryBudgetExceeded(
            f"No room for another guest instance: live instances hold "
            f"{_mib(self.used_bytes)} of the {_mib(self.total_bytes)} WebAssembly memory "
            f"budget and this one needs {_mib(amount)}; waited {wait:g}s. Retry later, raise "
            f"the budget ({BUDGET_ENV}) or lower Limits.memory_bytes."
        )


def parse_size(text: str) -> int:
    """Bytes from `text`: a number, optionally with a unit (`512MiB`, `4GiB`, `2G`, `1.5gb`)."""
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ConfigurationError(
            f"{text!r} is not a size; write bytes, or a number with a unit such as 512MiB "
            "or 4GiB."
        )
    return int(float(match.group(1)) * _UNITS[unit])


def budget_from_env() -> MemoryBudget:
    """A budget configured by `REMI_WASM_MEMORY_BUDGET` and `REMI_WASM_MEMORY_WAIT`."""
    raw = os.environ.get(BUDGET_ENV, "").strip()
    total = parse_size(raw) if raw else _half_of_physical_memory()
    raw_wait = os.environ.get(WAIT_ENV, "").strip()
    try:
        wait = float(raw_wait) if raw_wait else DEFAULT_WAIT
    except ValueError:
        raise ConfigurationError(f"{WAIT_ENV}={raw_wait!r} is not a number of seconds.") from None
    return MemoryBudget(total, wait)


def process_budget() -> MemoryBudget:
    """The budget every instance of this process reserves from unless told otherwise
    (made from the environment on first use)."""
    global _process
    with _process_lock:
        if _process is None:
            _process = budget_from_env()
        return _process


def _half_of_physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError, AttributeError):
        return 4 * 1024 * _MIB


def _mib(amount: int) -> str:
    return f"{amount / _MIB:g} MiB"
