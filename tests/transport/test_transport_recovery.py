"""Recovery on the server: a corrupt checkpoint answers 503 and the run can still be
cancelled; `recover` refuses runs that have nothing to recover; a tool result counts once,
also across two server processes (apps) on one database."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
from transport_helpers import chat_body, post_run

EXTERNAL = {"name": "browser_click", "description": "Click (the caller runs it).",
            "parameters": {"type": "object", "properties": {"selector": {"type": "string"}}}}


async def test_a_corrupt_checkpoint_answers_503_and_the_run_can_be_cancelled(
    agent_server: Callable[..., AbstractAsyncContextManager[str]], db: str
) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=10) as client:
        frames = await post_run(client, root + "/v1/runs",
                                chat_body('call save_note with {"text": "hi"}'))
        assert frames[-1].event == "interrupt"
        run_id = str(frames[-1].data["run_id"])
        info = frames[-1].data["interrupts"][0]  # type: ignore[index]
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE checkpoints SET body = '{broken' WHERE run_id = ?", (run_id,))

        resume = {"input": {"type": "resume", "run_id": run_id,
                            "payloads": {info["interrupt_id"]: True},
                            "tokens": {info["interrupt_id"]: info["token"]}}}
        refused = await client.post(f"{root}/v1/runs/{run_id}/resume", json=resume)
        cancelled = await client.post(f"{root}/v1/runs/{run_id}/cancel", json={})
        status = await client.get(f"{root}/v1/runs/{run_id}")

    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "checkpoint_corrupt"
    assert "broken" not in refused.text and db not in refused.text  # nothing of the server
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert status.json()["status"] == "cancelled"


async def test_recover_refuses_runs_with_nothing_to_recover(
    agent_server: Callable[..., AbstractAsyncContextManager[str]],
) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=10) as client:
        frames = await post_run(client, root + "/v1/runs", chat_body("what is 2+3*4"))
        run_id = frames[-1].data["run_id"]
        done = await client.post(f"{root}/v1/runs/{run_id}/recover", json={})
        unknown = await client.post(f"{root}/v1/runs/no-such-run/recover", json={})

    assert frames[-1].event == "done"
    assert done.status_code == 409 and done.json()["error"]["code"] == "run_not_resumable"
    assert unknown.status_code == 404


async def test_a_tool_result_counts_once_across_two_servers_on_one_database(
    mock_llm: str, ledger: Any, tmp_path: Path
) -> None:
    from functools import partial

    from transport_helpers import running, served_agent

    from remi_web.server import ServerConfig, create_app

    db = str(tmp_path / "shared.db")
    apps = [create_app(partial(served_agent, mock_llm, ledger), ServerConfig(db=db, insecure_no_auth=True))
            for _ in range(2)]
    accepted: list[int] = []
    async with running(apps[0]) as first, running(apps[1]) as second, httpx.AsyncClient(
        timeout=20
    ) as client:
        for trial in range(10):
            body = json.loads(chat_body(f'call browser_click with {{"selector": "#b{trial}"}}'))
            body["tools"] = [EXTERNAL]
            frames = await post_run(client, first + "/v1/runs", json.dumps(body).encode())
            assert frames[-1].event == "need_tool_execution"
            run_id = frames[-1].data["run_id"]
            call = frames[-1].data["calls"][0]  # type: ignore[index]
            answer = {"input": {"type": "tool_results", "run_id": run_id,
                                "results": [{"call_id": call["id"], "content": "clicked"}]}}

            async def send(root: str) -> int:
                async with client.stream("POST", f"{root}/v1/runs/{run_id}/tool-results",
                                         json=answer) as response:
                    await response.aread()
                    return response.status_code

            codes = await asyncio.gather(send(first), send(second))
            accepted.append(codes.count(200))
            assert sorted(codes)[1] == 409 or codes.count(200) == 1

    assert accepted == [1] * 10
