"""Threads over HTTP (real uvicorn on loopback, the mock model): read, fork, replay, export and
import through `HttpAgent`; another principal's thread is a 404, like an unknown one."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest
from helpers import collect, of_type

from remi_web import Done, HttpAgent, RunStart
from remi_web.remote import RemoteRefusal
from remi_web.core.requests import ChatRequest
from remi_web.core.ids import ThreadId
from remi_web.server.principals import TokenGrant

Server = Callable[..., AbstractAsyncContextManager[str]]
ALICE, BOB = "alice-token-0123456789", "bob-token-0123456789ab"
GRANTS = (TokenGrant("alice", ALICE), TokenGrant("bob", BOB))
T = ThreadId("t1")


async def _two_turns(agent: HttpAgent) -> None:
    for text in ("What is 2+3?", "What is 4+5?"):
        events = await collect(agent.chat(ChatRequest.user(text, thread_id=T)))
        assert of_type(events, Done), events


async def test_fork_replay_export_and_import_round_trip_over_http(agent_server: Server) -> None:
    async with agent_server(tokens=GRANTS) as root, HttpAgent(root, ALICE) as alice:
        await _two_turns(alice)
        history = await alice.thread(T)
        users = [i for i, m in enumerate(history) if m.role == "user"]
        assert len(users) == 2 and history[-1].role == "assistant"

        branch = await alice.fork(T, at=history[users[1]].id, new_thread_id="t1-branch")
        assert branch == "t1-branch"
        assert await alice.thread(branch) == history[: users[1]]  # ids included
        fresh = await alice.fork(T, at=users[1])
        assert fresh not in (T, branch) and await alice.thread(fresh) == history[: users[1]]

        events = await collect(alice.replay(T, history[users[1]].id, "What is 6+7?"))
        replayed = of_type(events, RunStart)[0].thread_id
        assert "13" in of_type(events, Done)[0].text
        branch_history = await alice.thread(replayed)
        assert branch_history[: users[1]] == history[: users[1]]
        assert branch_history[users[1]].content == "What is 6+7?"
        assert await alice.thread(T) == history  # the original is left as it was

        bundle = await alice.export(T)
        assert (bundle["format"], bundle["version"], bundle["thread_id"]) == ("remi-thread", 1, "t1")
        checkpoints = bundle["checkpoints"]
        assert isinstance(checkpoints, list) and len(checkpoints) == 2
        assert all(c["thread_id"] == "t1" for c in checkpoints if isinstance(c, dict))  # unscoped
        assert await alice.import_thread(bundle, "t1-copy") == "t1-copy"
        assert await alice.thread("t1-copy") == history
        with pytest.raises(RemoteRefusal) as exists:
            await alice.import_thread(bundle, "t1-copy")
        assert (exists.value.status, exists.value.remote_code) == (409, "thread_exists")
        with pytest.raises(RemoteRefusal) as newer:
            await alice.import_thread({**bundle, "version": 2}, "t1-v2")
        assert (newer.value.status, newer.value.remote_code) == (422, "bundle_version")
        with pytest.raises(RemoteRefusal) as at:
            await alice.fork(T, at="no-such-message")
        assert (at.value.status, at.value.remote_code, at.value.field) == (422, "message_not_found", "at")


async def test_another_principals_thread_is_not_found(agent_server: Server) -> None:
    async with agent_server(tokens=GRANTS) as root, HttpAgent(root, ALICE) as alice:
        await _two_turns(alice)
        async with HttpAgent(root, BOB) as bob:
            for call in (bob.thread(T), bob.fork(T, at=0), bob.export(T)):
                with pytest.raises(RemoteRefusal) as refused:
                    await call
                assert (refused.value.status, refused.value.remote_code) == (404, "thread_not_found")
            # bob's own thread of the same name is another thread
            bundle: dict[str, Any] = await alice.export(T)
            assert await bob.import_thread(bundle) == "t1"
            assert await bob.thread(T) == await alice.thread(T)
            await bob.fork(T, new_thread_id="mine")
            with pytest.raises(RemoteRefusal):
                await alice.thread("mine")
        async with httpx.AsyncClient(timeout=30) as client:
            raw = await client.get(f"{root}/v1/threads/{T}",
                                   headers={"authorization": f"Bearer {BOB}"})
            anonymous = await client.get(f"{root}/v1/threads/{T}")
    assert raw.status_code == 200  # bob's imported copy, not alice's
    assert anonymous.status_code == 401
    assert json.loads(anonymous.text)["error"]["code"] == "unauthorized"
