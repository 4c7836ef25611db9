"""Load and fault test of a Postgres deployment: 3 `remi serve` processes on one database,
600 concurrent runs spread over them round-robin (one tool call each: half need an approval,
given through another server than the one that started the run), one server killed with
SIGKILL mid-load.

Every run ends (done, or waits on an `uncertain_outcome` interrupt for the tool that is not
idempotent, caught in flight), none is lost, none runs its tool twice; each log is numbered
without gap or repeat. Loopback only, bounded in count and time.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from server_process import ServerProcess, executions

RUNS = 600
SERVERS = 3
ENDS = ("done", "error", "cancelled", "interrupt", "need_tool_execution")


@dataclass
class Run:
    """What the client knows of one run."""

    index: int
    run_id: str | None = None
    last_id: int = 0
    last: tuple[str, dict[str, object]] | None = None  # the latest pause or end, with its data
    started_on: int = -1
    resumed_on: int = -1
    failovers: int = 0
    log: list[int] = field(default_factory=list)


class Client:
    """Drives the runs over the servers, moving to another server when one dies."""

    def __init__(self, servers: list[ServerProcess], http: httpx.AsyncClient) -> None:
        self.servers, self.http = servers, http
        self.dead: set[int] = set()

    def alive(self, first: int) -> list[int]:
        """Server indexes to try, starting at `first`, the dead ones left out."""
        order = [(first + k) % len(self.servers) for k in range(len(self.servers))]
        return [i for i in order if i not in self.dead]

    async def read(self, run: Run, response: httpx.Response) -> None:
        """Read an event stream into `run`: every id received (repeats would show), its last
        pause or end."""
        kind, ident = "", 0
        async for line in response.aiter_lines():
            if line.startswith("id: "):
                ident = int(line[4:])
            elif line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                run.log.append(ident)
                run.last_id = max(run.last_id, ident)
                if kind in ENDS:
                    run.last = (kind, json.loads(line[6:]))

    async def post(self, run: Run, path: str, body: dict[str, object], first: int) -> int:
        """POST an event-stream request to a live server (the next one while none answers);
        the index of the server that took it. A stream cut mid-way is followed elsewhere."""
        for attempt in range(60):  # bounded
            for index in self.alive(first + attempt):
                answered = False
                try:
                    async with self.http.stream(
                        "POST", self.servers[index].root + path, json=body
                    ) as response:
                        answered = True
                        if response.status_code == 409 and run.run_id is not None:
                            await self.follow(run, index)  # already taken: follow the run
                            return index
                        assert response.status_code == 200, (path, response.status_code)
                        run.run_id = run.run_id or response.headers["x-remi-run-id"]
                        await self.read(run, response)
                        if run.last is None:  # over without its end: read on from the log
                            await self.follow(run, index + 1)
                except httpx.TransportError:
                    if not answered:
                        continue  # not taken, or its server died taking it: ask the next one
                    run.failovers += 1
                    await self.follow(run, index + 1)
                return index
            await asyncio.sleep(0.2)
        raise AssertionError(f"run {run.index}: no server took {path}")

    async def follow(self, run: Run, first: int) -> None:
        """Read the run's events after the last one seen, from any live server, until it
        pauses or ends (another server takes it over if its own died)."""
        for attempt in range(300):  # bounded
            index = self.alive(first + attempt)[0]
            try:
                async with self.http.stream(
                    "GET", f"{self.servers[index].root}/v1/runs/{run.run_id}/events",
                    headers={"last-event-id": str(run.last_id)},
                ) as response:
                    assert response.status_code == 200, response.status_code
                    await self.read(run, response)
            except httpx.TransportError:
                run.failovers += 1
            if run.last is not None:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"run {run.run_id} never paused or ended")

    async def drive(self, run: Run) -> None:
        """Start the run, answer its approval through another server, follow it to its end."""
        verb = "charge" if run.index % 2 == 0 else "work"
        start = {"input": {"type": "start", "messages": [
            {"role": "user", "content": f"{verb} {run.index}"}]}}
        run.last = None
        run.started_on = await self.post(run, "/v1/runs", start, run.index % SERVERS)
        assert run.last is not None, run
        kind, data = run.last
        if kind == "interrupt" and data["interrupts"][0]["kind"] == "approval":  # type: ignore[index]
            (pending,) = data["interrupts"]  # type: ignore[misc]
            iid = pending["interrupt_id"]
            answer = {"input": {"type": "resume", "run_id": run.run_id,
                                "payloads": {iid: {"approved": True}},
                                "tokens": {iid: pending["token"]}}}
            run.last = None
            run.resumed_on = await self.post(
                run, f"/v1/runs/{run.run_id}/resume", answer, run.started_on + 1
            )


@pytest.mark.timeout(600)
async def test_600_runs_on_3_servers_with_one_killed_lose_nothing_and_run_nothing_twice(
    postgres_dsn: str, tmp_path: Path
) -> None:
    side = tmp_path / "executions.txt"
    servers = [
        ServerProcess(
            "cluster_agent:agent", postgres_dsn, tmp_path, name=f"node-{i}",
            env={"REMI_TEST_SIDE_FILE": str(side)},
            args=("--lease", "10", "--recover-every", "0.5", "--reconnect-grace", "30"),
        )
        for i in range(SERVERS)
    ]
    await asyncio.gather(*(server.start() for server in servers))
    runs = [Run(i) for i in range(RUNS)]
    try:
        limits = httpx.Limits(max_connections=2 * RUNS, max_keepalive_connections=0)
        timeout = httpx.Timeout(60, connect=5)
        async with httpx.AsyncClient(timeout=timeout, limits=limits) as http:
            client = Client(servers, http)
            drivers = asyncio.gather(*(client.drive(run) for run in runs))
            for _ in range(1200):  # bounded: ~60 s; kill once a third of the tools ran
                if sum(executions(side).values()) >= RUNS // 3:
                    break
                await asyncio.sleep(0.05)
            killed_at = sum(executions(side).values())
            client.dead.add(1)
            servers[1].kill()
            await drivers
    finally:
        for server in servers:
            server.stop()

    counts = executions(side)
    ended = Counter(run.last[0] if run.last else "nothing" for run in runs)
    lost = [run.index for run in runs if run.last is None or run.last[0] not in ("done", "interrupt")]
    uncertain = [run for run in runs if run.last and run.last[0] == "interrupt"]
    twice = [call for call, n in counts.items() if call[0] == "charge" and n > 1]
    moved = sum(1 for run in runs if run.resumed_on not in (-1, run.started_on))
    print(f"\nkilled after {killed_at} tool calls; ends {dict(ended)}; "
          f"{len(uncertain)} uncertain; {sum(r.failovers for r in runs)} failovers; "
          f"{moved} resumed on another server")
    assert 0 < killed_at < RUNS  # the kill came mid-load
    assert lost == [], [runs[i] for i in lost]
    assert twice == []
    for run in uncertain:  # waits on an uncertain outcome: a charge caught in flight
        (pending,) = run.last[1]["interrupts"]  # type: ignore[index, misc]
        assert pending["kind"] == "uncertain_outcome" and pending["tool_name"] == "charge"
    for run in runs:
        assert run.log == list(range(1, len(run.log) + 1)), run  # no gap, no repeat
        if run.last and run.last[0] == "done":  # its one call ran: charge once, work >= once
            ran = {call: n for call, n in counts.items() if call[1] == run.run_id}
            ((name, _, _), n), = ran.items()
            assert n == 1 or name == "work", (run, ran)
    assert moved >= RUNS // 3
