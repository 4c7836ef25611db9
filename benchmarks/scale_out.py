"""Scenario: scale-out. N concurrent runs (300 by default; each one tool call and a few text
deltas from a scripted model, in the server) spread round-robin over 1, 2 and 3 `remi serve`
processes on one Postgres database, and over one process on SQLite for comparison. Reports
runs per second at that load, and event latency (p50/p99 at 10 runs at once: from the model
yielding a delta, stamped with the time, to the client reading it: loop, event log, SSE).

Postgres is a throwaway cluster with its durable settings (fsync on), on this machine.

Run: `.venv/bin/python -m benchmarks.scale_out [--runs 300]` (or `python -m benchmarks
--only scale_out`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import httpx
from pydantic import JsonValue

from remi_web import AgentBuilder, ChatCtx, tool
from remi_web.core.model_io import ModelChunk, ModelRequest, TextChunk, ToolCallChunk
from remi_web.testing.postgres_cluster import ThrowawayPostgres, postgres_bin

from .config import Config
from .mock_process import free_port, wait_until_healthy
from .report import Outcome, Row

NAME = "scale_out"
RUNS = 300
QUICK_RUNS = 30
DELTAS = 5
LIGHT_RUNS = 10
STAMP = "@"  # a delta's text: "@<time the model yielded it>"


@tool
def lookup(n: int) -> str:
    """Look a number up.

    Args:
        n: the number.
    """
    return f"found {n}"


class StampedModel:
    """One tool call, then `DELTAS` text deltas each carrying the time it was yielded."""

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """The chunks of one turn."""
        if request.messages[-1].role != "tool":
            yield ToolCallChunk(0, id="call-1", name="lookup", arguments='{"n": 1}')
            return
        for _ in range(DELTAS):
            yield TextChunk(f"{STAMP}{time.time():.6f} ")


agent = AgentBuilder().model(StampedModel()).tools(lookup).build()
"""`remi serve benchmarks.scale_out:agent`."""


@dataclass(slots=True)
class Measure:
    """One configuration's numbers."""

    servers: int
    backend: str
    runs: int
    completed: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def runs_per_second(self) -> float:
        """Completed runs per second of wall time."""
        return self.completed / self.seconds if self.seconds else 0.0

    def percentile(self, q: int) -> float | None:
        """The q-th percentile of event latency, in ms."""
        if len(self.latencies_ms) < 2:
            return None
        return statistics.quantiles(self.latencies_ms, n=100)[q - 1]


@contextmanager
def serving(db: str, count: int) -> Iterator[list[str]]:
    """`count` `remi serve benchmarks.scale_out:agent` processes on `db`; their roots."""
    processes: list[subprocess.Popen[bytes]] = []
    roots: list[str] = []
    try:
        for _ in range(count):
            port = free_port()
            command = [
                sys.executable, "-m", "remi_web.cli.main", "serve", "benchmarks.scale_out:agent",
                "--port", str(port), "--db", db, "--log-level", "error", "--insecure-no-auth",
            ]
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            processes.append(process)
            roots.append(f"http://127.0.0.1:{port}")
            wait_until_healthy(process, roots[-1] + "/healthz", "the agent server")
        yield roots
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def one_run(client: httpx.AsyncClient, root: str, number: int, into: Measure) -> None:
    """One run; its deltas' latencies go into `into`."""
    body = {"input": {"type": "start", "messages": [{"role": "user", "content": str(number)}]}}
    ended = ""
    latencies: list[float] = []
    async with client.stream("POST", root + "/v1/runs", json=body) as response:
        response.raise_for_status()
        kind = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                if kind == "text_delta":
                    text = json.loads(line[6:])["text"]
                    latencies.append((time.time() - float(text.strip()[1:])) * 1000)
                ended = kind
    if ended == "done":
        into.completed += 1
        into.latencies_ms.extend(latencies)


async def drive(roots: list[str], runs: int, into: Measure) -> None:
    """`runs` concurrent runs over `roots`, round-robin."""
    limits = httpx.Limits(max_connections=runs + 10, max_keepalive_connections=runs + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(one_run(client, roots[i % len(roots)], i, into) for i in range(runs)),
            return_exceptions=True,
        )
        into.seconds = time.perf_counter() - started


def measure_one(db: str, backend: str, servers: int, runs: int) -> Measure:
    """Warm up, measure throughput with `runs` at once, then event latency with
    `LIGHT_RUNS` at once (latency at saturation is only queueing)."""
    with serving(db, servers) as roots:
        asyncio.run(drive(roots, LIGHT_RUNS, Measure(servers, backend, LIGHT_RUNS)))
        result = Measure(servers, backend, runs)
        asyncio.run(drive(roots, runs, result))
        light = Measure(servers, backend, LIGHT_RUNS)
        for _ in range(5):
            asyncio.run(drive(roots, LIGHT_RUNS, light))
        result.latencies_ms = light.latencies_ms
        return result


def measure(runs: int) -> list[Measure]:
    """SQLite with one server, then Postgres with 1, 2 and 3 servers (a fresh database each)."""
    results: list[Measure] = []
    with ExitStack() as stack:
        scratch = stack.enter_context(tempfile.TemporaryDirectory())
        results.append(measure_one(os.path.join(scratch, "runs.db"), "sqlite", 1, runs))
        if postgres_bin() is None:
            return results
        cluster = stack.enter_context(ThrowawayPostgres(durable=True))
        for servers in (1, 2, 3):
            results.append(measure_one(cluster.create_database(), "postgres", servers, runs))
    return results


def run(config: Config) -> Outcome:
    """The rows of `python -m benchmarks`."""
    runs = QUICK_RUNS if config.quick else RUNS
    results = measure(runs)
    rows: list[Row] = []
    one = next((m for m in results if m.backend == "postgres" and m.servers == 1), None)
    for m in results:
        label = f"{m.backend}, {m.servers} server{'s' if m.servers > 1 else ''}"
        note = f"{m.completed}/{m.runs} done; latency p50 {m.percentile(50) or 0:.1f} ms, p99 {m.percentile(99) or 0:.1f} ms"
        if m.backend == "postgres" and m.servers == 2 and one is not None:
            rows.append(Row(NAME, f"{runs} runs/s, {label}", m.runs_per_second, "postgres, 1 server",
                            one.runs_per_second, better="higher", target=">= 1.5x one server",
                            met=m.runs_per_second >= 1.5 * one.runs_per_second, note=note))
        else:
            rows.append(Row(NAME, f"{runs} runs/s, {label}", m.runs_per_second, better="higher", note=note))
        rows.append(Row(NAME, f"event latency p99 ms ({LIGHT_RUNS} runs at once), {label}",
                        m.percentile(99), note=f"p50 {m.percentile(50) or 0:.1f} ms"))
    details: dict[str, JsonValue] = {
        f"{m.backend}-{m.servers}": {
            "runs": m.runs, "completed": m.completed, "seconds": m.seconds,
            "runs_per_second": m.runs_per_second, "p50_ms": m.percentile(50), "p99_ms": m.percentile(99),
        }
        for m in results
    }
    return Outcome(rows, details)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the numbers of each configuration."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_out")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"concurrent runs (default {RUNS})")
    args = parser.parse_args(argv)
    for m in measure(args.runs):
        print(f"{m.backend:8} {m.servers} server(s): {m.completed}/{m.runs} runs in "
              f"{m.seconds:.2f} s = {m.runs_per_second:.1f} runs/s; event latency p50 "
              f"{m.percentile(50) or 0:.1f} ms, p99 {m.percentile(99) or 0:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
