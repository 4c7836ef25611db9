"""`ServerProcess`: `remi serve` in a process (group) of its own, for the tests that kill
servers with SIGKILL or run several of them on one database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx

HERE = Path(__file__).parent


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    """One `remi serve AGENT --db DB` on a free loopback port, without authentication.

    Args:
        agent: MODULE:ATTRIBUTE (the module in `folder` or in tests/transport).
        db: an SQLite path or a `postgresql://` URL.
        folder: the working directory (the server's log goes to `<folder>/<name>.log`).
        env: extra environment variables.
        args: extra `remi serve` options.
        name: names the log file and, as `REMI_NODE_NAME`, the server's "host" in leases.
    """

    def __init__(
        self,
        agent: str,
        db: str,
        folder: Path,
        *,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
        name: str = "server",
    ) -> None:
        self.agent, self.db, self.folder, self.name = agent, db, folder, name
        self.env = env or {}
        self.args = args
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        """Where the server writes its log."""
        return self.folder / f"{self.name}.log"

    async def start(self) -> None:
        """Start the server and wait (bounded) until it answers `/healthz`."""
        env = {**os.environ, "PYTHONPATH": f"{self.folder}:{HERE}", **self.env}
        command = [
            sys.executable, "-m", "remi_web.cli.main", "serve", self.agent,
            "--port", str(self.port), "--db", self.db, "--log-level", "warning",
            "--insecure-no-auth", *self.args,
        ]
        self.process = subprocess.Popen(
            command, cwd=self.folder, env=env, stdout=subprocess.DEVNULL,
            stderr=open(self.log, "ab"), start_new_session=True,
        )
        async with httpx.AsyncClient(timeout=2) as client:
            for _ in range(600):  # bounded: ~30 s
                assert self.process.poll() is None, self.log.read_text()
                try:
                    if (await client.get(self.root + "/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"the server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the server's whole process group."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Stop the server gracefully (SIGKILL after 10 s); safe when already stopped."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def executions(side: Path) -> Counter[tuple[str, str, str]]:
    """(tool, run id, call id) -> how many times the served tools ran that call."""
    lines = side.read_text().splitlines() if side.exists() else []
    return Counter(tuple(line.split()) for line in lines)  # type: ignore[misc]
