"""The worker bridge: page commands in, wire events out (runs natively and in the Pyodide lane)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from remi_web import AgentBuilder, MemoryStore, ScriptedModel, ToolCall, tool
from remi_web.browser import BrowserSettings, WorkerBridge
from remi_web.tools import VirtualFS

pytestmark = pytest.mark.pyodide


@tool(requires_approval=True)
def save_note(text: str) -> str:
    """Save a note.

    Args:
        text: what to save.
    """
    return f"Saved note: {text}"


class Page:
    """What the page would receive: every posted JSON message, parsed."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def post(self, text: str) -> None:
        self.messages.append(json.loads(text))

    def events(self) -> list[dict[str, Any]]:
        return [m["event"] for m in self.messages if m["kind"] == "event"]


def bridge_for(model: ScriptedModel, page: Page, store: MemoryStore | None = None) -> WorkerBridge:
    where = store or MemoryStore()
    builder = AgentBuilder().model(model).tools(save_note)

    def make(settings: BrowserSettings) -> Any:
        return builder.store(where).build()

    return WorkerBridge(make, where, page.post)


def command(**fields: Any) -> str:
    return json.dumps(fields)


async def test_send_streams_the_runs_events_tagged_with_the_thread() -> None:
    page = Page()
    bridge = bridge_for(ScriptedModel([["Hel", "lo"]]), page)
    await bridge.handle(command(op="send", thread_id="t1", text="hi"))
    assert [e["type"] for e in page.events()][0] == "run_start"
    assert "".join(e["text"] for e in page.events() if e["type"] == "text_delta") == "Hello"
    assert page.events()[-1]["type"] == "done"
    assert {m["thread_id"] for m in page.messages} == {"t1"}
    assert page.messages[-1] == {"kind": "idle", "thread_id": "t1"}


async def test_an_interrupt_is_pending_in_the_history_and_resumes_the_same_run() -> None:
    page = Page()
    store = MemoryStore()
    model = ScriptedModel([[ToolCall("save_note", {"text": "milk"})], ["Saved."]])
    bridge = bridge_for(model, page, store)
    await bridge.handle(command(op="send", thread_id="t1", text="note milk"))
    interrupt = page.events()[-1]
    assert interrupt["type"] == "interrupt"

    reopened = Page()  # a reload: a new bridge over the same store
    again = bridge_for(model, reopened, store)
    await again.handle(command(op="open", thread_id="t1"))
    history = reopened.messages[-1]
    assert history["kind"] == "history"
    assert [m["role"] for m in history["messages"]] == ["user", "assistant"]
    assert history["messages"][1]["tool_calls"][0]["name"] == "save_note"
    assert history["pending"]["run_id"] == interrupt["run_id"]
    pending = history["pending"]["interrupts"][0]
    assert json.loads(pending["arguments"]) == {"text": "milk"}

    answer = {pending["interrupt_id"]: {"approved": True}}
    await again.handle(
        command(op="resume", thread_id="t1", run_id=interrupt["run_id"], payloads=answer)
    )
    done = reopened.events()[-1]
    assert (done["type"], done["run_id"]) == ("done", interrupt["run_id"])
    await again.handle(command(op="open", thread_id="t1"))
    final = reopened.messages[-1]
    assert final["pending"] is None
    assert [m["role"] for m in final["messages"]] == ["user", "assistant", "tool", "assistant"]
    assert final["messages"][2]["text"] == "Saved note: milk"


async def test_cancel_stops_the_streaming_run() -> None:
    page = Page()
    bridge = bridge_for(ScriptedModel([["word "] * 200], chunk_delay=0.01), page)
    run = asyncio.ensure_future(bridge.handle(command(op="send", thread_id="t1", text="go")))
    for _ in range(500):
        if any(e["type"] == "text_delta" for e in page.events()):
            break
        await asyncio.sleep(0.01)
    assert bridge.busy
    await bridge.handle(command(op="cancel"))
    await run
    assert page.events()[-1]["type"] == "cancelled"
    assert len([e for e in page.events() if e["type"] == "text_delta"]) < 200
    assert not bridge.busy


async def test_a_second_send_while_streaming_is_refused_without_ending_the_first() -> None:
    page = Page()
    bridge = bridge_for(ScriptedModel([["a "] * 20], chunk_delay=0.01), page)
    first = asyncio.ensure_future(bridge.handle(command(op="send", thread_id="t1", text="go")))
    await asyncio.sleep(0.02)
    await bridge.handle(command(op="send", thread_id="t1", text="again"))
    refusal = page.events()[-1]
    assert refusal["type"] == "error" and "already streaming" in refusal["message"]
    assert {"kind": "idle", "thread_id": "t1"} not in page.messages
    await first
    assert page.events()[-1]["type"] == "done"


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ("not json", "Expecting value"),
        ("[1, 2]", "must be a JSON object"),
        (command(op="dance"), "unknown op 'dance'"),
        (command(op="send", thread_id="t1", text="  "), "non-empty `text`"),
        (command(op="send", thread_id=5, text="hi"), "`thread_id` must be a non-empty string"),
        (command(op="resume", thread_id="t1", run_id="r", payloads=[]), "`payloads`"),
        (command(op="send", thread_id="t1", text="hi", settings={"mode": "moon"}), "mode"),
    ],
)
async def test_bad_commands_are_answered_with_an_error_event(message: str, says: str) -> None:
    page = Page()
    bridge = bridge_for(ScriptedModel([["never"]]), page)
    await bridge.handle(message)
    error = page.events()[-1]
    assert error["type"] == "error" and error["code"] == "bad_command"
    assert says in error["message"]


async def test_resuming_an_unknown_run_is_an_error_event_not_an_exception() -> None:
    page = Page()
    bridge = bridge_for(ScriptedModel([["never"]]), page)
    await bridge.handle(command(op="resume", thread_id="t1", run_id="nope", payloads={}))
    error = page.events()[-1]
    assert error["type"] == "error" and "nope" in error["message"]
    assert page.messages[-1]["kind"] == "idle"


async def test_delete_forgets_the_thread() -> None:
    page = Page()
    store = MemoryStore()
    bridge = bridge_for(ScriptedModel([["hi"]]), page, store)
    await bridge.handle(command(op="send", thread_id="t1", text="hello"))
    await bridge.handle(command(op="delete", thread_id="t1"))
    assert page.messages[-1] == {"kind": "deleted", "thread_id": "t1"}
    assert await store.load_messages("t1") == []  # type: ignore[arg-type]


async def test_files_lists_the_workspaces_files_with_their_sizes() -> None:
    page = Page()
    files = VirtualFS()
    files.write_bytes("/notes/a.md", b"alpha")
    files.write_bytes("/b.txt", b"hi")
    where = MemoryStore()
    builder = AgentBuilder().model(ScriptedModel([])).store(where)
    bridge = WorkerBridge(lambda settings: builder.build(), where, page.post, files)
    await bridge.handle(command(op="files"))
    listed = [{"path": "/b.txt", "size": 2}, {"path": "/notes/a.md", "size": 5}]
    assert page.messages == [{"kind": "files", "files": listed}]


async def test_files_without_a_workspace_is_an_empty_list() -> None:
    page = Page()
    bridge = bridge_for(ScriptedModel([]), page)
    await bridge.handle(command(op="files"))
    assert page.messages == [{"kind": "files", "files": []}]
