"""Small helpers shared by the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from collections.abc import AsyncIterator
from typing import TypeVar

from remi_web import AgentEvent

T = TypeVar("T")


async def collect(stream: AsyncIterator[T]) -> list[T]:
    """Every item of `stream`."""
    return [item async for item in stream]


def types(events: list[AgentEvent]) -> list[str]:
    """The `type` of each event."""
    return [event.type for event in events]


def of_type(events: list[AgentEvent], kind: type[T]) -> list[T]:
    """The events of one class."""
    return [event for event in events if isinstance(event, kind)]


def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int) -> None:
    """Return once something listens on loopback `port` (bounded: ~30 s)."""
    for _ in range(300):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def lane_service_url(name: str) -> str:
    """Under Pyodide, the URL of the loopback server `name` that the lane's host started
    (tests/pyodide_lane/lane_services.py); a clear failure if it is not set."""
    url = os.environ.get(name)
    if not url:
        raise RuntimeError(
            f"{name} is not set inside Pyodide: the lane's host starts the servers of "
            "tests/pyodide_lane/lane_services.py; run the lane through tests/test_pyodide_lane.py"
        )
    return url


def mypy_strict(tmp_path: Path, snippet: str) -> str:
    """What `mypy --strict` prints for `snippet` (dedented), checked as a file in `tmp_path`."""
    path = tmp_path / "snippet.py"
    path.write_text(textwrap.dedent(snippet))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    return result.stdout
