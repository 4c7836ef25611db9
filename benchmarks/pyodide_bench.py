"""The streaming benchmark as it runs inside Pyodide (under node, or in the web app's
worker) and natively for comparison: per-delta time of the floor and of the agent loop, and
the time from a cold call to the first text delta.

Needs only `remi_web` and `benchmarks/stream_workload.py`; no event-loop runner (under
Pyodide, await these coroutines from `runPythonAsync` or the worker's own loop). Results are
plain JSON-able dicts (the schema `benchmarks/pyodide.py` reads).
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, cast


async def first_token() -> dict[str, Any]:
    """Import remi-web (if not yet imported) and run a small agent to its first text delta:
    milliseconds for the import, and for the whole call."""
    start = time.perf_counter()
    from remi_web import TextDelta

    from .stream_workload import RawModel, agent_for

    imported = time.perf_counter()
    agent = agent_for(RawModel(10))
    first = None
    stream = cast(AsyncGenerator[object, None], agent.chat("go"))
    async with aclosing(stream) as events:
        async for event in events:
            if type(event) is TextDelta:
                first = time.perf_counter()
                break
    assert first is not None, "no text delta"
    return {
        "import_ms": (imported - start) * 1000,
        "first_event_ms": (first - imported) * 1000,
        "elapsed_ms": (first - start) * 1000,
    }


async def measure(deltas: int = 10_000, repeat: int = 5) -> dict[str, Any]:
    """Best-of-`repeat` microseconds per delta of the floor and of the agent loop
    (alternating), their difference, and where it ran."""
    from .stream_workload import RawModel, agent_for, floor, stack

    model = RawModel(deltas)
    agent = agent_for(model)
    best = {"floor": float("inf"), "stack": float("inf")}
    await floor(model)  # warm up
    await stack(agent)
    for _ in range(max(repeat, 1)):
        for name in best:
            start = time.perf_counter()
            seen = await (floor(model) if name == "floor" else stack(agent))
            best[name] = min(best[name], time.perf_counter() - start)
            assert seen == deltas
    floor_us, stack_us = best["floor"] * 1e6 / deltas, best["stack"] * 1e6 / deltas
    return {
        "deltas": deltas,
        "repeat": repeat,
        "floor_us_per_delta": floor_us,
        "stack_us_per_delta": stack_us,
        "overhead_us_per_delta": stack_us - floor_us,
        "platform": sys.platform,
        "python": platform.python_version(),
    }
