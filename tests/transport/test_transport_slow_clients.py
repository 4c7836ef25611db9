"""Slowloris against `remi serve` with few file descriptors (256): 300 connections that send
their request head a byte at a time. The health check still answers, and the log stays small.
Loopback only, bounded in count and time."""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

SLOW, FD_LIMIT = 300, 256


def limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


async def slow_client(port: int, stop: asyncio.Event) -> None:
    """Send a request head one byte at a time until `stop` (or the server hangs up)."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
    try:
        for byte in head:
            if stop.is_set() or reader.at_eof():
                break
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.5)
    except OSError:
        pass
    finally:
        writer.close()


@pytest.mark.timeout(120)
async def test_slow_clients_do_not_starve_the_server(tmp_path: Path) -> None:
    (tmp_path / "served.py").write_text(textwrap.dedent('''
        from remi_web import AgentBuilder, ScriptedModel
        agent = AgentBuilder().model(ScriptedModel([])).build()
    '''))
    from test_transport_serve_cli import free_port

    port, log = free_port(), tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMI_")}
    env["PYTHONPATH"] = ""
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "remi_web.cli.main", "serve", "served:agent", "--port",
             str(port), "--db", str(tmp_path / "runs.db"), "--insecure-no-auth",
             "--header-timeout", "3", "--log-level", "warning"],
            cwd=tmp_path, env=env, stdout=sink, stderr=sink, preexec_fn=limit_descriptors,
        )
    root = f"http://127.0.0.1:{port}"
    stop = asyncio.Event()
    try:
        async with httpx.AsyncClient(timeout=1) as client:
            for _ in range(300):  # bounded: ~15 s
                try:
                    if (await client.get(root + "/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
            attackers = [asyncio.create_task(slow_client(port, stop)) for _ in range(SLOW)]
            await asyncio.sleep(1)  # all of them connected and trickling
            answers = []
            for _ in range(10):  # over ~6 s, past the header timeout
                try:
                    answers.append((await client.get(root + "/healthz")).status_code)
                except httpx.HTTPError as error:
                    answers.append(type(error).__name__)
                await asyncio.sleep(0.5)
            stop.set()
            await asyncio.gather(*attackers)
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert answers == [200] * 10, answers
    assert log.stat().st_size < 1_000_000
