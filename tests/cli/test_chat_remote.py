"""`remi chat --url` drives an agent served over HTTP (a real server on loopback)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path


async def test_remi_chat_drives_a_remote_agent(tmp_path: Path) -> None:
    from transport.transport_helpers import running

    from remi_web import AgentBuilder
    from remi_web.cli.demo import calculator
    from remi_web.server import ServerConfig, create_app
    from remi_web.testing.mock_model import MockModel

    builder = AgentBuilder().model(MockModel()).tools(calculator)
    app = create_app(builder, ServerConfig(db=str(tmp_path / "server.db"), token="t0k"))
    async with running(app) as root:
        env = {**os.environ, "REMI_DATA_DIR": str(tmp_path)}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "remi_web.cli.main", "chat", "--url", root, "--token", "t0k",
            "-m", "what is 6*7?", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
    text = out.decode()
    assert process.returncode == 0, text + err.decode()
    assert text.splitlines()[0] == f"remi chat: remote agent at {root}"
    assert "→ calculator" in text and "6*7 = 42." in text
