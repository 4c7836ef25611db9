"""`remi serve module:agent` in a process of its own, and how the served agent is found and
bound to the server's store."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from helpers import collect

from remi_web import AgentBuilder, ConfigurationError, Done, HttpAgent, ScriptedModel, SQLiteStore
from remi_web.server.agent_source import bind_agent, load_agent

AGENT_MODULE = '''
from remi_web import AgentBuilder, ScriptedModel


def agent(store):
    """A factory: the server hands it its SQLite store."""
    model = ScriptedModel([["Hello ", "from ", "the ", "served ", "agent."]])
    return AgentBuilder().model(model).store(store).build()
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_remi_serve_runs_an_agent_from_a_module_behind_a_token(tmp_path: Path) -> None:
    (tmp_path / "my_agents.py").write_text(textwrap.dedent(AGENT_MODULE))
    port = free_port()
    env = {**os.environ, "REMI_API_TOKEN": "cli-token", "PYTHONPATH": ""}
    command = [sys.executable, "-m", "remi_web.cli.main", "serve", "my_agents:agent",
               "--port", str(port), "--db", str(tmp_path / "runs.db"), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    root = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(300):  # bounded: ~15 s
                assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
                try:
                    if (await client.get(root + "/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.05)
            unauthorized = await client.post(
                root + "/v1/runs", content=b"{}", headers={"content-type": "application/json"}
            )
        agent = HttpAgent(root, token="cli-token")
        events = await collect(agent.chat("hi"))
        await agent.aclose()
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode()
    assert unauthorized.status_code == 401
    done = events[-1]
    assert isinstance(done, Done) and done.text == "Hello from the served agent."
    assert "bearer token required" in output and "my_agents:agent" in output
    assert (tmp_path / "runs.db").is_file()


def test_load_agent_explains_bad_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agents_here.py").write_text("value = 3\n")
    for reference, message in [
        ("no_colon", "MODULE:ATTRIBUTE"),
        ("no_such_module_xyz:agent", "cannot import"),
        ("agents_here:missing", "no attribute 'missing'"),
        ("agents_here:value", "neither an agent, nor an agent builder, nor an agent factory"),
    ]:
        with pytest.raises(ConfigurationError, match=message):
            load_agent(reference)


async def test_an_agent_loop_on_the_default_store_moves_onto_the_servers_store() -> None:
    server_store = SQLiteStore()
    default = AgentBuilder().model(ScriptedModel([["hi"]])).build()
    bound, checkpoints = bind_agent(default, server_store)
    assert bound.store is server_store and checkpoints is server_store  # type: ignore[attr-defined]
    kept_store = SQLiteStore()
    kept = AgentBuilder().model(ScriptedModel([["hi"]])).store(kept_store).build()
    assert bind_agent(kept, server_store) == (kept, kept_store)
    with pytest.raises(ConfigurationError, match="no chat"):
        bind_agent(lambda store: 42, server_store)  # type: ignore[arg-type,return-value]
    server_store.close()
    kept_store.close()
