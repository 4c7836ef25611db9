"""Scenario 6: memory and concurrency. 1,000 runs in flight at once on one event loop, one
shared agent: each run streams 20 text deltas, calls the `add` tool, and streams 20 more;
the model gives the loop a turn before every chunk (as a network would), so every run is
alive at the same time. Total wall time, and peak traced memory per run (tracemalloc,
measured in a separate pass). The floor: the same number of tasks reading the same model
streams bare (two turns each), with no agent.
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from collections.abc import Awaitable, Callable

from pydantic import JsonValue

from remi_web import ChatCtx
from remi_web.core.model_io import ModelRequest

from .config import Config
from .report import Outcome, Row
from .tool_workload import ToolLoopModel, tool_agent, tool_run

NAME = "concurrency"
TEXT_PER_TURN = 20


def remi_runs(count: int) -> Callable[[], Awaitable[object]]:
    """`count` concurrent runs of one shared agent (a fresh agent and store each call)."""

    async def go() -> object:
        agent = tool_agent(1, TEXT_PER_TURN, yield_each=True)
        return await asyncio.gather(*(tool_run(agent) for _ in range(count)))

    return go


def floor_runs(count: int) -> Callable[[], Awaitable[object]]:
    """`count` concurrent tasks each reading two model turns bare."""

    async def one(model: ToolLoopModel) -> int:
        seen = 0
        for _ in range(2):
            async for _ in model.chat(ModelRequest(messages=[]), ChatCtx()):
                seen += 1
        return seen

    async def go() -> object:
        model = ToolLoopModel(1, TEXT_PER_TURN, yield_each=True)
        return await asyncio.gather(*(one(model) for _ in range(count)))

    return go


async def wall_seconds(work: Callable[[], Awaitable[object]], repeat: int) -> float:
    """Best wall time of `repeat` runs of `work`."""
    best = float("inf")
    for _ in range(max(repeat, 1)):
        gc.collect()
        start = time.perf_counter()
        await work()
        best = min(best, time.perf_counter() - start)
    return best


async def traced_bytes(work: Callable[[], Awaitable[object]]) -> tuple[int, int]:
    """Peak and retained traced bytes of one run of `work`, above what was live before."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = await work()
        peak = tracemalloc.get_traced_memory()[1]
        del result
        gc.collect()
        current = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return peak - base, current - base


async def measure(count: int, repeat: int) -> dict[str, float]:
    """Wall ms of `count` concurrent runs and KiB per run, for the agent and the floor."""
    agent, floor = remi_runs(count), floor_runs(count)
    await agent()  # warm up
    await floor()
    result: dict[str, float] = {}
    for name, work in (("agent", agent), ("floor", floor)):
        result[f"{name}_ms"] = await wall_seconds(work, repeat) * 1000
        peak, kept = await traced_bytes(work)
        result[f"{name}_peak_kib"] = peak / 1024 / count
        result[f"{name}_kept_kib"] = kept / 1024 / count
    return result


def run(config: Config) -> Outcome:
    """Rows: total time and peak memory per run, against the floor."""
    n = config.concurrent_runs
    result = asyncio.run(measure(n, config.repeat))
    rows = [
        Row(NAME, f"{n} concurrent runs ms", result["agent_ms"], "floor", result["floor_ms"],
            note=f"{result['agent_ms'] * 1000 / n:.0f} us/run"),
        Row(NAME, "peak KiB/run", result["agent_peak_kib"], "floor", result["floor_peak_kib"],
            note=f"{result['agent_kept_kib']:.1f} KiB/run kept after (MemoryStore checkpoints)"),
    ]
    details: dict[str, JsonValue] = {"runs": n, "text_per_turn": TEXT_PER_TURN, **result}
    return Outcome(rows, details)
