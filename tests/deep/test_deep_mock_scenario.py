"""The long-horizon mock scenario: a deep agent on the mock model plans three research steps,
hands them to three sub-agents in parallel, writes a summary and answers. Natively over real
HTTP (the mock LLM server on loopback), and in process (so the Pyodide lane runs it)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from helpers import collect, of_type

from remi_web import ChatCtx, Custom, Done, SubSession, ToolResult
from remi_web.core.model_io import ModelChunk, ModelRequest, TextChunk, ToolCallChunk
from remi_web.deep import DeepAgentBuilder
from remi_web.stores.memory import MemoryStore
from remi_web.testing.mock_deep import ASPECTS, deep_reply
from remi_web.testing.mock_policy import plan_reply
from remi_web.tools import VirtualFS


class InProcessMock:
    """The mock model's replies without HTTP: requests put in wire form, replies as chunks."""

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """One reply of the mock policy."""
        messages = [
            {"role": m.role, "content": m.content if isinstance(m.content, str) else "",
             "tool_call_id": m.tool_call_id,
             "tool_calls": [{"id": c.id, "type": "function",
                             "function": {"name": c.name, "arguments": c.arguments}}
                            for c in m.tool_calls]}
            for m in request.messages
        ]
        tools = [{"type": "function", "function": {"name": t.name}} for t in request.tools]
        reply = deep_reply(messages, tools) or plan_reply(messages, tools)  # type: ignore[arg-type]
        if reply.text:
            yield TextChunk(reply.text)
        for index, call in enumerate(reply.tool_calls):
            yield ToolCallChunk(index, id=f"call-{len(request.messages)}-{index}", name=call.name,
                                arguments=call.arguments)


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
    agent = DeepAgentBuilder().model(InProcessMock()).store(MemoryStore()).workspace(files).build()

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
