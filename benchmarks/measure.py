"""How runs are measured: wall time (best of several, alternating contenders), Python
function calls (cProfile, as peers.md counted them) and event-loop turns.

A "run" is a zero-argument coroutine function. Contenders are measured in one event loop,
round-robin, so that a burst of load on the machine hits all of them alike.
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

Run = Callable[[], Awaitable[object]]
"""One run of a workload: a coroutine function with no arguments."""


@dataclass(frozen=True, slots=True)
class Profile:
    """One profiled run: every function call cProfile saw, the event-loop iterations
    among them, and the top of the profile (by own time) as text."""

    calls: int
    loop_turns: int
    top: str


async def best_times(runs: Mapping[str, Run], repeat: int) -> dict[str, float]:
    """The best wall time (seconds) of `repeat` runs of each contender, taken round-robin."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(max(repeat, 1)):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            await run()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


async def best_wall_and_cpu(runs: Mapping[str, Run], repeat: int) -> dict[str, tuple[float, float]]:
    """Each contender's best run (by wall time) of `repeat`, round-robin, as (wall seconds,
    process CPU seconds): the CPU time is this process's alone, so a server in another
    process is not counted."""
    best: dict[str, tuple[float, float]] = {name: (float("inf"), float("inf")) for name in runs}
    for _ in range(max(repeat, 1)):
        for name, run in runs.items():
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            await run()
            sample = (time.perf_counter() - wall, time.process_time() - cpu)
            best[name] = min(best[name], sample)
    return best


def _is_loop_turn(key: tuple[str, int, str]) -> bool:
    filename, _, function = key
    path = filename.replace("\\", "/")
    return function == "_run_once" and path.endswith("asyncio/base_events.py")


async def profile(run: Run, top: int = 25) -> Profile:
    """Profile one run: total function calls (Python and built-in, as cProfile counts them,
    a generator resumption included) and event-loop iterations (`_run_once` calls)."""
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    try:
        await run()
    finally:
        profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    raw = stats.stats  # type: ignore[attr-defined]
    turns = sum(entry[1] for key, entry in raw.items() if _is_loop_turn(key))
    stats.sort_stats("tottime").print_stats(top)
    calls: int = stats.total_calls  # type: ignore[attr-defined]
    return Profile(calls, turns, text.getvalue())

