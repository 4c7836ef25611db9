"""Scenario 3: tool round trips. A one-tool run (two model turns: a call of `add`, then the
answer) and a run of 100 sequential tool rounds, through `AgentLoop.chat()` to `done`, with
the agent built once. Milliseconds per run (best of several batches).
"""

from __future__ import annotations

import asyncio

from pydantic import JsonValue

from .config import Config
from .measure import best_times, profile
from .report import Outcome, Row
from .tool_workload import tool_agent, tool_run

NAME = "tools"
ONE_TOOL_TARGET_MS = 1.0


async def measure(config: Config) -> dict[str, float]:
    """Milliseconds per one-tool run and per long run; calls per one-tool run."""
    one, long = tool_agent(1), tool_agent(config.tool_rounds)

    async def one_batch() -> None:
        for _ in range(config.tool_runs):
            await tool_run(one)

    async def long_run() -> None:
        await tool_run(long)

    await one_batch()  # warm up
    await long_run()
    seconds = await best_times({"one": one_batch, "long": long_run}, config.repeat)
    calls = (await profile(lambda: tool_run(one))).calls
    return {
        "one_ms": seconds["one"] * 1000 / config.tool_runs,
        "long_ms": seconds["long"] * 1000,
        "one_calls": float(calls),
    }


def run(config: Config) -> Outcome:
    """Rows: the one-tool run (target under 1 ms) and the long run (ms, and per round)."""
    result = asyncio.run(measure(config))
    rounds = config.tool_rounds
    rows = [
        Row(NAME, "one-tool run ms", result["one_ms"], target=f"< {ONE_TOOL_TARGET_MS:g} ms",
            met=result["one_ms"] < ONE_TOOL_TARGET_MS,
            note=f"{result['one_calls']:.0f} calls/run"),
        Row(NAME, f"{rounds} tool rounds ms", result["long_ms"],
            note=f"{result['long_ms'] * 1000 / rounds:.0f} us/round"),
    ]
    details: dict[str, JsonValue] = {"tool_runs": config.tool_runs, "tool_rounds": rounds, **result}
    return Outcome(rows, details)
