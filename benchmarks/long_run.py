"""Scenario: a long run at constant cost per turn. One run of `long_turns` tool turns (each tool
returns 10 KB) to `done`, on each store: ms per turn in the first and the last quarter, the
total, and the bytes the store holds against the bytes of content."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from remi_web import AgentBuilder, ChatCtx, MemoryStore, SQLiteStore, Store, ToolResult, TurnStart, tool
from remi_web.core.model_io import ModelChunk, ModelRequest, TextChunk, ToolCallChunk

from .config import Config
from .report import Outcome, Row

NAME = "long_run"
ROOT = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).resolve().parent / "long_run_idb.mjs"
LANE_NODE = ROOT / "web" / "node_modules" / ".remi-node" / "bin" / "node"
IDB_TURNS = 300
RESULT_BYTES = 10_000
PAYLOAD = "x" * RESULT_BYTES


@tool
def fetch_page(n: int) -> str:
    """Fetch page `n` (10 KB)."""
    return PAYLOAD


class PagingModel:
    """Asks for one page per turn until `turns` pages, then answers; it counts its own calls
    (reading the history would make the model, not the SDK, grow with it)."""

    def __init__(self, turns: int) -> None:
        self.turns = turns
        self.calls = 0

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """The next page request, or the answer."""
        self.calls += 1
        if self.calls <= self.turns:
            yield ToolCallChunk(0, f"call_{self.calls}", "fetch_page", f'{{"n": {self.calls}}}')
        else:
            yield TextChunk("read them all")


async def long_run(store: Store, turns: int) -> dict[str, float]:
    """One run of `turns` tool turns on `store`: per-turn times and the total."""
    agent = AgentBuilder().model(PagingModel(turns)).tools(fetch_page).store(store)
    loop = agent.max_turns(turns + 1).build()
    starts: list[float] = []
    results = 0
    began = time.perf_counter()
    async for event in loop.chat("read every page"):
        if isinstance(event, TurnStart):
            starts.append(time.perf_counter())
        elif isinstance(event, ToolResult):
            results += 1
    total = time.perf_counter() - began
    assert results == turns, results
    per_turn = [b - a for a, b in zip(starts, starts[1:])]
    quarter = max(1, len(per_turn) // 4)
    first = sum(per_turn[:quarter]) / quarter
    last = sum(per_turn[-quarter:]) / quarter
    return {"first_ms": first * 1000, "last_ms": last * 1000, "total_s": total}


async def indexeddb_run(turns: int) -> dict[str, float]:
    """The long run on an IndexedDBStore (run inside Pyodide, where IndexedDB exists)."""
    from remi_web.stores.indexeddb import IndexedDBStore

    store = IndexedDBStore("remi-long-run")
    figures = await long_run(store, turns)
    figures["stored_bytes"] = float(await store.stored_bytes())
    store.close()
    await IndexedDBStore.delete_database("remi-long-run")
    return figures


def run_indexeddb(turns: int, out: Path) -> dict[str, Any]:
    """`indexeddb_run` in Pyodide under node (fake-indexeddb); its JSON, or why not."""
    node = str(LANE_NODE) if LANE_NODE.is_file() else shutil.which("node")
    if node is None or not (ROOT / "web" / "dist" / "pyodide-lock.json").is_file():
        return {"ok": False, "error": "no node or web/dist: run bash scripts/setup_web.sh"}
    done = subprocess.run([node, str(RUNNER), "--turns", str(turns), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    if not out.is_file():
        return {"ok": False, "error": f"node exited {done.returncode}: {done.stderr[-300:]}"}
    result: dict[str, Any] = json.loads(out.read_text())
    return result


async def measure(turns: int, folder: Path) -> dict[str, dict[str, float]]:
    """Every store's figures."""
    out: dict[str, dict[str, float]] = {}
    memory = MemoryStore()
    out["memory"] = await long_run(memory, turns)
    out["memory"]["stored_bytes"] = float(memory.stored_bytes())
    sqlite = SQLiteStore(folder / "long.db")
    out["sqlite"] = await long_run(sqlite, turns)
    out["sqlite"]["stored_bytes"] = float(sqlite.stored_bytes())
    sqlite.close()
    return out


def run(config: Config) -> Outcome:
    """Rows per store: ms per turn (first and last quarter), total, stored vs content."""
    turns = config.long_turns
    with tempfile.TemporaryDirectory(prefix="remi-bench-") as folder:
        result = asyncio.run(measure(turns, Path(folder)))
        idb_turns = min(turns, IDB_TURNS)
        idb = run_indexeddb(idb_turns, Path(folder) / "long-run-idb.json")
    rows: list[Row] = []
    if idb.get("ok"):
        result["indexeddb"] = {k: float(idb[k]) for k in ("first_ms", "last_ms", "total_s", "stored_bytes")}
    else:
        rows.append(Row(NAME, "indexeddb ms/turn", None, note=f"not run: {str(idb.get('error'))[:100]}"))
    for store, figures in result.items():
        count = idb_turns if store == "indexeddb" else turns
        content = count * RESULT_BYTES
        growth = figures["last_ms"] / figures["first_ms"]
        ratio = figures["stored_bytes"] / content
        rows.append(Row(
            NAME, f"{store} ms/turn, last quarter", figures["last_ms"], "first quarter",
            figures["first_ms"], target="<= 1.5x first", met=growth <= 1.5,
            note=f"{count} turns in {figures['total_s']:.2f} s",
        ))
        rows.append(Row(
            NAME, f"{store} bytes stored / content", ratio, target="<= 2", met=ratio <= 2,
            note=f"{figures['stored_bytes'] / 1e6:.1f} MB for {content / 1e6:.1f} MB",
        ))
    details: dict[str, JsonValue] = {"turns": turns, "result_bytes": RESULT_BYTES, **{
        store: dict(figures) for store, figures in result.items()}}  # type: ignore[dict-item]
    return Outcome(rows, details)
