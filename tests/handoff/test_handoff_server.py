"""Runs that move between a page-side agent and `remi serve` (a real uvicorn on loopback, the
mock model): a run paused on an approval is handed to the server, approved there through
`HttpAgent`, and its tool runs once, there; the reverse; never twice on either side; and
the trace stays one tree."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from handoff_helpers import APPROVAL_KEY, NOTE, Side, page_agent, serving, the_interrupt
from helpers import collect, types

from remi_web import ChatRequest, CheckpointEvent, Done, HttpAgent, ToolResult
from remi_web.core.requests import Resume
from remi_web.core.errors import RunMoved
from remi_web.core.ids import RunId, ThreadId, run_span_id
from remi_web.core.run_bundle import export_run
from remi_web.remote import RemoteRefusal, handoff, take_back
from remi_web.remote.errors import RemoteRunExists, RemoteRunMoved
from remi_web.server.principals import TokenGrant
from remi_web.server.signing import ApprovalSigner
from remi_web.tracing.records import TraceRecord

YES = {"approved": True}


async def test_a_paused_run_goes_to_the_server_is_approved_there_and_its_tool_runs_once_there(
    mock_llm: str, tmp_path: Path
) -> None:
    page, server = Side(), Side()
    agent = page_agent(mock_llm, page)
    interrupt = the_interrupt(await collect(agent.chat(ChatRequest.user(NOTE, ThreadId("t-1")))))
    run_id = interrupt.run_id
    copy = await export_run(agent.store, run_id, agent=agent.name, tools=agent.tools.names())

    async with serving(mock_llm, server, tmp_path) as root, HttpAgent(root) as target, \
            HttpAgent(root) as approver:
        moved = await handoff(run_id, agent, target)
        (pending,) = moved.info.pending_interrupts
        approved = await collect(approver.chat(ChatRequest.resume(run_id, {pending.interrupt_id: YES})))
        followed = await collect(moved.events())  # the page follows with Last-Event-ID
        with pytest.raises(RemoteRunExists):  # the same run, uploaded a second time
            await target.import_run(copy)
        thread = await target.thread("t-1")

    assert moved.info.status == "interrupted" and moved.info.thread_id == "t-1"
    assert pending.interrupt_id == interrupt.interrupts[0].interrupt_id
    assert pending.token and ApprovalSigner(APPROVAL_KEY.encode()).verify(
        pending.token, run_id, pending.interrupt_id, pending.arguments
    )  # signed with the server's key
    assert types(approved)[0] == "run_resumed" and isinstance(approved[-1], Done)
    assert "buy milk" in approved[-1].text
    assert server.ledger.notes == ["buy milk"] and page.ledger.notes == []  # once, there
    assert [e.type for e in followed] == types(approved)
    assert isinstance(followed[-1], Done) and followed[-1].text == approved[-1].text
    assert [m.role for m in thread][:1] == ["user"] and thread[0].content == NOTE
    with pytest.raises(RunMoved) as here:
        await collect(agent.chat(ChatRequest.resume(run_id, {pending.interrupt_id: YES})))
    assert here.value.to == root
    with pytest.raises(RunMoved):  # a second hand-off from the page
        await handoff(run_id, agent, target)
    assert server.ledger.notes == ["buy milk"] and page.ledger.notes == []
    assert_one_tree(run_id, page.tracer.records + server.tracer.records)
    assert {r.type for r in server.tracer.records} >= {"run_resumed", "tool_start", "model_start"}


async def test_a_run_started_on_the_server_comes_to_the_page_and_never_goes_on_there(
    mock_llm: str, tmp_path: Path
) -> None:
    page, server = Side(), Side()
    agent = page_agent(mock_llm, page)
    async with serving(mock_llm, server, tmp_path) as root, HttpAgent(root) as source:
        interrupt = the_interrupt(await collect(source.chat(ChatRequest.user(NOTE, ThreadId("t-2")))))
        run_id = interrupt.run_id
        await take_back(run_id, agent, source, to="https://app.example/page")
        status = await source.status(run_id)
        iid = interrupt.interrupts[0].interrupt_id
        with pytest.raises(RemoteRunMoved):
            await collect(source.chat(ChatRequest.resume(run_id, {iid: YES})))
        with pytest.raises(RemoteRunMoved):  # a second take-back
            await source.export_run(run_id)
        with pytest.raises(RemoteRunMoved):
            await source.cancel(run_id)
        async with httpx.AsyncClient(timeout=30) as client:
            log = await client.get(f"{root}/v1/runs/{run_id}/events")
        finished = await collect(agent.chat(ChatRequest.resume(run_id, {iid: YES})))

    assert status.status == "moved" and status.pending_interrupts == []
    last = [json.loads(line[5:]) for line in log.text.splitlines() if line.startswith("data:")][-1]
    assert last["type"] == "error" and last["code"] == "run_moved" and "https://app.example/page" in last["message"]
    assert isinstance(finished[-1], Done) and "buy milk" in finished[-1].text
    assert [e.name for e in finished if isinstance(e, ToolResult)] == ["save_note"]
    assert page.ledger.notes == ["buy milk"] and server.ledger.notes == []
    assert (await agent.store.load_messages(ThreadId("t-2")))[0].content == NOTE
    assert_one_tree(run_id, server.tracer.records + page.tracer.records)


async def test_a_run_goes_to_the_server_and_comes_back_to_finish_at_home(
    mock_llm: str, tmp_path: Path
) -> None:
    page, server = Side(), Side()
    agent = page_agent(mock_llm, page)
    interrupt = the_interrupt(await collect(agent.chat(NOTE)))
    run_id, iid = interrupt.run_id, interrupt.interrupts[0].interrupt_id
    async with serving(mock_llm, server, tmp_path) as root, HttpAgent(root) as target:
        await handoff(run_id, agent, target)
        await take_back(run_id, agent, target)
        again = await handoff(run_id, agent, target)  # it may leave again: it is home now
        await take_back(run_id, agent, target)
    finished = await collect(agent.chat(ChatRequest.resume(run_id, {iid: YES})))

    assert again.info.status == "interrupted"
    assert isinstance(finished[-1], Done) and page.ledger.notes == ["buy milk"]
    assert server.ledger.notes == []


async def test_runs_move_only_between_their_owner_and_the_server(
    mock_llm: str, tmp_path: Path
) -> None:
    grants = (TokenGrant("alice", "alice-token"), TokenGrant("bob", "bob-token"))
    page, server = Side(), Side()
    agent = page_agent(mock_llm, page)
    interrupt = the_interrupt(await collect(agent.chat(ChatRequest.user(NOTE, ThreadId("t-3")))))
    run_id = interrupt.run_id
    copy = await export_run(agent.store, run_id, agent=agent.name, tools=agent.tools.names())
    async with serving(mock_llm, server, tmp_path, tokens=grants) as root, \
            HttpAgent(root, "alice-token") as alice, HttpAgent(root, "bob-token") as bob:
        await handoff(run_id, agent, alice)
        with pytest.raises(RemoteRefusal) as not_bobs:
            await bob.export_run(run_id)
        with pytest.raises(RemoteRunExists):
            await bob.import_run(copy)
        iid = interrupt.interrupts[0].interrupt_id
        done = await collect(alice.chat(ChatRequest.resume(run_id, {iid: YES})))
        with pytest.raises(RemoteRefusal) as no_thread:
            await bob.thread("t-3")
        alices = await alice.thread("t-3")
        bundle = await alice.export_run(run_id, to="alice's page")

    assert not_bobs.value.status == 404 and no_thread.value.status == 404
    assert isinstance(done[-1], Done) and server.ledger.notes == ["buy milk"]
    assert alices[0].content == NOTE
    assert bundle.status == "done" and [m.content for m in bundle.messages][0] == NOTE
    assert bundle.thread_id == "t-3"  # as alice knows it, not the server's scoped id
    assert bundle.checkpoint.state.thread_id == "t-3"


def assert_one_tree(run_id: RunId, records: list[TraceRecord]) -> None:
    """Both sides' records form one tree under the run's span: one root, every model and
    tool span a child of it, and the tool call that paused on one side and ran on the other
    one span."""
    root = run_span_id(None, run_id)
    opened = [r for r in records if r.type in ("run_start", "run_resumed")]
    assert {(r.span_id, r.parent_id) for r in opened} == {(root, None)}  # type: ignore[union-attr]
    assert [r.type for r in opened][0] == "run_start" and len(opened) >= 2
    children = [r for r in records if r.type in ("model_start", "model_end", "tool_start", "tool_end")]
    assert children and {r.parent_id for r in children} == {root}  # type: ignore[union-attr]
    tool = [r for r in records if r.type in ("tool_start", "tool_end") and r.name == "save_note"]  # type: ignore[union-attr]
    assert [(r.type, getattr(r, "interrupted", False), getattr(r, "resumed", False)) for r in tool] == [
        ("tool_start", False, False), ("tool_end", True, False),
        ("tool_start", False, True), ("tool_end", False, False),
    ]
    assert len({r.span_id for r in tool}) == 1
    models = [r.span_id for r in records if r.type == "model_start"]
    assert len(models) == len(set(models)) == 2  # a turn on each side, two spans


async def test_a_run_between_turns_goes_to_the_server_and_makes_its_next_model_call_there(
    mock_llm: str, tmp_path: Path
) -> None:
    page, server = Side(), Side()
    agent = page_agent(mock_llm, page)
    stream = agent.chat("What is 2+3?")
    async for event in stream:  # the page stops right after the tool round's checkpoint
        if isinstance(event, CheckpointEvent) and event.status == "tools_executed":
            break
    await stream.aclose()  # type: ignore[attr-defined]
    run_id = event.run_id
    async with serving(mock_llm, server, tmp_path) as root, HttpAgent(root) as target:
        moved = await handoff(run_id, agent, target)
        finished = await collect(target.chat(ChatRequest(Resume(run_id, {}))))

    assert moved.info.status == "stalled" and moved.info.pending_interrupts == []
    assert types(finished)[0] == "run_resumed" and isinstance(finished[-1], Done)
    assert "5" in finished[-1].text
    page_models = [r for r in page.tracer.records if r.type == "model_start"]
    server_models = [r for r in server.tracer.records if r.type == "model_start"]
    assert len(page_models) == 1 and len(server_models) == 1
    with pytest.raises(RunMoved):
        await collect(agent.chat(ChatRequest(Resume(run_id, {}))))
