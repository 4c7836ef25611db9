"""LangSmithTracer's requests, through a scripted transport (no sockets: runs in Pyodide too)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from trace_helpers import drain, traced_agent

from remi_web import (
    ChatRequest,
    ConfigurationError,
    InterruptEvent,
    MemoryStore,
    NeedToolExecution,
    ScriptedModel,
    ToolCall,
    ToolDefinition,
    ToolOutcome,
    ToolResult,
)
from remi_web.core.ids import derive_span_id, run_span_id
from remi_web.testing.scripted_transport import ScriptedResponse, ScriptedTransport
from remi_web.tracing import LangSmithTracer, TraceExportError

pytestmark = pytest.mark.pyodide

KEY = "lsv2_pt_0123456789abcdef"
ENV = {"LANGSMITH_API_KEY": KEY, "LANGSMITH_ENDPOINT": "https://ls.test/api/", "LANGSMITH_PROJECT": "remi"}


def accepted(n: int = 10) -> list[ScriptedResponse | Exception]:
    return [ScriptedResponse(202, {}, [b"{}"]) for _ in range(n)]


def tracer_with(transport: ScriptedTransport) -> LangSmithTracer:
    return LangSmithTracer(environ=ENV, transport=transport, retry_delay=0.0)


def bodies(transport: ScriptedTransport) -> list[tuple[str, str, Any]]:
    return [(r.method, r.url, json.loads(r.body or b"null")) for r in transport.requests]


def test_configuration_comes_from_the_environment() -> None:
    tracer = LangSmithTracer(environ=ENV)
    assert (tracer.endpoint, tracer.project) == ("https://ls.test/api", "remi")
    assert KEY not in repr(tracer)
    defaults = LangSmithTracer(environ={"LANGSMITH_API_KEY": KEY})
    assert (defaults.endpoint, defaults.project) == ("https://api.smith.langchain.com", "default")
    with pytest.raises(ConfigurationError, match="LANGSMITH_API_KEY"):
        LangSmithTracer(environ={})


async def test_a_run_is_one_batch_sent_at_its_end() -> None:
    transport = ScriptedTransport(accepted())
    tracer = tracer_with(transport)
    sent_during_the_run: list[int] = []
    agent = traced_agent(ScriptedModel([[ToolCall("balance")], ["You have 100."]]), tracer)
    async for event in agent.chat("balance?"):
        if isinstance(event, ToolResult):
            sent_during_the_run.append(len(transport.requests))
    await tracer.flush()
    assert sent_during_the_run == [0]
    [(method, url, body)] = bodies(transport)
    assert (method, url) == ("POST", "https://ls.test/api/runs/batch")
    headers = transport.requests[0].headers
    assert headers["x-api-key"] == KEY and headers["content-type"] == "application/json"
    assert body["patch"] == []
    root, llm1, tool, llm2 = body["post"]
    assert [r["run_type"] for r in body["post"]] == ["chain", "llm", "tool", "llm"]
    assert [r["name"] for r in body["post"]] == ["AgentLoop", "model", "balance", "model"]
    assert {r["session_name"] for r in body["post"]} == {"remi"}
    assert {r["trace_id"] for r in body["post"]} == {root["id"]}
    assert "parent_run_id" not in root
    assert {r["parent_run_id"] for r in (llm1, tool, llm2)} == {root["id"]}
    assert root["dotted_order"].endswith("Z" + root["id"])
    for child in (llm1, tool, llm2):
        head, segment = child["dotted_order"].split(".")
        assert head == root["dotted_order"] and segment.endswith("Z" + child["id"])
    assert root["outputs"]["output"] == "You have 100." and root["outputs"]["status"] == "done"
    assert root["end_time"] >= root["start_time"]
    assert llm1["outputs"]["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "balance"
    assert llm1["outputs"]["choices"][0]["finish_reason"] == "tool_calls"
    assert llm2["outputs"]["usage_metadata"]["total_tokens"] > 0
    assert llm2["events"][0]["name"] == "new_token"
    assert tool["inputs"] == {"arguments": {}} and tool["outputs"] == {"output": "100"}
    assert KEY not in (transport.requests[0].body or b"").decode()


async def test_interrupt_and_resume_elsewhere_update_the_same_root() -> None:
    store = MemoryStore()
    first_transport, second_transport = ScriptedTransport(accepted()), ScriptedTransport(accepted())
    first_tracer, second_tracer = tracer_with(first_transport), tracer_with(second_transport)
    script = [[ToolCall("transfer", {"amount": 5})], ["Sent."]]
    pause = (await drain(traced_agent(ScriptedModel(script), first_tracer, store).chat("pay")))[-1]
    assert isinstance(pause, InterruptEvent)
    await first_tracer.flush()
    [(_, _, first)] = bodies(first_transport)
    root, llm, paused = first["post"]
    assert root["outputs"]["status"] == "interrupted"
    assert root["outputs"]["interrupts"][0]["payload"] == {"amount": 5}
    assert paused["outputs"]["interrupt"]["kind"] == "approval"

    other = traced_agent(ScriptedModel([script[1]]), second_tracer, store)
    payloads = {pause.interrupts[0].interrupt_id: "yes"}
    await drain(other.chat(ChatRequest.resume(pause.run_id, payloads)))
    await second_tracer.flush()
    [(_, _, second)] = bodies(second_transport)
    resumed_tool, llm2 = second["post"]
    [root_update] = second["patch"]
    assert root_update["id"] == root["id"] == run_span_id(None, pause.run_id)
    assert root_update["dotted_order"] == root["dotted_order"]
    assert root_update["trace_id"] == root["id"] and root_update["outputs"]["status"] == "done"
    assert resumed_tool["name"] == "transfer" and resumed_tool["id"] != paused["id"]
    assert resumed_tool["inputs"] == {"arguments": {"amount": 5}, "resume_value": "yes"}
    assert resumed_tool["outputs"] == {"output": "sent"}
    assert llm2["id"] == derive_span_id(root["id"], "model:2")
    for run in (resumed_tool, llm2):
        assert run["parent_run_id"] == root["id"] and run["trace_id"] == root["id"]
        assert run["dotted_order"].startswith(root["dotted_order"] + ".")
    start = datetime.fromisoformat(root["start_time"]).strftime("%Y%m%dT%H%M%S%fZ")
    assert root["dotted_order"] == start + root["id"]


async def test_an_external_tool_answered_elsewhere_is_patched_by_id() -> None:
    store = MemoryStore()
    first_transport, second_transport = ScriptedTransport(accepted()), ScriptedTransport(accepted())
    first_tracer, second_tracer = tracer_with(first_transport), tracer_with(second_transport)
    script = [[ToolCall("crm", {"q": "ann"}, id="ext1")], ["Found."]]
    request = ChatRequest(ChatRequest.user("find").input, tools=[ToolDefinition("crm", "CRM.")])
    handoff = (await drain(traced_agent(ScriptedModel(script), first_tracer, store).chat(request)))[-1]
    assert isinstance(handoff, NeedToolExecution)
    other = traced_agent(ScriptedModel([script[1]]), second_tracer, store)
    results = [ToolOutcome("ext1", "ann@example.com")]
    await drain(other.chat(ChatRequest.tool_results(handoff.run_id, results)))
    await first_tracer.flush()
    await second_tracer.flush()
    [(_, _, first)] = bodies(first_transport)
    external = first["post"][2]
    assert external["run_type"] == "tool" and "end_time" not in external
    assert external["extra"]["metadata"]["external"] is True
    (m1, u1, batch), (m2, u2, patch) = bodies(second_transport)
    assert (m1, u1) == ("POST", "https://ls.test/api/runs/batch")
    assert (m2, u2) == ("PATCH", f"https://ls.test/api/runs/{external['id']}")
    assert patch["outputs"] == {"output": "ann@example.com"} and "end_time" in patch
    assert [r["run_type"] for r in batch["post"]] == ["llm"] and len(batch["patch"]) == 1


async def test_transient_failures_are_retried_and_hard_ones_reported_by_flush() -> None:
    flaky = ScriptedTransport([ScriptedResponse.json(503, {"detail": "busy"}), *accepted()])
    tracer = tracer_with(flaky)
    await drain(traced_agent(ScriptedModel([["hi"]]), tracer).chat("go"))
    await tracer.flush()
    assert [r.url for r in flaky.requests] == ["https://ls.test/api/runs/batch"] * 2

    denied = ScriptedTransport([ScriptedResponse.json(401, {"detail": f"bad key {KEY}"})])
    tracer = tracer_with(denied)
    events = await drain(traced_agent(ScriptedModel([["hi"]]), tracer).chat("go"))
    assert events[-1].type == "done"  # the run never noticed
    with pytest.raises(TraceExportError, match="HTTP 401") as caught:
        await tracer.flush()
    assert KEY not in str(caught.value)
    await tracer.flush()  # reported once: the next flush is clean
