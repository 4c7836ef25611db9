"""The loopback servers the Pyodide lane's tests talk to over real HTTP, started on the host.

Inside Pyodide nothing can listen on a socket, so the lane's host side (pyodide_lane_plugin.py)
starts each service below with the project's own .venv (the lane's .venv-lane has no server
packages), on a free loopback port, and puts its URL into Pyodide's `os.environ` under the
service's name before the tests run. The fixtures that natively start the same server per test
(`mock_llm` in tests/conftest.py, `mcp_http_url` in tests/mcp/conftest.py) read that variable
under Pyodide instead (`helpers.lane_service_url`). Both runtimes reach loopback with fetch: under node
directly, in chromium across origins (the services send open CORS headers).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"


@dataclass(frozen=True)
class Service:
    """A server the lane starts: its command (with `{port}`) and the path its URL ends with."""

    argv: tuple[str, ...]
    path: str


SERVICES: dict[str, Service] = {
    "REMI_LANE_MOCK_LLM_URL": Service(("-m", "remi_web.testing.mock_server", "--port", "{port}"), "/v1"),
    "REMI_LANE_MCP_URL": Service(("tests/mcp/fastmcp_server.py", "--http", "{port}"), "/mcp"),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"the lane service {name} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the lane service {name} did not listen on port {port} within 30 s")


@contextmanager
def running_services() -> Iterator[dict[str, str]]:
    """Start every service; yield `{name: url}`; stop them all on exit."""
    python = str(PYTHON) if PYTHON.is_file() else sys.executable
    started: list[subprocess.Popen[bytes]] = []
    urls: dict[str, str] = {}
    try:
        for name, service in SERVICES.items():
            port = _free_port()
            argv = [python, *(part.format(port=port) for part in service.argv)]
            process = subprocess.Popen(
                argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            started.append(process)
            _wait(port, process, name)
            urls[name] = f"http://127.0.0.1:{port}{service.path}"
        yield urls
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
