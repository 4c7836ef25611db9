"""The long-horizon mock scenario: a deep agent on the mock model plans three research steps,
hands them to three sub-agents in parallel, writes a summary and answers. Natively over real
HTTP (the mock LLM server on loopback), and in process (so the Pyodide lane runs it)."""

from __future__ import annotations

import json
import pytest
from helpers import collect, of_type

from remi_web import Custom, Done, SubSession, ToolResult
from remi_web.deep import DeepAgentBuilder
from remi_web.stores.memory import MemoryStore
from remi_web.testing.mock_deep import ASPECTS
from remi_web.testing.mock_model import MockModel
from remi_web.tools import VirtualFS


def check_the_scenario(events: list[object], files: VirtualFS) -> None:
    done = events[-1]
    assert isinstance(done, Done) and "/summary.md" in done.text
    plans = [e.data["todos"] for e in of_type(events, Custom) if e.name == "todo"]  # type: ignore[index, call-overload]
    assert len(plans) == 3
    assert [t["status"] for t in plans[-1]] == ["completed"] * 4
    subs = of_type(events, SubSession)
    assert len({e.parent_call_id for e in subs}) == 3  # three sub-agents
    assert sum(1 for e in subs if e.event["type"] == "done") == 3  # type: ignore[index, call-overload]
    for aspect in ASPECTS:
        assert files.read_bytes(f"/notes/{aspect}.md").startswith(b"Notes: Research the")
    assert files.read_bytes("/summary.md").startswith(b"# research solar power")
    reports = [str(e.content) for e in of_type(events, ToolResult) if e.name == "task"]
    assert len(reports) == 3 and all(r.startswith("Finished:") for r in reports)


@pytest.mark.pyodide
async def test_the_mock_scenario_in_process() -> None:
    files = VirtualFS()
    agent = DeepAgentBuilder().model(MockModel()).store(MemoryStore()).workspace(files).build()

    events = await collect(agent.chat("research solar power"))

    check_the_scenario(events, files)  # type: ignore[arg-type]


async def test_the_mock_scenario_over_http(mock_llm: str) -> None:
    from remi_web.model import OpenAIModel

    files = VirtualFS()
    model = OpenAIModel("mock", base_url=mock_llm, api_key="none")
    agent = DeepAgentBuilder().model(model).store(MemoryStore()).workspace(files).build()

    events = await collect(agent.chat("research solar power"))

    check_the_scenario(events, files)  # type: ignore[arg-type]
    assert json.dumps(files.snapshot())  # the workspace is plain JSON
