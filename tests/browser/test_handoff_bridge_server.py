"""The worker's hand-off ops against a real `remi serve` app (uvicorn on loopback, the mock
model): the page's run goes to the server and its events follow into the page while it is
approved there; a server's run comes into the page and finishes there; a hand-off queued
offline goes once online; refusals leave the run where it was. Native only: a server cannot
run inside Pyodide (the ops' page-only cases are in test_handoff_bridge.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from handoff.handoff_helpers import NOTE, Side, page_agent, serving, the_interrupt
from helpers import collect

from remi_web import ChatRequest, CheckpointEvent, HttpAgent, Store
from remi_web.browser import BrowserSettings, WorkerBridge
from remi_web.browser.handoff_bridge import HandoffBridge
from remi_web.browser.server_follow import follow_server_run
from remi_web.http.default import default_transport
from remi_web.http.errors import NetworkError
from remi_web.http.transport import HttpRequest, HttpResponse
from remi_web.core.ids import RunId, ThreadId
from remi_web.core.loop import AgentLoop
from remi_web.remote.errors import RemoteRunNotFound

YES = {"approved": True}
TOKEN = "handoff-bridge-token-0123456789"


class Page:
    """What the page would receive: every posted JSON message, parsed."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def post(self, text: str) -> None:
        self.messages.append(json.loads(text))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["kind"] == kind]

    def followed(self) -> list[dict[str, Any]]:
        return [m["event"] for m in self.of("followed")]


class PageWorker:
    """The worker of one page: its store, its bridge (runs), its hand-off bridge."""

    def __init__(self, agent: AgentLoop[Any, Any], server: str) -> None:
        self.agent = agent
        self.page = Page()
        self.settings = BrowserSettings(agent_url=server, agent_token=TOKEN)
        store: Store = agent.store
        self.bridge = WorkerBridge(lambda settings: agent, store, self.page.post)
        self.handoffs = HandoffBridge(
            store, self.page.post, lambda settings: agent, lambda: None, poll_seconds=0.02
        )

    async def op(self, op: str, **fields: Any) -> dict[str, Any]:
        """Carry out a hand-off op; the message it answered with."""
        before = len(self.page.messages)
        await self.handoffs.handle(op, fields, self.settings)
        return self.page.messages[before]

    async def follow(self, thread_id: str, run_id: str, after: int) -> None:
        """Start following a handed-off run (it answers with `followed` events as they come)."""
        command = {"thread_id": thread_id, "run_id": run_id, "after": after, "follow_id": "f1"}
        await self.handoffs.handle("follow", command, self.settings)
        assert self.page.of("handoff_refused") == []

    async def run(self, op: str, **fields: Any) -> list[dict[str, Any]]:
        """Carry out `send` or `resume` through the worker bridge; the run's events."""
        before = len(self.page.messages)
        await self.bridge.handle(json.dumps({"op": op, **fields}))
        return [m["event"] for m in self.page.messages[before:] if m["kind"] == "event"]


class Network:
    """An HTTP transport whose network can be cut: while `down`, every request fails as an
    unreachable server does (a `NetworkError`), and is counted."""

    def __init__(self) -> None:
        self.down = False
        self.failures = 0
        self._real = default_transport()

    async def send(self, request: HttpRequest) -> HttpResponse:
        if self.down:
            self.failures += 1
            raise NetworkError(f"cannot reach {request.url}: the network is down")
        return await self._real.send(request)

    async def aclose(self) -> None:
        await self._real.aclose()


async def wait_for_followed(page: Page, kind: str) -> dict[str, Any]:
    """The first followed event of type `kind` (waits for it, bounded)."""
    for _ in range(1500):  # at most ~15 s
        found = [e for e in page.followed() if e["type"] == kind]
        if found:
            return found[0]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no followed {kind!r} event: {[e['type'] for e in page.followed()]}")


async def test_a_paused_page_run_continues_on_the_server_and_its_events_follow_into_the_page(
    mock_llm: str, tmp_path: Path
) -> None:
    side, server = Side(), Side()
    worker = PageWorker(page_agent(mock_llm, side), "")
    async with serving(mock_llm, server, tmp_path, token=TOKEN) as root, \
            HttpAgent(root, TOKEN) as approver:
        worker.settings = BrowserSettings(agent_url=root, agent_token=TOKEN)
        interrupt = (await worker.run("send", thread_id="t-1", text=NOTE))[-1]
        run_id, iid = interrupt["run_id"], interrupt["interrupts"][0]["interrupt_id"]
        moved = await worker.op("handoff", thread_id="t-1")
        await worker.follow("t-1", run_id, moved["after"])
        assert worker.page.followed() == []  # it waits there for its approval
        approved = await collect(approver.chat(ChatRequest.resume(RunId(run_id), {iid: YES})))
        done = await wait_for_followed(worker.page, "done")
        assert worker.handoffs.following is not None
        await worker.handoffs.following
        again = await worker.op("handoff", thread_id="t-1", run_id=run_id)
        here = await worker.run("resume", thread_id="t-1", run_id=run_id, payloads={iid: YES})
        await worker.bridge.handle(json.dumps({"op": "open", "thread_id": "t-1"}))
        history = worker.page.of("history")[-1]

    assert moved["kind"] == "handed_off" and moved["run_id"] == run_id
    assert moved["to"] == root and moved["status_url"] == f"{root}/v1/runs/{run_id}"
    assert moved["status"] == "interrupted"
    followed = worker.page.of("followed")
    assert [e["type"] for e in worker.page.followed()] == [e.type for e in approved]
    assert {(m["thread_id"], m["run_id"], m["follow_id"]) for m in followed} == {("t-1", run_id, "f1")}
    assert [m["seq"] for m in followed] == sorted({m["seq"] for m in followed})
    assert min(m["seq"] for m in followed) == moved["after"] + 1
    assert done["run_id"] == run_id and "buy milk" in done["text"]
    assert server.ledger.notes == ["buy milk"] and side.ledger.notes == []  # it ran there, once
    assert (again["kind"], again["code"]) == ("handoff_refused", "run_moved")
    assert here[-1]["type"] == "error" and f"was handed off to {root}" in here[-1]["message"]
    assert history["moved"] == {"run_id": run_id, "to": root} and history["pending"] is None
    assert [m["role"] for m in history["messages"]] == ["user", "assistant"]  # nothing lost


async def test_a_server_run_is_taken_back_into_the_page_finishes_there_and_never_twice(
    mock_llm: str, tmp_path: Path
) -> None:
    side, server = Side(), Side()
    worker = PageWorker(page_agent(mock_llm, side), "")
    async with serving(mock_llm, server, tmp_path, token=TOKEN) as root, \
            HttpAgent(root, TOKEN) as source:
        worker.settings = BrowserSettings(agent_url=root, agent_token=TOKEN)
        started = await collect(source.chat(ChatRequest.user(NOTE, ThreadId("srv-1"))))
        interrupt = the_interrupt(started)
        run_id, iid = interrupt.run_id, interrupt.interrupts[0].interrupt_id
        taken = await worker.op("take_back", run_id=run_id, to="http://page.example/")
        await worker.bridge.handle(json.dumps({"op": "open", "thread_id": "srv-1"}))
        history = worker.page.of("history")[-1]
        finished = await worker.run("resume", thread_id="srv-1", run_id=run_id, payloads={iid: YES})
        status = await source.status(run_id)
        second = await worker.op("take_back", run_id=run_id)
        async with httpx.AsyncClient(timeout=30) as client:
            raw = await client.get(
                f"{root}/v1/runs/{run_id}/export", headers={"authorization": f"Bearer {TOKEN}"}
            )

    assert taken == {
        "kind": "taken_back", "thread_id": "srv-1", "run_id": run_id, "status": "interrupted",
        "title": NOTE,
    }
    assert history["pending"]["interrupts"][0]["interrupt_id"] == iid
    assert history["moved"] is None and history["last_run"] == {"run_id": run_id, "status": "interrupted"}
    assert finished[0]["type"] == "run_resumed" and finished[-1]["type"] == "done"
    assert side.ledger.notes == ["buy milk"] and server.ledger.notes == []  # it ran here, once
    assert status.status == "moved"
    assert (second["kind"], second["op"], second["code"]) == ("handoff_refused", "take_back", "run_moved")
    assert raw.status_code == 409 and raw.json()["error"]["code"] == "run_moved"


async def test_a_handoff_queued_offline_goes_once_online_and_an_upload_with_a_lost_answer_counts(
    mock_llm: str, tmp_path: Path
) -> None:
    side, server = Side(), Side()
    worker = PageWorker(page_agent(mock_llm, side), "")
    async with serving(mock_llm, server, tmp_path, token=TOKEN) as root, \
            HttpAgent(root, TOKEN) as target:
        worker.settings = BrowserSettings(agent_url=root, agent_token=TOKEN)
        first = (await worker.run("send", thread_id="q-1", text=NOTE))[-1]
        second = (await worker.run("send", thread_id="q-2", text=NOTE))[-1]
        queued = await worker.op("handoff", thread_id="q-1", offline=True)
        lost = await worker.op("handoff", thread_id="q-2", offline=True)
        blocked = await worker.run(
            "resume", thread_id="q-1", run_id=first["run_id"],
            payloads={first["interrupts"][0]["interrupt_id"]: YES},
        )
        with pytest.raises(RemoteRunNotFound):  # nothing went while "offline"
            await target.status(first["run_id"])
        await target.import_run(lost["bundle"])  # q-2's upload arrived, its answer did not
        sent = await worker.op("handoff", thread_id="q-1", bundle=queued["bundle"])
        resent = await worker.op("handoff", thread_id="q-2", bundle=lost["bundle"])
        status = await target.status(first["run_id"])

    assert queued["kind"] == "handoff_queued" and queued["run_id"] == first["run_id"]
    assert queued["to"] == root and queued["bundle"]["run_id"] == first["run_id"]
    assert "was handed off" in blocked[-1]["message"]  # marked moved while queued: never here
    assert (sent["kind"], sent["status"]) == ("handed_off", "interrupted")
    assert sent["after"] > 0
    assert (resent["kind"], resent["run_id"], resent["after"]) == ("handed_off", second["run_id"], 0)
    assert status.status == "interrupted" and status.pending_interrupts[0].token


async def test_a_handoff_the_server_refuses_leaves_the_run_in_the_page(
    mock_llm: str, tmp_path: Path
) -> None:
    side, server = Side(), Side()
    worker = PageWorker(page_agent(mock_llm, side), "")

    async with serving(mock_llm, server, tmp_path, token=TOKEN) as root:
        worker.settings = BrowserSettings(agent_url=root, agent_token="not-the-token")
        interrupt = (await worker.run("send", thread_id="r-1", text=NOTE))[-1]
        refused = await worker.op("handoff", thread_id="r-1")
        worker.settings = BrowserSettings(agent_url=root, agent_token=TOKEN)
        finished = await worker.run(
            "resume", thread_id="r-1", run_id=interrupt["run_id"],
            payloads={interrupt["interrupts"][0]["interrupt_id"]: YES},
        )

    assert (refused["kind"], refused["op"], refused["code"]) == ("handoff_refused", "handoff", "unauthorized")
    assert refused["thread_id"] == "r-1"
    assert finished[-1]["type"] == "done" and side.ledger.notes == ["buy milk"]
    assert server.ledger.notes == []


async def test_a_page_run_between_turns_makes_its_next_model_call_on_the_server_and_shows_it(
    mock_llm: str, tmp_path: Path
) -> None:
    side, server = Side(), Side()
    agent = page_agent(mock_llm, side)
    stream = agent.chat(ChatRequest.user("What is 2+3?", ThreadId("b-1")))
    async for event in stream:  # the page stops right after the tool round's checkpoint
        if isinstance(event, CheckpointEvent) and event.status == "tools_executed":
            break
    await stream.aclose()  # type: ignore[attr-defined]
    worker = PageWorker(agent, "")
    async with serving(mock_llm, server, tmp_path, token=TOKEN) as root:
        worker.settings = BrowserSettings(agent_url=root, agent_token=TOKEN)
        moved = await worker.op("handoff", thread_id="b-1")
        await worker.follow("b-1", event.run_id, moved["after"])
        done = await wait_for_followed(worker.page, "done")
        assert worker.handoffs.following is not None
        await worker.handoffs.following

    assert moved["status"] == "stalled"
    assert worker.page.followed()[0]["type"] == "run_resumed"
    assert done["run_id"] == event.run_id and "5" in done["text"]


async def test_following_a_server_run_outlives_the_network_going_down_and_loses_no_event(
    mock_llm: str, tmp_path: Path
) -> None:
    server = Side()
    network = Network()
    followed: list[tuple[str, int]] = []
    async with serving(mock_llm, server, tmp_path, token=TOKEN) as root, \
            HttpAgent(root, TOKEN) as user, HttpAgent(root, TOKEN, transport=network) as page:
        interrupt = the_interrupt(await collect(user.chat(ChatRequest.user(NOTE, ThreadId("n-1")))))
        run_id, iid = interrupt.run_id, interrupt.interrupts[0].interrupt_id
        paused_at = (await user.status(run_id)).last_event_id
        network.down = True
        follow = asyncio.ensure_future(follow_server_run(
            page, run_id, paused_at, lambda event, seq: followed.append((event.type, seq)),
            poll_seconds=0.01,
        ))
        for _ in range(1000):  # bounded: until the page tried and failed a few times
            if network.failures >= 3:
                break
            await asyncio.sleep(0.01)
        approved = await collect(user.chat(ChatRequest.resume(run_id, {iid: YES})))
        assert not follow.done()  # still waiting for the network, not failed
        network.down = False
        last = await asyncio.wait_for(follow, 30)

    assert network.failures >= 3
    assert [kind for kind, _ in followed] == [e.type for e in approved]  # each one, once
    assert [seq for _, seq in followed] == list(range(paused_at + 1, last + 1))
    assert followed[-1][0] == "done" and server.ledger.notes == ["buy milk"]
