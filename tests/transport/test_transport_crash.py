"""Fault injection: `remi serve` on SQLite with 200 concurrent runs (one tool call each, half
of the tools idempotent) is killed with SIGKILL at three different moments and restarted.

Every run the clients learned of ends, or waits on an `uncertain_outcome` interrupt; no run
is lost; no call of the tool that is not idempotent runs twice (the tools count their own
executions in a side file). Loopback only, bounded in count and time.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections import Counter
from pathlib import Path

import httpx
import pytest
from server_process import ServerProcess, executions

RUNS = 200

AGENT_MODULE = '''
import asyncio, os, random
from remi_web import AgentBuilder, ToolCtx, tool
from remi_web.core.model_io import TextChunk, ToolCallChunk

SIDE = os.environ["REMI_TEST_SIDE_FILE"]


def executed(tool_name, ctx):
    line = f"{tool_name} {ctx.chat.run_id} {ctx.call_id}\\n".encode()
    fd = os.open(SIDE, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, line)  # one write: a whole line, whatever kills the process after
    finally:
        os.close(fd)


@tool(idempotent=True)
async def work(n: int, ctx: ToolCtx) -> str:
    """Compute something (idempotent)."""
    executed("work", ctx)
    await asyncio.sleep(random.uniform(0.05, 0.6))
    return f"worked {n}"


@tool
async def charge(n: int, ctx: ToolCtx) -> str:
    """Charge a card (not idempotent)."""
    executed("charge", ctx)
    await asyncio.sleep(random.uniform(0.05, 0.6))
    return f"charged {n}"


class Model:
    """One tool call per run (the user says which), then an answer."""

    async def chat(self, request, ctx):
        last = request.messages[-1]
        await asyncio.sleep(random.uniform(0, 0.2))
        if last.role == "tool":
            yield TextChunk(f"finished after {last.content}")
            return
        name, n = str(last.content).split()
        yield ToolCallChunk(0, id=f"call-{n}", name=name, arguments='{"n": %s}' % n)


agent = AgentBuilder().model(Model()).tools(work, charge).build()
'''


def crash_server(folder: Path, side: Path) -> ServerProcess:
    """`remi serve` of the crash agent on the folder's SQLite file (1 s leases)."""
    return ServerProcess(
        "crash_agent:agent", str(folder / "runs.db"), folder,
        env={"REMI_TEST_SIDE_FILE": str(side)}, args=("--lease", "1", "--recover-every", "0.3"),
    )


async def start_run(client: httpx.AsyncClient, root: str, text: str, known: set[str]) -> None:
    """Start one run and read its stream until it ends or the server dies."""
    body = json.dumps({"input": {"type": "start", "messages": [
        {"role": "user", "content": text}]}}).encode()
    try:
        async with client.stream("POST", root + "/v1/runs", content=body,
                                 headers={"content-type": "application/json"}) as response:
            run_id = response.headers.get("x-remi-run-id")
            if run_id:
                known.add(run_id)
            async for _ in response.aiter_bytes():
                pass
    except httpx.HTTPError:
        pass  # the server was killed: the run, if it got an id, is recovered later


async def wait_until_settled(root: str, runs: set[str]) -> dict[str, dict[str, object]]:
    """Every run's `RunInfo` once each has ended or waits on an uncertain outcome."""
    settled: dict[str, dict[str, object]] = {}
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(300):  # bounded: ~60 s
            for run_id in sorted(runs - set(settled)):
                info = (await client.get(f"{root}/v1/runs/{run_id}")).json()
                status = info.get("status")
                uncertain = status == "interrupted" and all(
                    i["kind"] == "uncertain_outcome" for i in info["pending_interrupts"])
                if status in ("done", "failed", "cancelled") or uncertain:
                    settled[run_id] = info
            if len(settled) == len(runs):
                return settled
            await asyncio.sleep(0.2)
    raise AssertionError(f"{len(runs) - len(settled)} run(s) never settled: "
                         f"{sorted(runs - set(settled))[:5]}")


@pytest.mark.timeout(600)
@pytest.mark.parametrize("kill_after", [20, 90, 170])
async def test_a_server_killed_mid_load_loses_no_run_and_runs_no_tool_twice(
    tmp_path: Path, kill_after: int
) -> None:
    (tmp_path / "crash_agent.py").write_text(textwrap.dedent(AGENT_MODULE))
    side = tmp_path / "executions.txt"
    server = crash_server(tmp_path, side)
    await server.start()
    known: set[str] = set()
    try:
        limits = httpx.Limits(max_connections=RUNS + 10)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            texts = [f"{'work' if i % 2 else 'charge'} {i}" for i in range(RUNS)]
            clients = [asyncio.create_task(start_run(client, server.root, t, known)) for t in texts]
            for _ in range(600):  # bounded: ~30 s; kill once `kill_after` tools have run
                if sum(executions(side).values()) >= kill_after:
                    break
                await asyncio.sleep(0.05)
            server.kill()
            await asyncio.gather(*clients)
        killed_at = sum(executions(side).values())

        restarted = crash_server(tmp_path, side)
        await restarted.start()
        try:
            settled = await wait_until_settled(restarted.root, known)
            async with httpx.AsyncClient(timeout=5) as client:
                logs = {
                    run_id: (await client.get(f"{restarted.root}/v1/runs/{run_id}/events",
                                              headers={"last-event-id": "0"})).text
                    for run_id in sorted(known)[:20]
                }
        finally:
            restarted.stop()
    finally:
        server.stop()

    counts = executions(side)
    assert known and killed_at >= kill_after
    twice = [call for call, n in counts.items() if call[0] == "charge" and n > 1]
    assert twice == []  # no call of the tool that is not idempotent ran twice
    statuses = Counter(str(info["status"]) for info in settled.values())
    assert set(statuses) <= {"done", "interrupted"}, statuses
    for run_id, info in settled.items():
        ran = {call: n for call, n in counts.items() if call[1] == run_id}
        if info["status"] == "done":  # its one call ran: `charge` once, `work` at least once
            ((name, _, _), n), = ran.items()
            assert n == 1 or name == "work", (run_id, ran)
        else:  # uncertain: a `charge` call recorded as started (it may not have got far)
            (pending,) = info["pending_interrupts"]  # type: ignore[misc]
            assert pending["tool_name"] == "charge"
            assert counts[("charge", run_id, pending["call_id"])] <= 1
    for run_id, text in logs.items():  # one log per run, continued after the restart
        ids = [int(line[4:]) for line in text.splitlines() if line.startswith("id: ")]
        assert ids == list(range(1, len(ids) + 1)), run_id
        assert text.count("event: run_start") == 1
