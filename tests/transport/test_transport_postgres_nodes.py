"""Several `remi serve` processes on one Postgres database serve one deployment: a run
started on one server is resumed, answered, read live and cancelled through another, and a
dead server's runs are taken over by another once their leases expire."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from server_process import ServerProcess, executions

from remi_web import ChatRequest, Done, HttpAgent, InterruptEvent, Message, Start
from remi_web.core.events import Cancelled, RunResumed, RunStart, TextDelta
from remi_web.core.requests import Resume

Servers = Callable[..., ServerProcess]


@pytest.fixture
async def servers(postgres_dsn: str, tmp_path: Path) -> AsyncIterator[Servers]:
    """Starts `remi serve cluster_agent:agent` processes on the test's database; all are
    stopped at the end."""
    started: list[ServerProcess] = []
    side = tmp_path / "executions.txt"

    async def start(name: str, *args: str) -> ServerProcess:
        server = ServerProcess(
            "cluster_agent:agent", postgres_dsn, tmp_path, name=name, args=args,
            env={"REMI_TEST_SIDE_FILE": str(side), "REMI_NODE_NAME": name},
        )
        started.append(server)
        await server.start()
        return server

    yield start  # type: ignore[misc]
    for server in started:
        server.stop()


async def events_of(agent: HttpAgent, request: ChatRequest) -> list[object]:
    return [event async for event in agent.chat(request)]


def start(text: str) -> ChatRequest:
    return ChatRequest(Start([Message.user(text)]))


async def replay(root: str, run_id: str, after: int = 0) -> list[tuple[int, str]]:
    """(id, event type) of every logged event of the run after `after`, read from `root`."""
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.get(
            f"{root}/v1/runs/{run_id}/events", headers={"last-event-id": str(after)}
        )
    lines = response.text.splitlines()
    ids = [int(line[4:]) for line in lines if line.startswith("id: ")]
    kinds = [line[7:] for line in lines if line.startswith("event: ")]
    return list(zip(ids, kinds))


async def test_a_run_paused_on_one_server_is_approved_through_another(servers: Servers) -> None:
    a, b = await servers("node-a"), await servers("node-b")
    on_a, on_b = HttpAgent(a.root), HttpAgent(b.root)
    try:
        first = await events_of(on_a, start("charge 7"))
        pause = first[-1]
        assert isinstance(pause, InterruptEvent)
        (interrupt,) = pause.interrupts
        assert (await on_b.status(pause.run_id)).status == "interrupted"
        answer = Resume(
            pause.run_id, {interrupt.interrupt_id: {"approved": True}},
            tokens={interrupt.interrupt_id: interrupt.token or ""},
        )
        second = await events_of(on_b, ChatRequest(answer))
    finally:
        await on_a.aclose()
        await on_b.aclose()
    assert isinstance(second[0], RunResumed) and isinstance(second[-1], Done)
    assert "charged 7" in second[-1].text
    log = await replay(a.root, pause.run_id)  # one log, numbered across both servers
    assert [i for i, _ in log] == list(range(1, len(log) + 1))
    kinds = [k for _, k in log]
    assert kinds.count("run_start") == 1 and kinds.count("run_resumed") == 1
    assert kinds[-1] == "done" and "interrupt" in kinds
    assert executions(a.folder / "executions.txt")[("charge", pause.run_id, "call-7")] == 1


async def test_an_approval_counts_once_across_servers(servers: Servers) -> None:
    a, b = await servers("node-a"), await servers("node-b")
    async with HttpAgent(a.root) as on_a:
        pause = (await events_of(on_a, start("charge 8")))[-1]
    assert isinstance(pause, InterruptEvent)
    (interrupt,) = pause.interrupts
    body = {"input": {
        "type": "resume", "run_id": pause.run_id,
        "payloads": {interrupt.interrupt_id: {"approved": True}},
        "tokens": {interrupt.interrupt_id: interrupt.token},
    }}

    async def answer(root: str) -> int:
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(f"{root}/v1/runs/{pause.run_id}/resume", json=body)
            await response.aread()
            return response.status_code

    statuses = await asyncio.gather(*(answer(root) for root in (a.root, b.root, a.root, b.root)))
    assert sorted(statuses) == [200, 409, 409, 409], statuses
    async with HttpAgent(b.root) as on_b:
        for _ in range(200):  # bounded: the winner's stream may still be running
            if (await on_b.status(pause.run_id)).status == "done":
                break
            await asyncio.sleep(0.05)
        assert (await on_b.status(pause.run_id)).status == "done"
    assert executions(a.folder / "executions.txt")[("charge", pause.run_id, "call-8")] == 1


async def test_tool_results_are_answered_through_another_server(servers: Servers) -> None:
    from remi_web.core.model_io import ToolDefinition
    from remi_web.core.outcome import ToolOutcome
    from remi_web.core.events import NeedToolExecution

    a, b = await servers("node-a"), await servers("node-b")
    lookup = ToolDefinition("lookup", "Look up.", {"type": "object", "properties": {
        "n": {"type": "integer"}}, "required": ["n"]})
    async with HttpAgent(a.root) as on_a, HttpAgent(b.root) as on_b:
        need = (await events_of(on_a, ChatRequest(Start([Message.user("lookup 3")]),
                                                  tools=[lookup])))[-1]
        assert isinstance(need, NeedToolExecution)
        assert (await on_b.status(need.run_id)).status == "awaiting_tools"
        (call,) = need.calls
        done = (await events_of(on_b, ChatRequest.tool_results(
            need.run_id, [ToolOutcome(call.id, "three")])))[-1]
    assert isinstance(done, Done) and "three" in done.text


async def test_a_reader_on_another_server_replays_then_tails_the_live_run(
    servers: Servers,
) -> None:
    a, b = await servers("node-a"), await servers("node-b")
    async with HttpAgent(a.root) as on_a, HttpAgent(b.root) as on_b:
        stream = on_a.chat(start("slow 60"))
        opening = await anext(stream)
        assert isinstance(opening, RunStart)
        run_id = opening.run_id
        await until_a_delta(stream)
        writer = asyncio.create_task(events_of_rest(stream))
        seen_by_b = await on_b.status(run_id)
        assert seen_by_b.status == "running"  # live elsewhere, and b says so
        tailed = await replay(b.root, run_id, after=3)
        written = await writer
    assert isinstance(written[-1], Done)
    assert tailed[0][0] == 4 and [i for i, _ in tailed] == list(range(4, tailed[-1][0] + 1))
    assert tailed[-1][1] == "done"
    # the reader got events logged after it subscribed: it followed the run live
    assert tailed[-1][0] > seen_by_b.last_event_id


async def until_a_delta(stream: AsyncIterator[object]) -> None:
    """Read the stream up to its first text delta (the run is mid-turn)."""
    while not isinstance(await anext(stream), TextDelta):
        pass


async def events_of_rest(stream: AsyncIterator[object]) -> list[object]:
    return [event async for event in stream]


async def test_a_cancel_sent_to_another_server_stops_the_run_where_it_streams(
    servers: Servers,
) -> None:
    a, b = await servers("node-a"), await servers("node-b")
    async with HttpAgent(a.root) as on_a, HttpAgent(b.root) as on_b:
        stream = on_a.chat(start("slow 400"))
        opening = await anext(stream)
        assert isinstance(opening, RunStart)
        await until_a_delta(stream)
        rest = asyncio.create_task(events_of_rest(stream))
        info = await on_b.cancel(opening.run_id)
        events = await rest
    assert info.status == "cancelled"
    assert isinstance(events[-1], Cancelled)
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) < 399  # stopped well before the model's 400 deltas
    log = await replay(b.root, opening.run_id)
    assert [k for _, k in log].count("cancelled") == 1 and log[-1][1] == "cancelled"


async def test_a_killed_servers_run_is_taken_over_by_another_once_its_lease_expires(
    servers: Servers,
) -> None:
    # Different node names: b cannot see a's process die, it waits for the lease (2 s).
    a = await servers("node-a", "--lease", "2", "--recover-every", "0.3")
    b = await servers("node-b", "--lease", "2", "--recover-every", "0.3")
    async with HttpAgent(a.root) as on_a:
        stream = on_a.chat(start("slow 100"))
        opening = await anext(stream)
        assert isinstance(opening, RunStart)
        await until_a_delta(stream)
        a.kill()
        try:  # the stream breaks (or ends with an error event): its server is gone
            async for _ in stream:
                pass
        except Exception:
            pass
    log: list[tuple[int, str]] = []
    async with HttpAgent(b.root) as on_b:
        for _ in range(300):  # bounded: ~30 s
            info = await on_b.status(opening.run_id)
            if info.status == "done":
                break
            await asyncio.sleep(0.1)
        assert info.status == "done"
    log = await replay(b.root, opening.run_id)
    kinds = [k for _, k in log]
    assert [i for i, _ in log] == list(range(1, len(log) + 1))
    assert kinds.count("run_start") == 1 and "run_resumed" in kinds and kinds[-1] == "done"
    assert "incomplete_stream" not in json.dumps(log)
