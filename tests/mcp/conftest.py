"""The FastMCP test server (fastmcp_server.py) over streamable HTTP: natively one process on
loopback for the whole session (`mcp_http_url`; the Pyodide lane provides the same fixture its
own way). Scenarios mark their calls, so they can share it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from helpers import free_port, lane_service_url, wait_for_port
from mcp_scenarios import server_command


@pytest.fixture(scope="session")
def mcp_http_url() -> Iterator[str]:
    """The test server over streamable HTTP on a free loopback port; its endpoint URL. In the
    Pyodide lane: the one the lane's host started (tests/pyodide_lane/lane_services.py)."""
    if sys.platform == "emscripten":
        yield lane_service_url("REMI_LANE_MCP_URL")
        return
    yield from serving()


@pytest.fixture(scope="session")
def mcp_json_url() -> Iterator[str]:
    """The same, answering with JSON bodies instead of SSE streams (natively only)."""
    yield from serving("--json")


def serving(*options: str) -> Iterator[str]:
    """Run the test server over HTTP until the generator is closed; yield its endpoint URL."""
    port = free_port()
    command = [*server_command(), "--http", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        assert process.poll() is None, "the MCP test server exited"
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
