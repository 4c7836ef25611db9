"""The mock OpenAI-compatible server in its own process on loopback (`remi mock-llm`), so
its work does not share the client's event loop or CPU time."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

START_TIMEOUT_S = 20.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def mock_server() -> Iterator[str]:
    """Start `remi mock-llm` on a free loopback port (no pacing); yield its `/v1` URL."""
    port = free_port()
    command = [sys.executable, "-m", "remi_web.testing.mock_server", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "error"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base + "/health", "the mock server")
        yield base + "/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(process: subprocess.Popen[bytes], url: str, what: str) -> None:
    """Return once `GET url` answers 200; raise naming `what` if the process dies or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"{what} exited: {error[-2000:]}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {START_TIMEOUT_S:g} s")
        time.sleep(0.05)
