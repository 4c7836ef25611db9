"""The deep-agent demo file (web/deep_agent.py) behind the worker bridge, on the mock model over
HTTP: the plan, three sub-agents and the summary stream to the page, then its files are listed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from remi_web import MemoryStore
from remi_web.browser import start_bridge

DEMO = Path(__file__).resolve().parents[2] / "web" / "deep_agent.py"


async def test_the_deep_demo_runs_in_the_bridge_and_lists_its_files(mock_llm: str) -> None:
    messages: list[dict[str, Any]] = []
    bridge = start_bridge(DEMO.read_text(), lambda text: messages.append(json.loads(text)),
                          "deep_agent.py", MemoryStore())
    settings = {"base_url": mock_llm, "model": "mock"}
    await bridge.handle(json.dumps(
        {"op": "send", "thread_id": "t1", "text": "research solar power", "settings": settings}
    ))
    events = [m["event"] for m in messages if m["kind"] == "event"]
    assert events[-1]["type"] == "done" and "/summary.md" in events[-1]["text"]
    plans = [e["data"]["todos"] for e in events if e["type"] == "custom" and e["name"] == "todo"]
    assert [t["status"] for t in plans[-1]] == ["completed"] * 4
    assert len({e["parent_call_id"] for e in events if e["type"] == "sub_session"}) == 3

    await bridge.handle(json.dumps({"op": "files"}))
    listed = messages[-1]
    assert listed["kind"] == "files"
    assert [f["path"] for f in listed["files"]] == [
        "/notes/background.md", "/notes/options.md", "/notes/risks.md", "/summary.md"
    ]
    assert all(f["size"] > 0 for f in listed["files"])
