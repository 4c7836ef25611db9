"""The page's MCP client (`McpHttpClient`, streamable HTTP on remi_web.http's transport: fetch in
the page, httpx natively) used by an agent against the FastMCP test server over HTTP, the
official SDK's server being the judge. The server's URL comes from the `mcp_http_url` fixture,
so these tests can run in the Pyodide lane too."""

from __future__ import annotations

from typing import Any

import mcp_scenarios as scenarios
import pytest
from mcp_connection_tests import *  # noqa: F403 - the shared scenarios, on this connection

from remi_web.http.default import default_transport
from remi_web.http.transport import HttpRequest
from remi_web.mcp import HttpServer, McpError, McpHttpClient, McpToolset, mcp_tools
from remi_web.mcp.http_client import PROTOCOL_VERSIONS, SESSION_HEADER, VERSION_HEADER

pytestmark = pytest.mark.pyodide


@pytest.fixture
def connect(mcp_http_url: str) -> scenarios.Connect:
    def connected(**options: Any) -> McpToolset:
        return mcp_tools(http=[mcp_http_url], http_client="page", **options)

    return connected


async def test_the_handshake_agrees_a_version_and_a_session_that_closing_ends(mcp_http_url: str) -> None:
    server = HttpServer(mcp_http_url, headers={"Authorization": "Bearer page-token"})
    async with mcp_tools(server, http_client="page") as tools:
        [client] = tools.clients
        assert isinstance(client, McpHttpClient)
        assert client.protocol_version in PROTOCOL_VERSIONS
        session = client.session_id
        assert session
        sent = await scenarios.call_once(tools, "header", {"name": "authorization"})
        assert sent == "Bearer page-token"
    assert client.session_id is None
    # The server forgot the session when the client closed it (DELETE): it now answers 404.
    assert await post_with_session(mcp_http_url, session, client.protocol_version) == 404


async def test_a_session_the_server_forgot_is_started_again(mcp_http_url: str) -> None:
    async with mcp_tools(http=[mcp_http_url], http_client="page") as tools:
        [client] = tools.clients
        assert isinstance(client, McpHttpClient)
        first = client.session_id
        assert first is not None
        await end_session(mcp_http_url, first, client.protocol_version)
        assert await scenarios.call_once(tools, "add", {"a": 1, "b": 1}) == "2"
        assert client.session_id not in (None, first)


async def test_an_unreachable_endpoint_is_a_clear_error(mcp_http_url: str) -> None:
    wrong = mcp_http_url.replace("/mcp", "/nothing-here")
    with pytest.raises(McpError, match=r"nothing-here.*HTTP 404"):
        await mcp_tools(http=[wrong], http_client="page").connect()


async def post_with_session(url: str, session: str, version: str | None) -> int:
    """The status of a `tools/list` POST made with an old session id."""
    body = b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}'
    headers = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
        SESSION_HEADER: session,
        VERSION_HEADER: version or PROTOCOL_VERSIONS[0],
    }
    transport = default_transport()
    try:
        response = await transport.send(HttpRequest("POST", url, headers, body))
        await response.aclose()
        return response.status
    finally:
        await transport.aclose()


async def end_session(url: str, session: str, version: str | None) -> None:
    """End a session behind its client's back (as a server restart would)."""
    headers = {SESSION_HEADER: session, VERSION_HEADER: version or PROTOCOL_VERSIONS[0]}
    transport = default_transport()
    try:
        response = await transport.send(HttpRequest("DELETE", url, headers))
        await response.aclose()
        assert response.status < 300
    finally:
        await transport.aclose()
