"""The official AG-UI client judges the endpoint: `@ag-ui/client`'s `HttpAgent`, under node,
runs a remi agent served on loopback through an approval and its resume
(`tests/protocols/agui_client.mjs`), parsing and verifying every event with its own schemas
and rules and building the conversation and the state from them."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from agui_helpers import TOKEN, serving

from remi_web.testing.scripted_model import Thinking, ToolCall

WEB = Path(__file__).resolve().parents[2] / "web"
SCRIPT = Path(__file__).with_name("agui_client.mjs")


def steps(add: str, save: str) -> list[dict[str, str]]:
    """The plan with the status of each of its two steps."""
    return [{"content": "Add 2 and 3", "status": add}, {"content": "Save a note", "status": save}]


PLAN, WORKING = steps("in_progress", "pending"), steps("completed", "in_progress")
DONE = steps("completed", "completed")
SCRIPTED = [
    [Thinking("A plan first."), "I'll plan first.", ToolCall("write_todos", {"todos": PLAN})],
    ["Adding, then saving.", ToolCall("write_todos", {"todos": WORKING}),
     ToolCall("add", {"a": 2, "b": 3}), ToolCall("save_note", {"text": "2 + 3 = 5"})],
    [ToolCall("write_todos", {"todos": DONE})],
    ["All done: 2 + 3 = 5, and the note is saved."],
]


def node() -> str:
    """The lane's node if set up, else the system's (the test fails without one)."""
    lane = WEB / "node_modules" / ".remi-node" / "bin" / "node"
    found = str(lane) if lane.exists() else shutil.which("node")
    if found is None or not (WEB / "node_modules" / "@ag-ui" / "client").is_dir():
        pytest.fail("node and web/node_modules/@ag-ui/client are needed (scripts/setup_web.sh)")
    return found


async def run_client(url: str) -> dict[str, Any]:
    """Run the client script against `url`; its JSON report."""
    process = await asyncio.create_subprocess_exec(
        node(), str(SCRIPT), url, TOKEN, str(WEB),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        out, err = await process.communicate()
    lines = out.decode().strip().splitlines()
    assert process.returncode == 0 and lines, f"node failed: ...{err.decode()[-1500:]}"
    report: dict[str, Any] = json.loads(lines[-1])
    assert "error" not in report, report["error"][:1500]
    return report


async def test_the_official_client_runs_the_agent_through_an_approval(tmp_path: Path) -> None:
    async with serving(SCRIPTED, tmp_path) as served:
        report = await run_client(served.root + "/v1/agui")
        async with httpx.AsyncClient(timeout=30, headers={"authorization": f"Bearer {TOKEN}"}) as client:
            thread = (await client.get(served.root + "/v1/threads/node-thread")).json()
            run = (await client.get(served.root + f"/v1/runs/{report['runs'][0]['runId']}")).json()
    first, second = report["runs"]
    # one remi run, paused then resumed, on the client's thread
    assert first["runId"] == second["runId"] == run["run_id"] and run["status"] == "done"
    assert first["threadId"] == second["threadId"] == "node-thread"
    assert [e["type"] for e in first["events"]][-1] == "RUN_FINISHED"
    (interrupt,) = report["pendingInterrupts"]
    assert interrupt["reason"] == "approval" and interrupt["metadata"]["remi"]["toolName"] == "save_note"
    assert report["pendingAfterResume"] == []
    assert served.notes == ["2 + 3 = 5"] and served.sums == [5]  # each tool ran once
    # the conversation the client built from the events
    messages = report["messages"]
    said = [m.get("content") for m in messages if m["role"] == "assistant" and m.get("content")]
    final = "All done: 2 + 3 = 5, and the note is saved."
    assert said == ["I'll plan first.", "Adding, then saving.", final]
    calls = {c["function"]["name"]: c for m in messages for c in m.get("toolCalls") or []}
    assert json.loads(calls["add"]["function"]["arguments"]) == {"a": 2, "b": 3}
    assert json.loads(calls["save_note"]["function"]["arguments"]) == {"text": "2 + 3 = 5"}
    results = {m["toolCallId"]: m["content"] for m in messages if m["role"] == "tool"}
    assert results[calls["add"]["id"]] == "5"
    assert results[calls["save_note"]["id"]] == "saved '2 + 3 = 5'"
    assert interrupt["toolCallId"] == calls["save_note"]["id"]
    assert [m["content"] for m in messages if m["role"] == "reasoning"] == ["A plan first."]
    # the state the client built from the snapshot and the JSON patches
    assert report["stateAfterPause"] == {"todos": WORKING}
    assert report["state"] == {"todos": DONE}
    plans = [json.loads(c["arguments"])["todos"]
             for m in thread["messages"] for c in m.get("tool_calls", [])
             if c["name"] == "write_todos"]
    assert plans[-1] == report["state"]["todos"]  # what the server's thread holds
