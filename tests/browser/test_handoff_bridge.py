"""The worker's hand-off ops where no server answers (runs natively and in the Pyodide lane):
a hand-off queued offline keeps the run marked moved in the page's store, with its bundle; a
hand-off that cannot be done is refused with its reason and the run stays resumable here.
With a server: test_handoff_bridge_server.py (native only)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from remi_web import AgentBuilder, MemoryStore, ScriptedModel, ToolCall, tool
from remi_web.browser import BrowserSettings, WorkerBridge
from remi_web.core.ids import ThreadId
from remi_web.core.run_bundle import import_run

pytestmark = pytest.mark.pyodide

NOWHERE = "http://127.0.0.1:9"
"""A server URL nothing answers at (the discard port, closed on loopback)."""
YES = {"approved": True}


@tool(requires_approval=True)
def save_note(text: str) -> str:
    """Save a note.

    Args:
        text: what to save.
    """
    return f"Saved note: {text}"


@tool
def echo(text: str) -> str:
    """Say it back.

    Args:
        text: what to say.
    """
    return text


class Page:
    """What the page would receive: every posted JSON message, parsed."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def post(self, text: str) -> None:
        self.messages.append(json.loads(text))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["kind"] == kind]

    def events(self) -> list[dict[str, Any]]:
        return [m["event"] for m in self.messages if m["kind"] == "event"]


class Worker:
    """A page's worker bridge over one store, with the hand-off settings it is given."""

    def __init__(self, model: ScriptedModel, **settings: str) -> None:
        self.store = MemoryStore()
        self.page = Page()
        self.settings = {"agent_url": NOWHERE, **settings}
        builder = AgentBuilder().model(model).tools(save_note, echo)
        self.agent = builder.store(self.store).build()
        self.bridge = WorkerBridge(lambda settings: self.agent, self.store, self.page.post)

    async def send(self, op: str, **fields: Any) -> list[dict[str, Any]]:
        """Post one command; the messages it answered with."""
        before = len(self.page.messages)
        await self.bridge.handle(json.dumps({"op": op, "settings": self.settings, **fields}))
        return self.page.messages[before:]

    async def paused_run(self, thread: str) -> dict[str, Any]:
        """A run of `thread` paused on the note's approval: its `interrupt` event."""
        await self.send("send", thread_id=thread, text="note milk")
        interrupt = self.page.events()[-1]
        assert interrupt["type"] == "interrupt", interrupt
        return interrupt

    async def resume(self, thread: str, interrupt: dict[str, Any]) -> dict[str, Any]:
        """Approve the paused run here; its last event."""
        payloads = {interrupt["interrupts"][0]["interrupt_id"]: YES}
        await self.send("resume", thread_id=thread, run_id=interrupt["run_id"], payloads=payloads)
        return self.page.events()[-1]


def note_model() -> ScriptedModel:
    return ScriptedModel([[ToolCall("save_note", {"text": "milk"})], ["Saved."]])


async def test_a_handoff_asked_offline_is_queued_with_its_bundle_and_the_run_is_read_only_here() -> None:
    worker = Worker(note_model())
    interrupt = await worker.paused_run("t1")
    (queued,) = await worker.send("handoff", thread_id="t1", offline=True)
    (history,) = await worker.send("open", thread_id="t1")
    last = await worker.resume("t1", interrupt)

    assert queued["kind"] == "handoff_queued" and queued["run_id"] == interrupt["run_id"]
    assert queued["to"] == NOWHERE and "once the page is back online" in queued["message"]
    bundle = queued["bundle"]
    assert (bundle["format"], bundle["run_id"], bundle["status"]) == ("remi-run", interrupt["run_id"], "interrupted")
    assert bundle["pending_interrupts"][0]["token"] is None
    assert history["moved"] == {"run_id": interrupt["run_id"], "to": NOWHERE}
    assert history["pending"] is None  # no approval asked in the page any more
    assert [m["role"] for m in history["messages"]] == ["user", "assistant"]  # nothing lost
    assert last["type"] == "error" and f"was handed off to {NOWHERE}" in last["message"]


async def test_a_handoff_to_a_server_that_cannot_be_reached_is_queued_not_lost() -> None:
    worker = Worker(note_model())
    interrupt = await worker.paused_run("t1")
    (queued,) = await worker.send("handoff", thread_id="t1")
    again = await worker.send("handoff", thread_id="t1", bundle=queued["bundle"])

    assert queued["kind"] == "handoff_queued" and queued["bundle"]["run_id"] == interrupt["run_id"]
    assert NOWHERE in queued["message"]
    assert [m["kind"] for m in again] == ["handoff_queued"]  # still unreachable: still queued
    assert again[0]["bundle"] == queued["bundle"]


async def test_a_queued_bundle_is_not_sent_once_the_run_went_on_in_the_page() -> None:
    worker = Worker(note_model())
    interrupt = await worker.paused_run("t1")
    (queued,) = await worker.send("handoff", thread_id="t1", offline=True)
    await import_run(worker.store, queued["bundle"], worker.agent.tools.names())  # back here, by hand
    done = await worker.resume("t1", interrupt)
    (refused,) = await worker.send("handoff", thread_id="t1", bundle=queued["bundle"])

    assert done["type"] == "done"
    assert (refused["kind"], refused["code"]) == ("handoff_refused", "handoff_unavailable")
    assert "changed in this page since its hand-off was queued" in refused["message"]


async def test_a_handoff_needs_a_server_in_the_settings_and_the_agent_in_the_page() -> None:
    worker = Worker(note_model(), agent_url="")
    interrupt = await worker.paused_run("t1")
    (no_server,) = await worker.send("handoff", thread_id="t1")
    worker.settings = {"agent_url": NOWHERE, "mode": "remote"}
    (remote,) = await worker.send("take_back", run_id=interrupt["run_id"])
    worker.settings = {"agent_url": NOWHERE}
    (no_thread,) = await worker.send("handoff")
    (no_run,) = await worker.send("handoff", thread_id="empty")
    (not_moved,) = await worker.send("follow", thread_id="t1", run_id=interrupt["run_id"], after=0)
    done = await worker.resume("t1", interrupt)

    assert {m["kind"] for m in (no_server, remote, no_thread, no_run, not_moved)} == {"handoff_refused"}
    assert no_server["code"] == "handoff_unavailable" and "Agent URL" in no_server["message"]
    assert (no_server["op"], no_server["thread_id"]) == ("handoff", "t1")
    assert remote["op"] == "take_back" and "agent in the page" in remote["message"]
    assert "`thread_id` must be a non-empty string" in no_thread["message"]
    assert "has no run" in no_run["message"]
    assert not_moved["op"] == "follow" and "was not handed off" in not_moved["message"]
    assert done["type"] == "done"  # every refusal left the run here, resumable


async def test_a_run_streaming_its_next_turn_in_the_page_is_not_handed_off() -> None:
    # after a tool round, the store says "tools_executed" while the next model call streams
    turns = [[ToolCall("echo", {"text": "hi"})], ["word "] * 100]
    worker = Worker(ScriptedModel(turns, chunk_delay=0.01))
    run = asyncio.ensure_future(worker.send("send", thread_id="t1", text="go"))
    for _ in range(500):  # bounded: until the second turn streams
        if any(e["type"] == "text_delta" for e in worker.page.events()):
            break
        await asyncio.sleep(0.01)
    statuses = [c.status for c in await worker.store.list_checkpoints(ThreadId("t1"))]
    refused = await worker.send("handoff", thread_id="t1")
    await run

    assert statuses[-1] == "tools_executed"
    assert [(m["kind"], m["code"]) for m in refused] == [("handoff_refused", "run_in_flight")]
    assert "streaming in this page" in refused[0]["message"]
    assert worker.page.events()[-1]["type"] == "done"  # the run went on, untouched
    assert worker.page.of("handoff_queued") == []
