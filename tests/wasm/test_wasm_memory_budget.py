"""A memory cap across live instances: each instance reserves its `Limits.memory_bytes`
from a `MemoryBudget`; a new one waits for room, and is refused with `memory_budget` when
none comes in time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from wasm_helpers import run, texts

from remi_web import ChatCtx, ErrorEvent
from remi_web.core.model_io import ModelChunk, ModelRequest, TextChunk, ToolCallChunk
from remi_web.wasm import Limits, MemoryBudget, MemoryBudgetExceeded, WasmAgent
from remi_web.wasm.memory_budget import BUDGET_ENV, WAIT_ENV, budget_from_env, parse_size

MIB = 1024 * 1024
LIMIT = 96 * MIB


class HogModel:
    """Asks every run to call `hog` (which grows the guest's memory to its cap), then
    answers "done"; counts the model calls in flight at once, across runs."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.in_flight = 0
        self.most_in_flight = 0
        self.gate = gate

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """One turn: the `hog` call first, then the final answer."""
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            else:
                await asyncio.sleep(0.2)  # long enough for concurrent runs to overlap
            if request.messages[-1].role == "tool":
                yield TextChunk("done")
            else:
                yield ToolCallChunk(0, "call_hog", "hog", "{}")
        finally:
            self.in_flight -= 1


async def test_concurrent_hogs_wait_for_room_and_all_finish(probe_wasm: Path) -> None:
    budget = MemoryBudget(2 * LIMIT, wait_seconds=300)
    model = HogModel()
    agent = await WasmAgent.load(probe_wasm, model=model,
                                 limits=Limits(memory_bytes=LIMIT), budget=budget)
    results = await asyncio.gather(*(run(agent, f"hog {i}") for i in range(4)))
    for events in results:
        assert texts(events, "tool_result") == ["Error: MemoryError: "]  # each hit its cap
        assert events[-1].type == "done"
    assert model.most_in_flight == 2  # never more than the budget's two instances at once
    assert budget.used_bytes == 0  # every instance gave its memory back


async def test_a_new_instance_is_refused_when_no_room_comes(probe_wasm: Path) -> None:
    budget = MemoryBudget(LIMIT, wait_seconds=0.2)
    gate = asyncio.Event()
    model = HogModel(gate)
    agent = await WasmAgent.load(probe_wasm, model=model,
                                 limits=Limits(memory_bytes=LIMIT), budget=budget)
    first = asyncio.ensure_future(run(agent, "hold the only room"))
    while model.in_flight == 0:
        await asyncio.sleep(0.01)
    refused = await run(agent, "no room")
    error = refused[-1]
    assert isinstance(error, ErrorEvent) and error.code == "memory_budget"
    assert "No room for another guest instance" in error.message
    assert "96 MiB of the 96 MiB" in error.message and "waited 0.2s" in error.message
    gate.set()
    assert (await first)[-1].type == "done"
    assert (await run(agent, "room again"))[-1].type == "done"  # served once room is back


def test_an_instance_larger_than_the_whole_budget_is_refused_at_once() -> None:
    with pytest.raises(MemoryBudgetExceeded, match="more than the whole"):
        MemoryBudget(64 * MIB).reserve(96 * MIB)


def test_a_blocked_reserve_gets_the_memory_another_gives_back() -> None:
    budget = MemoryBudget(100, wait_seconds=300)
    held = budget.reserve(80)
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(budget.reserve(50)))
    waiter.start()
    assert budget.try_reserve(50) is None  # no room while `held` lives
    held.release()
    waiter.join()
    assert len(got) == 1 and budget.used_bytes == 50
    held.release()  # a second release gives nothing back twice
    assert budget.used_bytes == 50


def test_the_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BUDGET_ENV, "1.5GiB")
    monkeypatch.setenv(WAIT_ENV, "2.5")
    budget = budget_from_env()
    assert (budget.total_bytes, budget.wait_seconds) == (1536 * MIB, 2.5)
    assert parse_size("512MiB") == 512 * MIB and parse_size("2G") == 2 * 1000**3
    assert parse_size("4096") == 4096
    monkeypatch.setenv(BUDGET_ENV, "lots")
    with pytest.raises(Exception, match="'lots' is not a size"):
        budget_from_env()
