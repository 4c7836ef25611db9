"""Cancellation over HTTP: the cancel endpoint, a cancelled `HttpAgent` ctx, a client that
disconnects, a paused run cancelled; and keep-alive comments on idle streams."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
from helpers import collect
from transport_helpers import chat_body, post_run, read_frames, resume_body, wait_for

from remi_web import AgentEvent, Cancelled, ChatCtx, HttpAgent, SQLiteStore

Server = Callable[..., AbstractAsyncContextManager[str]]
WAIT = 'call wait_at_gate with {"label": "x"}'


async def settled(client: httpx.AsyncClient, root: str, run_id: str) -> dict[str, Any]:
    """The run's status once it is no longer running (bounded wait)."""
    async with asyncio.timeout(20):
        while True:
            info: dict[str, Any] = (await client.get(f"{root}/v1/runs/{run_id}")).json()
            if info["status"] != "running":
                return info
            await asyncio.sleep(0.02)


async def test_the_cancel_endpoint_stops_the_tools_and_ends_the_stream(
    agent_server: Server, ledger: Any
) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        agent = HttpAgent(root)
        ctx = ChatCtx()
        run = asyncio.ensure_future(collect(agent.chat(WAIT, ctx)))
        await wait_for(ledger.gate.entered)
        assert ctx.run_id is not None
        answer = await client.post(f"{root}/v1/runs/{ctx.run_id}/cancel")
        events: list[AgentEvent] = await run
        await agent.aclose()
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    assert ledger.gate.stopped.is_set() and ledger.gate.finished == 0
    assert isinstance(events[-1], Cancelled) and events[-1].run_id == ctx.run_id
    assert [e.type for e in events].count("cancelled") == 1


async def test_cancelling_an_http_agent_ctx_cancels_the_remote_run(
    agent_server: Server, ledger: Any
) -> None:
    # long fallbacks: only the cancel call the agent sends can end this run in time
    async with agent_server(reconnect_grace=60) as root:
        agent = HttpAgent(root, cancel_wait=60)
        ctx = ChatCtx()
        run = asyncio.ensure_future(collect(agent.chat(WAIT, ctx)))
        await wait_for(ledger.gate.entered)
        ctx.cancel()
        async with asyncio.timeout(20):
            events: list[AgentEvent] = await run
        status = await agent.status(ctx.run_id or "")
        await agent.aclose()
    assert ledger.gate.stopped.is_set() and ledger.gate.finished == 0
    assert isinstance(events[-1], Cancelled) and events[-1].run_id == ctx.run_id
    assert status.status == "cancelled" and status.last_event_id == len(events)


async def test_a_client_that_disconnects_cancels_its_run(agent_server: Server, ledger: Any) -> None:
    async with agent_server(reconnect_grace=0) as root, httpx.AsyncClient(timeout=30) as client:
        async with client.stream("POST", f"{root}/v1/runs", content=chat_body(WAIT)) as response:
            run_id = response.headers["x-remi-run-id"]
            async for chunk in response.aiter_text():
                if "tool_progress" in chunk:
                    break  # the tool is running: hang up
        await wait_for(ledger.gate.stopped)
        info = await settled(client, root, run_id)
    assert info["status"] == "cancelled" and ledger.gate.finished == 0


async def test_idle_streams_carry_keep_alive_comments(agent_server: Server, ledger: Any) -> None:
    seen = ""
    async with agent_server(keepalive=0.05) as root, httpx.AsyncClient(timeout=30) as client:
        async with client.stream("POST", f"{root}/v1/runs", content=chat_body(WAIT)) as response:
            async for chunk in response.aiter_text():
                seen += chunk
                if ": keep-alive\n\n" in seen:
                    ledger.gate.release.set()  # the tool waited; keep-alives kept the line up
    assert ledger.gate.finished == 1
    assert seen.rstrip().endswith("}") and "event: done" in seen


async def test_a_paused_run_can_be_cancelled_then_not_resumed(
    agent_server: Server, db: str
) -> None:
    note = 'call save_note with {"text": "x"}'
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        frames = await post_run(client, f"{root}/v1/runs", chat_body(note))
        run_id, (info,) = str(frames[-1].data["run_id"]), frames[-1].data["interrupts"]  # type: ignore[misc]
        cancel = await client.post(f"{root}/v1/runs/{run_id}/cancel")
        again = await client.post(f"{root}/v1/runs/{run_id}/cancel")
        iid = info["interrupt_id"]
        resume = await client.post(
            f"{root}/v1/runs/{run_id}/resume",
            content=resume_body(run_id, {iid: True}, {iid: info["token"]}),
        )
        async with client.stream("GET", f"{root}/v1/runs/{run_id}/events?after={len(frames)}") as r:
            tail = await read_frames(r)
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    assert again.status_code == 200 and again.json()["status"] == "cancelled"
    assert resume.status_code == 409 and resume.json()["error"]["code"] == "run_not_resumable"
    assert [(f.id, f.event) for f in tail] == [(len(frames) + 1, "cancelled")]
    async with SQLiteStore(db) as store:
        checkpoint = await store.latest_checkpoint(run_id)  # type: ignore[arg-type]
    assert checkpoint is not None and checkpoint.status == "cancelled"


async def test_a_finished_run_cannot_be_cancelled(agent_server: Server) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        frames = await post_run(client, f"{root}/v1/runs", chat_body("hi"))
        answer = await client.post(f"{root}/v1/runs/{frames[-1].data['run_id']}/cancel")
    assert frames[-1].event == "done"
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "run_not_resumable"


async def test_a_server_stopping_mid_run_cancels_it_and_the_next_server_says_so(
    agent_server: Server, ledger: Any
) -> None:
    frames: list[str] = []

    async def read(root: str) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            try:
                async with client.stream("POST", f"{root}/v1/runs", content=chat_body(WAIT)) as r:
                    frames.append(r.headers["x-remi-run-id"])
                    async for _ in r.aiter_bytes():
                        pass
            except httpx.HTTPError:
                pass  # the server went away mid-stream

    async with agent_server(shutdown_grace=0.2) as root:
        reader = asyncio.ensure_future(read(root))
        await wait_for(ledger.gate.entered)
    await wait_for(ledger.gate.stopped)  # stopping the server cancelled the running tool
    await reader
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        info = (await client.get(f"{root}/v1/runs/{frames[0]}")).json()
        async with client.stream("GET", f"{root}/v1/runs/{frames[0]}/events") as r:
            log = await read_frames(r)
    assert info["status"] == "cancelled" and ledger.gate.finished == 0
    assert [f.id for f in log] == list(range(1, len(log) + 1))
    assert log[-1].event == "cancelled"


async def test_http_agent_cancels_a_paused_run(agent_server: Server) -> None:
    async with agent_server() as root:
        agent = HttpAgent(root)
        interrupt = (await collect(agent.chat('call save_note with {"text": "x"}')))[-1]
        info = await agent.cancel(interrupt.run_id)  # type: ignore[attr-defined]
        await agent.aclose()
    assert info.status == "cancelled" and info.pending_interrupts == []
