"""Interrupts over HTTP: signed approvals, resume across a server restart, and refusals of
forged, missing, edited and replayed approvals."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from helpers import collect, of_type, types
from transport_helpers import chat_body, post_run, read_frames, resume_body

from remi_web.remote import ApprovalRefused
from remi_web import ChatRequest, Done, HttpAgent, InterruptEvent, RunNotResumable, ToolResult

Server = Callable[..., AbstractAsyncContextManager[str]]
NOTE = 'call save_note with {"text": "buy milk"}'


async def interrupted(client: httpx.AsyncClient, root: str) -> tuple[str, dict[str, Any]]:
    """Start a run that stops at the approval of save_note; its run id and interrupt."""
    frames = await post_run(client, f"{root}/v1/runs", chat_body(NOTE))
    assert [f.event for f in frames][-2:] == ["checkpoint", "interrupt"]
    interrupt = frames[-1].data
    (info,) = interrupt["interrupts"]  # type: ignore[misc]
    return str(interrupt["run_id"]), info


async def refused(client: httpx.AsyncClient, url: str, body: bytes) -> tuple[int, dict[str, Any]]:
    response = await client.post(url, content=body)
    assert response.headers["content-type"] == "application/json"
    assert "Traceback" not in response.text
    return response.status_code, response.json()["error"]


async def test_resume_after_a_server_restart_loses_nothing(agent_server: Server, ledger: Any) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        async with agent_server() as root:
            first = await post_run(client, f"{root}/v1/runs", chat_body(NOTE))
        interrupt = first[-1].data
        run_id, (info,) = str(interrupt["run_id"]), interrupt["interrupts"]  # type: ignore[misc]
        assert ledger.notes == []
        async with agent_server() as root:  # a new server on the same database
            status = (await client.get(f"{root}/v1/runs/{run_id}")).json()
            assert status["status"] == "interrupted"
            assert [i["token"] for i in status["pending_interrupts"]] == [info["token"]]
            answer = {info["interrupt_id"]: {"approved": True}}
            url = f"{root}/v1/runs/{run_id}/resume"
            second = await post_run(
                client, url, resume_body(run_id, answer, {info["interrupt_id"]: info["token"]})
            )
            async with client.stream("GET", f"{root}/v1/runs/{run_id}/events") as response:
                replay = await read_frames(response)
    assert second[0].event == "run_resumed" and second[0].data["run_id"] == run_id
    assert second[-1].event == "done" and "buy milk" in str(second[-1].data["text"])
    assert ledger.notes == ["buy milk"]
    assert [f.id for f in first + second] == list(range(1, len(first) + len(second) + 1))
    assert replay == first + second  # the whole run, from the log, across the restart


async def test_http_agent_resumes_like_a_local_agent_even_from_a_new_client(
    agent_server: Server, ledger: Any
) -> None:
    async with agent_server() as root:
        agent = HttpAgent(root)
        first = await collect(agent.chat(NOTE))
        interrupt = first[-1]
        assert isinstance(interrupt, InterruptEvent)
        info = interrupt.interrupts[0]
        assert info.token is not None and info.token.startswith("v1.")
        edited = {"approved": True, "arguments": {"text": "buy oat milk"}}
        fresh = HttpAgent(root)  # knows no token: it fetches them from the run's status
        second = await collect(
            fresh.chat(ChatRequest.resume(interrupt.run_id, {info.interrupt_id: edited}))
        )
        with pytest.raises(ApprovalRefused) as replay:  # the same answer again
            await collect(agent.chat(ChatRequest.resume(
                interrupt.run_id, {info.interrupt_id: True}, {info.interrupt_id: info.token}
            )))
        await agent.aclose()
        await fresh.aclose()
    assert types(second)[0] == "run_resumed"
    assert [r.content for r in of_type(second, ToolResult)] == ["saved 'buy oat milk'"]
    assert isinstance(second[-1], Done) and ledger.notes == ["buy oat milk"]
    assert replay.value.status == 409 and replay.value.remote_code == "approval_replayed"


async def test_forged_missing_and_foreign_tokens_are_refused(agent_server: Server, ledger: Any) -> None:
    async with httpx.AsyncClient(timeout=30) as client, agent_server() as root:
        run_id, info = await interrupted(client, root)
        other_run, other = await interrupted(client, root)
        iid, url = info["interrupt_id"], f"{root}/v1/runs/{run_id}/resume"
        yes = {iid: {"approved": True}}
        forged = info["token"][:-4] + ("AAAA" if not info["token"].endswith("AAAA") else "BBBB")
        cases = {
            "missing": (resume_body(run_id, yes, {}), 403, "approval_required"),
            "forged": (resume_body(run_id, yes, {iid: forged}), 403, "approval_invalid"),
            "another run's": (resume_body(run_id, yes, {iid: other["token"]}), 403, "approval_invalid"),
            "invented interrupt": (
                resume_body(run_id, {"made-up": True}, {"made-up": info["token"]}),
                403, "approval_invalid",
            ),
        }
        for name, (body, status, code) in cases.items():
            got_status, error = await refused(client, url, body)
            assert (got_status, error["code"]) == (status, code), name
            assert error["field"].startswith("input.tokens."), name
        assert ledger.notes == []
        # the refusals consumed nothing: the right token still works, once
        frames = await post_run(client, url, resume_body(run_id, yes, {iid: info["token"]}))
        assert frames[-1].event == "done"
        status, error = await refused(client, url, resume_body(run_id, yes, {iid: info["token"]}))
        assert (status, error["code"]) == (409, "approval_replayed")
        assert other_run != run_id and ledger.notes == ["buy milk"]


async def test_a_replayed_approval_is_refused_even_after_a_restart(agent_server: Server) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        async with agent_server() as root:
            run_id, info = await interrupted(client, root)
            iid = info["interrupt_id"]
            body = resume_body(run_id, {iid: False}, {iid: info["token"]})
            denied = await post_run(client, f"{root}/v1/runs/{run_id}/resume", body)
            assert denied[-1].event == "done"
        async with agent_server() as root:
            status, error = await refused(client, f"{root}/v1/runs/{run_id}/resume", body)
    assert (status, error["code"]) == (409, "approval_replayed")
    assert "already answered" in error["message"]


async def test_each_of_two_interrupts_needs_its_own_token(agent_server: Server, ledger: Any) -> None:
    two = 'call save_note with {"text": "a"} and call save_note with {"text": "b"}'
    async with httpx.AsyncClient(timeout=30) as client, agent_server() as root:
        frames = await post_run(client, f"{root}/v1/runs", chat_body(two))
        interrupt = frames[-1].data
        run_id, infos = str(interrupt["run_id"]), interrupt["interrupts"]
        assert isinstance(infos, list) and len(infos) == 2
        a, b = infos
        answers = {a["interrupt_id"]: True, b["interrupt_id"]: True}
        url = f"{root}/v1/runs/{run_id}/resume"
        swapped = {a["interrupt_id"]: b["token"], b["interrupt_id"]: a["token"]}
        status, error = await refused(client, url, resume_body(run_id, answers, swapped))
        assert (status, error["code"]) == (403, "approval_invalid")
        tokens = {a["interrupt_id"]: a["token"], b["interrupt_id"]: b["token"]}
        done = await post_run(client, url, resume_body(run_id, answers, tokens))
    assert done[-1].event == "done" and sorted(ledger.notes) == ["a", "b"]


async def test_a_call_changed_in_storage_after_signing_does_not_run(
    agent_server: Server, db: str, ledger: Any
) -> None:
    async with httpx.AsyncClient(timeout=30) as client, agent_server() as root:
        run_id, info = await interrupted(client, root)
        tamper_pending_call(db, run_id, '{"text": "transfer all the money"}')
        iid = info["interrupt_id"]
        body = resume_body(run_id, {iid: True}, {iid: info["token"]})
        status, error = await refused(client, f"{root}/v1/runs/{run_id}/resume", body)
    assert (status, error["code"]) == (403, "approval_invalid")
    assert "not the call" in error["message"] and ledger.notes == []


def tamper_pending_call(db: str, run_id: str, arguments: str) -> None:
    """Rewrite the arguments of the waiting call in the run's latest checkpoint."""
    conn = sqlite3.connect(db)
    try:
        row_id, body = conn.execute(
            "SELECT id, body FROM checkpoints WHERE run_id = ? ORDER BY sequence DESC LIMIT 1",
            (run_id,),
        ).fetchone()
        checkpoint = json.loads(body)
        for call in checkpoint["state"]["pending_calls"]:
            call["arguments"] = arguments
        conn.execute("UPDATE checkpoints SET body = ? WHERE id = ?", (json.dumps(checkpoint), row_id))
        conn.commit()
    finally:
        conn.close()


async def test_edits_can_be_switched_off(agent_server: Server, ledger: Any) -> None:
    async with agent_server(allow_edits=False) as root:
        agent = HttpAgent(root)
        interrupt = (await collect(agent.chat(NOTE)))[-1]
        assert isinstance(interrupt, InterruptEvent)
        iid = interrupt.interrupts[0].interrupt_id
        edited = {"approved": True, "arguments": {"text": "buy beer"}}
        with pytest.raises(ApprovalRefused) as refusal:
            await collect(agent.chat(ChatRequest.resume(interrupt.run_id, {iid: edited})))
        same = {"approved": True, "arguments": {"text": "buy milk"}}
        events = await collect(agent.chat(ChatRequest.resume(interrupt.run_id, {iid: same})))
        await agent.aclose()
    assert refusal.value.remote_code == "edit_not_allowed"
    assert refusal.value.field == f"input.payloads.{iid}"
    assert isinstance(events[-1], Done) and ledger.notes == ["buy milk"]


async def test_a_finished_run_cannot_be_resumed(agent_server: Server) -> None:
    async with agent_server() as root:
        agent = HttpAgent(root)
        done = (await collect(agent.chat("hello")))[-1]
        with pytest.raises(RunNotResumable):
            await collect(agent.chat(ChatRequest.resume(done.run_id, {})))  # type: ignore[attr-defined]
        await agent.aclose()
