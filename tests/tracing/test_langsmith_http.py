"""LangSmithTracer against a fake LangSmith API on real loopback HTTP, and the same run shape
traced by the official `langsmith` SDK against the same server: the same run tree."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from trace_helpers import Gate, traced_agent

from remi_web import ChatRequest, InterruptEvent, MemoryStore, ScriptedModel, ToolCall, ToolResult
from remi_web.core.ids import derive_span_id, run_span_id
from remi_web.tracing import LangSmithTracer

sys.path.insert(0, str(Path(__file__).parents[1] / "model"))
from fake_langsmith import FakeLangSmith  # noqa: E402
from transport.transport_helpers import running  # noqa: E402

LANGSMITH_KEY = "lsv2_pt_feedfacecafe0123456789"
OPENAI_KEY = "sk-live-0123456789abcdefXYZ"
BEARER = "tok.en.secret"
PASSWORD = "hunter2-hunter2"
SCRIPT = [
    [ToolCall("slow_lookup", {"name": "ann"}), ToolCall("balance"),
     ToolCall("transfer", {"amount": 5})],
    ["Sent 5 to Ann."],
]


async def run_paused_and_resumed(base_url: str) -> tuple[str, dict[str, str]]:
    """The run: parallel tools and an interrupt in one process, the resume in another."""
    store = MemoryStore()
    first_tracer, second_tracer = LangSmithTracer(), LangSmithTracer()
    assert first_tracer.endpoint == base_url and first_tracer.project == "remi-test"
    gate = Gate()
    first = traced_agent(ScriptedModel(SCRIPT), first_tracer, store, gate=gate, secrets=[PASSWORD])
    request = ChatRequest(
        ChatRequest.user(f"Pay Ann 5. Key {OPENAI_KEY}, password {PASSWORD}.").input,
        metadata={"api_key": OPENAI_KEY, "authorization": f"Bearer {BEARER}", "team": "blue"},
    )
    pause = None
    async for event in first.chat(request):
        if isinstance(event, ToolResult) and event.name == "balance":
            gate.opened.set()
        pause = event
    assert isinstance(pause, InterruptEvent)
    await first_tracer.flush()
    second = traced_agent(ScriptedModel([SCRIPT[1]]), second_tracer, store, secrets=[PASSWORD])
    payloads = {pause.interrupts[0].interrupt_id: "yes"}
    async for _ in second.chat(ChatRequest.resume(pause.run_id, payloads)):
        pass
    await second_tracer.aclose()
    root = run_span_id(None, pause.run_id)
    ids = {
        "root": root,
        "model:1": derive_span_id(root, "model:1"),
        "slow_lookup": derive_span_id(root, "tool:slow_lookup:call_0_0"),
        "balance": derive_span_id(root, "tool:balance:call_0_1"),
        "transfer": derive_span_id(root, "tool:transfer:call_0_2"),
        "model:2": derive_span_id(root, "model:2"),
    }
    return pause.run_id, ids


def tree(runs: dict[str, dict[str, Any]]) -> set[tuple[str, str | None, str, str, str]]:
    return {
        (run_id, run.get("parent_run_id"), run["run_type"], run["name"], str(run["trace_id"]))
        for run_id, run in runs.items()
    }


def ancestry(runs: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Each run's chain of ids, read from its dotted order."""
    return {rid: [seg.split("Z", 1)[1] for seg in run["dotted_order"].split(".")]
            for rid, run in runs.items()}


def sdk_trace(base_url: str, shape: list[tuple[str, str, str, str | None]]) -> None:
    """Trace `shape` (id, name, run type, parent id) with the official SDK (blocking)."""
    from langsmith import Client
    from langsmith.run_trees import RunTree

    client = Client(api_url=base_url, api_key=LANGSMITH_KEY, auto_batch_tracing=False)
    made: dict[str, RunTree] = {}
    for run_id, name, run_type, parent in shape:
        if parent is None:
            made[run_id] = RunTree(id=run_id, name=name, run_type=run_type, inputs={},
                                   client=client, project_name="sdk")
        else:
            made[run_id] = made[parent].create_child(name, run_type, run_id=run_id, inputs={})
        made[run_id].post()
    for run in reversed(made.values()):
        run.end(outputs={"ok": True})
        run.patch()


async def test_runs_reach_langsmith_as_one_tree_across_interrupt_and_resume(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeLangSmith()
    async with running(fake.app()) as root:
        v1_url = root + "/v1"
        base_url = v1_url.removesuffix("/v1")
        monkeypatch.setenv("LANGSMITH_API_KEY", LANGSMITH_KEY)
        monkeypatch.setenv("LANGSMITH_ENDPOINT", base_url)
        monkeypatch.setenv("LANGSMITH_PROJECT", "remi-test")
        run_id, ids = await run_paused_and_resumed(base_url)
        ours = fake.runs("remi-test")
        resumed = [rid for rid, r in ours.items() if r["extra"]["metadata"].get("resumed")]
        assert len(resumed) == 1
        shape = [
            (ids["root"], "AgentLoop", "chain", None),
            (ids["model:1"], "model", "llm", ids["root"]),
            (ids["slow_lookup"], "slow_lookup", "tool", ids["root"]),
            (ids["balance"], "balance", "tool", ids["root"]),
            (ids["transfer"], "transfer", "tool", ids["root"]),
            (resumed[0], "transfer", "tool", ids["root"]),
            (ids["model:2"], "model", "llm", ids["root"]),
        ]
        sent_by_us = len(fake.requests)
        await asyncio.to_thread(sdk_trace, base_url, shape)

    ours_requests = fake.requests[:sent_by_us]
    batches = [r for r in ours_requests if r.path == "/runs/batch"]
    assert [(r.method, r.path) for r in ours_requests] == [("POST", "/runs/batch")] * 2
    first, second = batches[0].body, batches[1].body
    assert [r["name"] for r in first["post"]] == [
        "AgentLoop", "model", "slow_lookup", "balance", "transfer"]
    assert first["patch"] == []
    assert [r["name"] for r in second["post"]] == ["transfer", "model"]
    assert [r["id"] for r in second["patch"]] == [ids["root"]]

    # One tree: the resumed segment continues under the same root, in the same trace.
    expected = {(rid, parent, kind, name, ids["root"]) for rid, name, kind, parent in shape}
    assert tree(ours) == expected
    for rid, chain in ancestry(ours).items():
        assert chain[-1] == rid and chain[0] == ids["root"]
        assert chain[:-1] == ([] if rid == ids["root"] else [ours[rid]["parent_run_id"]])
    root = ours[ids["root"]]
    assert root["outputs"]["status"] == "done" and root["outputs"]["output"] == "Sent 5 to Ann."
    assert root["extra"]["metadata"]["run_id"] == run_id
    assert ours[ids["transfer"]]["outputs"]["interrupt"]["kind"] == "approval"
    assert ours[resumed[0]]["outputs"] == {"output": "sent"}
    assert ours[ids["model:1"]]["outputs"]["usage_metadata"]["input_tokens"] > 0
    assert ours[ids["model:2"]]["inputs"]["messages"][-1]["role"] == "tool"

    # The official SDK, tracing the same shape, gives the server the same tree.
    sdk = fake.runs("sdk")
    assert tree(sdk) == tree(ours)
    assert ancestry(sdk) == ancestry(ours)  # the same ancestry, read the server's way

    # No secret in any payload; our API key only in our x-api-key header.
    for request in fake.requests:
        raw = request.raw.decode()
        for secret in (LANGSMITH_KEY, OPENAI_KEY, BEARER, PASSWORD):
            assert secret not in raw
    assert {r.headers["x-api-key"] for r in ours_requests} == {LANGSMITH_KEY}


async def test_a_down_langsmith_never_breaks_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeLangSmith(fail_with=500)
    async with running(fake.app()) as root:
        v1_url = root + "/v1"
        tracer = LangSmithTracer(api_key=LANGSMITH_KEY, endpoint=v1_url.removesuffix("/v1"),
                                 retries=1, retry_delay=0.0)
        agent = traced_agent(ScriptedModel([["hi"]]), tracer)
        events = [event async for event in agent.chat("go")]
        assert events[-1].type == "done"
        with pytest.raises(Exception, match="HTTP 500"):
            await tracer.aclose()
    assert [r.path for r in fake.requests] == ["/runs/batch"] * 2
