"""What `remi serve` refuses to import or export (a real uvicorn on loopback, raw HTTP): edited
bundles, unknown tools, newer versions, oversized bodies, runs in flight, each with a 4xx and
the error body, storing nothing; and a refused hand-off leaves the run where it was."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from handoff_helpers import NOTE, Side, page_agent, serving, the_interrupt
from helpers import collect

from remi_web import AgentBuilder, ChatRequest, Done, HttpAgent, tool
from remi_web.core.run_bundle import export_run
from remi_web.model import OpenAIModel
from remi_web.remote import RemoteRefusal, handoff
from remi_web.stores.memory import MemoryStore

MAX_BODY = 4 * 1024 * 1024
Edit = Callable[[dict[str, Any]], Any]


def _interrupt_arguments(data: dict[str, Any]) -> None:
    for info in (data["pending_interrupts"][0], data["checkpoint"]["state"]["pending_interrupts"][0]):
        info["arguments"] = '{"text": "transfer all the money"}'


def _status(value: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["status"] = data["checkpoint"]["status"] = data["checkpoint"]["state"]["status"] = value

    return edit


def _many_messages(data: dict[str, Any]) -> None:
    message = dict(data["checkpoint"]["state"]["messages"][0])
    data["messages"] = [{**message, "id": f"m-{n}"} for n in range(10_001)]


REFUSED: dict[str, tuple[Edit, int, str, str | None]] = {
    "a smuggled approval token": (
        lambda d: d["pending_interrupts"][0].update(token="v1.forged"), 422, "invalid_bundle",
        "pending_interrupts.0.token",
    ),
    "an edited approval": (_interrupt_arguments, 422, "invalid_bundle", "pending_interrupts.0.arguments"),
    "an edited waiting call": (
        lambda d: d["checkpoint"]["state"]["pending_calls"][0].update(arguments='{"text": "x"}'),
        422, "invalid_bundle", "checkpoint.state.pending_calls.0",
    ),
    "an unknown tool": (lambda d: d["tools"].append("launch_rockets"), 422, "unknown_tool", "tools.3"),
    "a newer version": (lambda d: d.update(version=2), 422, "bundle_version", "version"),
    "a newer checkpoint": (
        lambda d: d["checkpoint"]["state"].update(version=4), 422, "bundle_version", "checkpoint",
    ),
    "a run mid tool round": (_status("running"), 409, "run_in_flight", None),
    "a cancelled run": (_status("cancelled"), 409, "run_not_movable", None),
    "too many messages": (_many_messages, 413, "bundle_too_large", "messages"),
    "an oversized body": (
        lambda d: d["checkpoint"]["state"]["metadata"].update(pad="x" * MAX_BODY), 413,
        "body_too_large", None,
    ),
    "a model this server does not offer": (
        lambda d: d["checkpoint"]["state"]["overrides"].update(model="gpt-unlimited"), 422,
        "override_not_allowed", "checkpoint.state.overrides.model",
    ),
}


@pytest.fixture
async def paused_bundle(mock_llm: str) -> dict[str, Any]:
    """The bundle of a page run paused on its approval (JSON)."""
    agent = page_agent(mock_llm, Side())
    interrupt = the_interrupt(await collect(agent.chat(NOTE)))
    bundle = await export_run(agent.store, interrupt.run_id, agent=agent.name, tools=agent.tools.names())
    return bundle.to_json()


async def test_every_tampered_bundle_is_refused_with_a_4xx_and_nothing_is_stored(
    mock_llm: str, tmp_path: Path, paused_bundle: dict[str, Any]
) -> None:
    run_id = paused_bundle["run_id"]
    answers: dict[str, tuple[int, dict[str, Any]]] = {}
    async with serving(
        mock_llm, Side(), tmp_path, max_body=MAX_BODY, allowed_models=("mock",)
    ) as root, httpx.AsyncClient(timeout=60) as client:
        for case, (edit, *_) in REFUSED.items():
            data = json.loads(json.dumps(paused_bundle))
            edit(data)
            response = await client.post(f"{root}/v1/runs/import", json=data)
            answers[case] = response.status_code, response.json()["error"]
        not_json = await client.post(
            f"{root}/v1/runs/import", content=b"{nope", headers={"content-type": "application/json"}
        )
        not_an_object = await client.post(f"{root}/v1/runs/import", json=[paused_bundle])
        unknown = await client.get(f"{root}/v1/runs/{run_id}")
        accepted = await client.post(f"{root}/v1/runs/import", json=paused_bundle)

    for case, (_, status, code, field) in REFUSED.items():
        assert answers[case][0] == status, (case, answers[case])
        assert answers[case][1]["code"] == code, (case, answers[case])
        if field is not None:
            assert answers[case][1]["field"] == field, (case, answers[case])
    assert (not_json.status_code, not_json.json()["error"]["code"]) == (400, "invalid_json")
    assert (not_an_object.status_code, not_an_object.json()["error"]["code"]) == (422, "invalid_bundle")
    assert unknown.status_code == 404  # none of them left anything behind
    assert accepted.status_code == 201 and accepted.json()["status"] == "interrupted"


async def test_a_refused_hand_off_leaves_the_run_at_home_to_go_on_there(
    mock_llm: str, tmp_path: Path
) -> None:
    page = Side()

    @tool
    def page_only(text: str) -> str:
        """A tool only the page has."""
        return text

    base = page_agent(mock_llm, page)
    model = OpenAIModel("mock", base_url=mock_llm, api_key="k")
    tools = [base.tools.get(name) for name in base.tools.names()]
    agent = AgentBuilder().model(model).tools(*tools, page_only).store(MemoryStore()).build()  # type: ignore[arg-type]
    interrupt = the_interrupt(await collect(agent.chat(NOTE)))
    async with serving(mock_llm, Side(), tmp_path) as root, HttpAgent(root) as target:
        with pytest.raises(RemoteRefusal) as refused:
            await handoff(interrupt.run_id, agent, target)
        with pytest.raises(RemoteRefusal) as unknown:
            await target.status(interrupt.run_id)
    iid = interrupt.interrupts[0].interrupt_id
    finished = await collect(agent.chat(ChatRequest.resume(interrupt.run_id, {iid: {"approved": True}})))

    assert refused.value.remote_code == "unknown_tool" and "page_only" in str(refused.value)
    assert unknown.value.status == 404
    assert isinstance(finished[-1], Done) and page.ledger.notes == ["buy milk"]


async def test_a_run_streaming_on_the_server_is_not_exported(mock_llm: str, tmp_path: Path) -> None:
    server = Side()
    async with serving(mock_llm, server, tmp_path) as root, HttpAgent(root) as client:
        events: list[Any] = []

        async def run() -> None:
            async for event in client.chat('call wait_at_gate with {"label": "x"}'):
                events.append(event)

        task = asyncio.create_task(run())
        async with asyncio.timeout(20):
            await server.ledger.gate.entered.wait()
        with pytest.raises(RemoteRefusal) as busy:
            await client.export_run(events[0].run_id)
        server.ledger.gate.release.set()
        await task
        exported = await client.export_run(events[0].run_id)

    assert busy.value.status == 409 and busy.value.remote_code == "run_busy"
    assert isinstance(events[-1], Done) and exported.status == "done"


async def test_the_servers_own_budget_applies_to_an_imported_run(
    mock_llm: str, tmp_path: Path, paused_bundle: dict[str, Any]
) -> None:
    paused_bundle["checkpoint"]["state"]["overrides"]["usage_limits"] = {"requests": 1000}
    async with serving(mock_llm, Side(), tmp_path) as root, HttpAgent(root) as client:
        info = await client.import_run(paused_bundle)
        back = await client.export_run(info.run_id)

    assert info.status == "interrupted"
    assert back.checkpoint.state.overrides.usage_limits is None
