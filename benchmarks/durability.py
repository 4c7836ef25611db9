"""Scenario: what durability costs. A run of `tool_rounds` sequential tool rounds, to `done`,
on a memory store with leases (the default), without leases, and on an SQLite file: us per
round, and how many checkpoints (compare-and-set writes) one round writes."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from pydantic import JsonValue

from remi_web import AgentBuilder, AgentLoop, MemoryStore, SQLiteStore, Store

from .config import Config
from .measure import best_times
from .report import Outcome, Row
from .tool_workload import ToolLoopModel, add, tool_run

NAME = "durability"


def agent(rounds: int, store: Store, lease: float | None) -> AgentLoop:
    """The tool workload's agent on `store`, with `lease` seconds of lease (None: none)."""
    model = ToolLoopModel(rounds)
    builder = AgentBuilder().model(model).tools(add).max_turns(rounds + 1).store(store)
    return builder.lease(lease).build()


async def writes_per_round(rounds: int) -> float:
    """Checkpoints one run writes, per tool round (the store keeps them all to count them)."""
    store = MemoryStore(keep="all")
    loop = agent(rounds, store, 30.0)
    ctx_thread = None
    async for event in loop.chat("add 1 and 2"):
        ctx_thread = getattr(event, "thread_id", ctx_thread)
    assert ctx_thread is not None
    return len(await store.list_checkpoints(ctx_thread)) / rounds


async def measure(config: Config, folder: Path) -> dict[str, float]:
    """Microseconds per tool round for each store and lease setting."""
    rounds = config.tool_rounds
    sqlite = SQLiteStore(folder / "bench.db")
    agents = {
        "memory": agent(rounds, MemoryStore(), 30.0),
        "memory_no_lease": agent(rounds, MemoryStore(), None),
        "sqlite": agent(rounds, sqlite, 30.0),
    }
    runs = {name: (lambda a=a: tool_run(a)) for name, a in agents.items()}
    for run in runs.values():
        await run()  # warm up
    seconds = await best_times(runs, config.repeat)
    sqlite.close()
    result = {f"{name}_us_per_round": s * 1e6 / rounds for name, s in seconds.items()}
    result["writes_per_round"] = await writes_per_round(rounds)
    return result


def run(config: Config) -> Outcome:
    """Rows: us per tool round on each store, and checkpoint writes per round."""
    with tempfile.TemporaryDirectory(prefix="remi-bench-") as folder:
        result = asyncio.run(measure(config, Path(folder)))
    rows = [
        Row(NAME, "round us, memory", result["memory_us_per_round"],
            note=f"{result['writes_per_round']:.1f} checkpoints/round"),
        Row(NAME, "round us, memory, no lease", result["memory_no_lease_us_per_round"]),
        Row(NAME, "round us, SQLite file", result["sqlite_us_per_round"]),
    ]
    details: dict[str, JsonValue] = {"tool_rounds": config.tool_rounds, **result}
    return Outcome(rows, details)
