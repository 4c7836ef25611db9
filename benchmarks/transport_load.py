"""Scenario: load on the agent server. N runs at once (200 by default), each a remote
`HttpAgent` run with one calculator tool call, against one `remi serve` process on the mock
model (`remi mock-llm`, its own process). Reports runs per second, and checks that every run
completed and that every event the clients received is the server's event log, in order,
none lost or repeated.

Run: `.venv/bin/python -m benchmarks.transport_load [--runs 200] [--json PATH]`
(or `python -m benchmarks --only transport_load`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import httpx
from pydantic import JsonValue

from remi_web import AgentBuilder, AgentLoop, HttpAgent, Store, event_to_json, tool
from remi_web.http import HttpRequest, HttpResponse
from remi_web.model import OpenAIModel
from remi_web.http.httpx_transport import HttpxTransport
from remi_web.testing.mock_policy import evaluate, format_number
from remi_web.http.sse import SseDecoder

from .config import Config
from .mock_process import free_port, mock_server, wait_until_healthy
from .report import Outcome, Row

NAME = "transport_load"
RUNS = 200
QUICK_RUNS = 20
MODEL_URL_ENV = "REMI_LOAD_MODEL_URL"
LOAD_TIMEOUT_S = 300.0


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3 * 4".
    """
    return format_number(evaluate(expression))


class ShardedTransport:
    """Spreads requests over several httpx clients: one httpx pool slows down as its
    connection count grows (it scans every connection per request), and the default pool
    holds only 100 connections.

    Args:
        shards: how many clients.
        per_shard: connections each client may hold.
    """

    def __init__(self, shards: int = 8, per_shard: int = 64) -> None:
        limits = httpx.Limits(max_connections=per_shard, max_keepalive_connections=per_shard)
        tls = httpx.create_ssl_context()
        self._clients = [
            httpx.AsyncClient(timeout=None, limits=limits, verify=tls) for _ in range(shards)
        ]
        self._shards = [HttpxTransport(client) for client in self._clients]
        self._next = 0

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send `request` on the next client in turn."""
        shard = self._shards[self._next]
        self._next = (self._next + 1) % len(self._shards)
        return await shard.send(request)

    async def aclose(self) -> None:
        """Close every client."""
        for client in self._clients:
            await client.aclose()


def unbounded_transport() -> ShardedTransport:
    """A transport for hundreds of concurrent streams (8 pools of 64 connections)."""
    return ShardedTransport()


def agent_on(model_url: str, store: Store) -> AgentLoop:
    """The served agent: a calculator on the mock model at `model_url`, keeping its runs in
    the server's `store`."""
    model = OpenAIModel("mock", base_url=model_url, api_key="load", transport=unbounded_transport())
    return AgentBuilder().model(model).tools(calculator).store(store).build()


def load_agent(store: Store) -> AgentLoop:
    """`remi serve benchmarks.transport_load:load_agent` (the model URL from the
    `REMI_LOAD_MODEL_URL` environment variable)."""
    return agent_on(os.environ[MODEL_URL_ENV], store)


@dataclass(slots=True)
class LoadReport:
    """What a load run saw.

    Args:
        runs: runs started.
        completed: runs that ended with `done` and the right answer.
        events: events the clients received, in all.
        seconds: wall time from the first request to the last event.
        failures: one line per run that did not complete.
        unaccounted: one line per run whose events differ from the server's log.
    """

    runs: int
    completed: int = 0
    events: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    unaccounted: list[str] = field(default_factory=list)

    @property
    def runs_per_second(self) -> float:
        """Completed runs per second of wall time."""
        return self.completed / self.seconds if self.seconds > 0 else 0.0


async def one_run(agent: HttpAgent, number: int) -> tuple[str, list[str]]:
    """Run "what is N+N*2?"; the run id and the JSON of every event received."""
    received: list[str] = []
    async for event in agent.chat(f"what is {number}+{number}*2?"):
        received.append(event_to_json(event))
    final = json.loads(received[-1])
    expected = format_number(number + number * 2)
    if final["type"] != "done" or expected not in final["text"]:
        raise AssertionError(f"run {number} ended with {received[-1][:200]}")
    return str(final["run_id"]), received


async def logged(client: httpx.AsyncClient, root: str, run_id: str) -> list[tuple[int, str]]:
    """The server's log of a run: (id, event JSON) of every event, from `Last-Event-ID` 0."""
    decoder = SseDecoder()
    frames: list[tuple[int, str]] = []
    async with client.stream("GET", f"{root}/v1/runs/{run_id}/events") as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            frames.extend((int(e.id or 0), e.data) for e in decoder.feed(chunk))
    frames.extend((int(e.id or 0), e.data) for e in decoder.finish())
    return frames


async def drive(root: str, runs: int, *, token: str | None = None) -> LoadReport:
    """`runs` concurrent runs against the server at `root`, then the accounting."""
    transport = unbounded_transport()
    agent = HttpAgent(root, token, transport=transport)
    report = LoadReport(runs)
    started = time.perf_counter()
    async with asyncio.timeout(LOAD_TIMEOUT_S):
        results = await asyncio.gather(
            *(one_run(agent, number) for number in range(runs)), return_exceptions=True
        )
    report.seconds = time.perf_counter() - started
    done: list[tuple[str, list[str]]] = []
    for number, result in enumerate(results):
        if isinstance(result, BaseException):
            report.failures.append(f"run {number}: {type(result).__name__}: {result}")
        else:
            done.append(result)
    report.completed = len(done)
    report.events = sum(len(events) for _, events in done)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(timeout=60, headers=headers, limits=limits) as client:
        logs = await asyncio.gather(*(logged(client, root, run_id) for run_id, _ in done))
    for (run_id, received), log in zip(done, logs, strict=True):
        ids = [sequence for sequence, _ in log]
        if ids != list(range(1, len(log) + 1)):
            report.unaccounted.append(f"run {run_id}: log ids {ids[:5]}... are not 1..{len(log)}")
        elif [json.loads(data) for _, data in log] != [json.loads(e) for e in received]:
            report.unaccounted.append(
                f"run {run_id}: received {len(received)} events, the log holds {len(log)}"
            )
    await agent.aclose()
    return report


@contextmanager
def agent_server(model_url: str) -> Iterator[str]:
    """`remi serve benchmarks.transport_load:load_agent` on a free loopback port and a fresh
    database; yields its root URL."""
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            sys.executable, "-m", "remi_web.cli.main", "serve",
            "benchmarks.transport_load:load_agent", "--host", "127.0.0.1", "--port", str(port),
            "--db", os.path.join(scratch, "runs.db"), "--log-level", "error",
            "--insecure-no-auth",
        ]
        env = {**os.environ, MODEL_URL_ENV: model_url}
        env.pop("REMI_API_TOKEN", None)
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        root = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(process, root + "/healthz", "the agent server")
            yield root
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def measure(runs: int) -> LoadReport:
    """One load run against server and model processes of its own."""
    with mock_server() as model_url, agent_server(model_url) as root:
        asyncio.run(drive(root, min(runs, 5)))  # warm up (imports, connections, the database)
        return asyncio.run(drive(root, runs))


def run(config: Config) -> Outcome:
    """The scenario of `python -m benchmarks`: one row, runs per second."""
    runs = QUICK_RUNS if config.quick else RUNS
    report = measure(runs)
    complete = report.completed == runs and not report.unaccounted
    note = (
        f"{report.events} events, all accounted for"
        if complete
        else f"INCOMPLETE: {len(report.failures)} failed, {len(report.unaccounted)} unaccounted"
    )
    rows = [
        Row(NAME, f"{runs} concurrent remote runs/s", report.runs_per_second, better="higher",
            note=f"one server process, mock model in another; {note}"),
    ]
    details: dict[str, JsonValue] = {
        key: value for key, value in asdict(report).items() if not isinstance(value, list)
    }
    details["failures"] = list(report.failures[:10])
    details["unaccounted"] = list(report.unaccounted[:10])
    details["runs_per_second"] = report.runs_per_second
    return Outcome(rows, details)


def main(argv: Sequence[str] | None = None) -> int:
    """Print runs per second (and the accounting); exit 1 if a run is missing."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.transport_load")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"concurrent runs (default {RUNS})")
    parser.add_argument("--json", help="also write the report as JSON here")
    args = parser.parse_args(argv)
    report = measure(args.runs)
    print(
        f"{report.completed}/{report.runs} runs completed in {report.seconds:.2f} s: "
        f"{report.runs_per_second:.1f} runs/s; {report.events} events, "
        f"{len(report.unaccounted)} runs unaccounted"
    )
    for line in report.failures[:10] + report.unaccounted[:10]:
        print("  " + line)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({**asdict(report), "runs_per_second": report.runs_per_second}, out, indent=2)
    return 0 if report.completed == report.runs and not report.unaccounted else 1


if __name__ == "__main__":
    raise SystemExit(main())
