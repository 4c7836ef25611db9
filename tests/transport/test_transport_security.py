"""The server as an attacker meets it (real uvicorn, loopback): authentication on by default,
principals that cannot see each other's runs and threads, four-eyes approvals, DNS-rebinding
and cross-site defences, limits."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
from transport_helpers import chat_body, read_frames, resume_body, wait_for

from remi_web.server.principals import TokenGrant

Server = Callable[..., AbstractAsyncContextManager[str]]
ALICE, BOB, OPS = "alice-token-0123456789", "bob-token-0123456789ab", "ops-token-0123456789abc"
GRANTS = (
    TokenGrant("alice", ALICE), TokenGrant("bob", BOB),
    TokenGrant("ops", OPS, frozenset({"run", "approve"})),
)
NOTE = 'call save_note with {"text": "rm -rf /"}'
JSON = {"content-type": "application/json"}


def as_(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", **JSON}


async def start(client: httpx.AsyncClient, root: str, token: str, text: str,
                thread: str | None = None) -> list[Any]:
    body = json.loads(chat_body(text))
    if thread is not None:
        body["thread_id"] = thread
    async with client.stream("POST", f"{root}/v1/runs", content=json.dumps(body),
                             headers=as_(token)) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        return await read_frames(response)


async def test_remi_serve_makes_a_token_and_refuses_requests_without_it(tmp_path: Path) -> None:
    (tmp_path / "served.py").write_text(textwrap.dedent('''
        from remi_web import AgentBuilder, ScriptedModel
        agent = AgentBuilder().model(ScriptedModel([["hi"]])).build()
    '''))
    from test_transport_serve_cli import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMI_")}
    env["PYTHONPATH"] = ""
    command = [sys.executable, "-m", "remi_web.cli.main", "serve", "served:agent", "--port",
               str(port), "--db", str(tmp_path / "runs.db"), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    root = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(300):  # bounded: ~15 s
                assert process.poll() is None
                try:
                    if (await client.get(root + "/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
            refused = await client.post(root + "/v1/runs", content=chat_body("hi"), headers=JSON)
            refused_get = await client.get(root + "/v1/runs/anything")
            token = (tmp_path / "runs.db.token").read_text().strip()
            allowed = await client.post(root + "/v1/runs", content=chat_body("hi"),
                                        headers=as_(token))
            lower = await client.get(root + "/v1/runs/x", headers={"authorization": f"bearer {token}"})
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0]
    assert refused.status_code == 401 and refused_get.status_code == 401
    assert allowed.status_code == 200 and "event: done" in allowed.text
    assert lower.status_code == 404  # the scheme is case-insensitive; the run is unknown
    assert stat.S_IMODE((tmp_path / "runs.db.token").stat().st_mode) == 0o600
    assert output.count(token) == 1  # printed once


def test_serving_without_authentication_is_refused_off_loopback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMI_")}
    done = subprocess.run(
        [sys.executable, "-m", "remi_web.cli.main", "serve", "x:agent", "--host", "0.0.0.0",
         "--insecure-no-auth", "--db", str(tmp_path / "runs.db")],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and "refused on a non-loopback address" in done.stderr


async def test_a_rebinding_page_fails_at_the_host_and_a_starter_cannot_approve_itself(
    agent_server: Server, ledger: Any
) -> None:
    async with agent_server(tokens=GRANTS, approver="other") as root, httpx.AsyncClient(
        timeout=30
    ) as client:
        port = root.rsplit(":", 1)[1]
        rebound = await client.post(f"{root}/v1/runs", content=chat_body(NOTE),
                                    headers={**as_(ALICE), "host": f"evil.example:{port}"})
        frames = await start(client, root, ALICE, NOTE)
        pause = frames[-1].data
        info = pause["interrupts"][0]
        answer = resume_body(pause["run_id"], {info["interrupt_id"]: True},
                             {info["interrupt_id"]: info["token"]})
        own = await client.post(f"{root}/v1/runs/{pause['run_id']}/resume", content=answer,
                                headers=as_(ALICE))
        assert ledger.notes == []
        async with client.stream("POST", f"{root}/v1/runs/{pause['run_id']}/resume",
                                 content=answer, headers=as_(OPS)) as other:
            approved = await read_frames(other)
    assert rebound.status_code == 421 and rebound.json()["error"]["code"] == "misdirected_host"
    assert own.status_code == 403 and own.json()["error"]["code"] == "approval_forbidden"
    assert approved[-1].event == "done" and ledger.notes == ["rm -rf /"]


async def test_cross_site_requests_are_refused(agent_server: Server) -> None:
    async with agent_server(tokens=GRANTS, cors_origins=("http://app.example",)) as root, \
            httpx.AsyncClient(timeout=30) as client:
        plain = await client.post(f"{root}/v1/runs", content=chat_body("hi"),
                                  headers={"content-type": "text/plain",
                                           "origin": "http://evil.example"})
        form = await client.post(f"{root}/v1/runs", content=b"a=1", headers={
            "content-type": "application/x-www-form-urlencoded"})
        foreign = await client.post(f"{root}/v1/runs", content=chat_body("hi"),
                                    headers={**as_(ALICE), "origin": "http://evil.example"})
        listed = await client.post(f"{root}/v1/runs", content=chat_body("what is 2+3"),
                                   headers={**as_(ALICE), "origin": "http://app.example"})
    assert plain.status_code == 415 and form.status_code == 415
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "origin_forbidden"
    assert listed.status_code == 200


async def test_principals_see_only_their_own_runs_and_threads(agent_server: Server) -> None:
    async with agent_server(tokens=GRANTS) as root, httpx.AsyncClient(timeout=30) as client:
        mine = await start(client, root, ALICE, "remember the word kiwi", thread="t-1")
        run_id = mine[-1].data["run_id"]
        paused = await start(client, root, ALICE, NOTE)
        paused_id = paused[-1].data["run_id"]
        bob = as_(BOB)
        status = await client.get(f"{root}/v1/runs/{run_id}", headers=bob)
        events = await client.get(f"{root}/v1/runs/{run_id}/events", headers=bob)
        cancel = await client.post(f"{root}/v1/runs/{paused_id}/cancel", headers=bob)
        info = paused[-1].data["interrupts"][0]
        resume = await client.post(
            f"{root}/v1/runs/{paused_id}/resume", headers=bob, content=resume_body(
                paused_id, {info["interrupt_id"]: True}, {info["interrupt_id"]: info["token"]}))
        tool_results = await client.post(
            f"{root}/v1/runs/{paused_id}/tool-results", headers=bob,
            content=json.dumps({"input": {"type": "tool_results", "run_id": paused_id,
                                          "results": []}}))
        own = await client.get(f"{root}/v1/runs/{run_id}", headers=as_(ALICE))
        theirs = await start(client, root, BOB, "say hello", thread="t-1")
        again = await start(client, root, ALICE, "say hello", thread="t-1")
    for answer in (status, events, cancel, resume, tool_results):
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["code"] == "run_not_found"
    assert own.status_code == 200 and own.json()["thread_id"] == "t-1"
    assert theirs[0].data["thread_id"] == "t-1"  # Bob's own t-1, not Alice's
    bob_prompt = theirs[-1].data["usage"]["prompt_tokens"]
    alice_prompt = again[-1].data["usage"]["prompt_tokens"]
    assert alice_prompt > bob_prompt  # only Alice's t-1 carries the kiwi conversation


async def test_limits_answer_429_and_422(agent_server: Server, ledger: Any) -> None:
    settings = {"tokens": GRANTS, "max_runs_per_principal": 1, "allowed_models": ("mock",),
                "max_tokens_cap": 1000}
    async with agent_server(**settings) as root, httpx.AsyncClient(timeout=30) as client:
        async with client.stream("POST", f"{root}/v1/runs", headers=as_(ALICE),
                                 content=chat_body('call wait_at_gate with {"label": "x"}')) as first:
            await wait_for(ledger.gate.entered)
            second = await client.post(f"{root}/v1/runs", content=chat_body("hi"),
                                       headers=as_(ALICE))
            other_principal = await client.post(f"{root}/v1/runs", content=chat_body("what is 1+1"),
                                                headers=as_(BOB))
            ledger.gate.release.set()
            await first.aread()
        bad = {}
        for name, overrides in [("model", {"model": "gpt-9"}), ("max_tokens", {"max_tokens": -1}),
                                ("max_tokens", {"max_tokens": 10**9}),
                                ("temperature", {"temperature": 99})]:
            body = json.loads(chat_body("hi"))
            body["overrides"] = overrides
            bad[name + str(overrides)] = await client.post(
                f"{root}/v1/runs", content=json.dumps(body), headers=as_(ALICE))
    assert second.status_code == 429 and second.headers["retry-after"].isdigit()
    assert second.json()["error"]["code"] == "too_many_runs"
    assert other_principal.status_code == 200
    for key, answer in bad.items():
        assert answer.status_code == 422, key
        assert answer.json()["error"]["field"].startswith("overrides."), key


async def test_a_run_past_its_time_limit_is_cancelled(agent_server: Server, ledger: Any) -> None:
    async with agent_server(tokens=GRANTS, run_timeout=0.5) as root, httpx.AsyncClient(
        timeout=30
    ) as client:
        frames = await start(client, root, ALICE, 'call wait_at_gate with {"label": "slow"}')
    assert frames[-1].event == "cancelled" and ledger.gate.stopped.is_set()


async def test_error_events_do_not_reveal_the_model_endpoint(tmp_path: Path) -> None:
    from transport_helpers import running

    from remi_web import AgentBuilder
    from remi_web.http.errors import NetworkError
    from remi_web.server import ServerConfig, create_app

    class Unreachable:
        async def chat(self, request: Any, ctx: Any) -> Any:
            raise NetworkError("could not reach http://10.1.2.3:8080/v1/chat/completions")
            yield  # pragma: no cover

    agent = AgentBuilder().model(Unreachable()).build()
    app = create_app(agent, ServerConfig(db=str(tmp_path / "runs.db"), tokens=GRANTS))
    async with running(app) as root, httpx.AsyncClient(timeout=30) as client:
        frames = await start(client, root, ALICE, "hi")
    error = frames[-1]
    assert error.event == "error" and error.data["code"] == "network_error"
    assert "10.1.2.3" not in json.dumps(error.data) and "could not reach" in error.data["message"]


async def test_a_key_without_the_sk_prefix_never_reaches_error_events_or_the_log(
    tmp_path: Path, caplog: Any
) -> None:
    import logging

    from transport_helpers import running

    from remi_web import AgentBuilder
    from remi_web.core.errors import ModelError
    from remi_web.core.secrets import Secret
    from remi_web.server import ServerConfig, create_app

    key = "tgp_v1_" + "Zq8" * 14

    class Leaky:
        """A model whose provider echoes the key back in its error."""

        def secrets(self) -> tuple[Secret, ...]:
            return (Secret(key),)

        async def chat(self, request: Any, ctx: Any) -> Any:
            logging.getLogger("remi_web.server").error("provider said: bad key %s", key)
            raise ModelError(f"401 from provider: key {key} is not valid")
            yield  # pragma: no cover

    caplog.set_level(logging.INFO)
    app = create_app(AgentBuilder().model(Leaky()).build(),
                     ServerConfig(db=str(tmp_path / "runs.db"), tokens=GRANTS))
    async with running(app) as root, httpx.AsyncClient(timeout=30) as client:
        frames = await start(client, root, ALICE, "hi")
        run_id = frames[0].data["run_id"]
        log = await client.get(f"{root}/v1/runs/{run_id}/events", headers=as_(ALICE))
    assert frames[-1].event == "error" and "is not valid" in frames[-1].data["message"]
    assert key not in json.dumps([f.data for f in frames]) and key not in log.text
    assert key not in caplog.text and "provider said: bad key" in caplog.text
