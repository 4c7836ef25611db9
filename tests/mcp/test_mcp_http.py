"""An agent uses the tools of an MCP server over streamable HTTP on loopback, through the
official SDK; the server is a FastMCP server (the SDK's own), the judge of what reached it."""

from __future__ import annotations

from typing import Any

import mcp_scenarios as scenarios
import pytest
from mcp_connection_tests import *  # noqa: F403 - the shared scenarios, on this connection

from remi_web.mcp import HttpServer, McpError, McpSdkClient, McpToolset, mcp_tools


@pytest.fixture
def connect(mcp_http_url: str) -> scenarios.Connect:
    def connected(**options: Any) -> McpToolset:
        return mcp_tools(http=[mcp_http_url], **options)

    return connected


async def test_the_sdk_client_is_used_natively_and_headers_are_sent(mcp_http_url: str) -> None:
    server = HttpServer(mcp_http_url, headers={"Authorization": "Bearer sekrit"})
    assert "sekrit" not in repr(server)
    async with mcp_tools(server) as tools:
        [client] = tools.clients
        assert isinstance(client, McpSdkClient)
        assert client.protocol_version is not None
        assert await scenarios.call_once(tools, "header", {"name": "authorization"}) == "Bearer sekrit"


async def test_the_page_client_reads_answers_given_as_json_bodies(mcp_json_url: str) -> None:
    def connected(**options: Any) -> McpToolset:
        return mcp_tools(http=[mcp_json_url], http_client="page", **options)

    # A JSON body carries the answer alone: this server then sends no progress notifications.
    async with connected() as tools:
        assert await scenarios.call_once(tools, "add", {"a": 20, "b": 22}) == "42"
        assert await scenarios.call_once(tools, "count_to", {"steps": 2}) == "counted to 2"
    await scenarios.tool_error(connected)
    await scenarios.invalid_arguments_stay_local(connected)


async def test_an_unreachable_server_is_a_clear_error(mcp_http_url: str) -> None:
    wrong = mcp_http_url.replace("/mcp", "/nothing-here")
    tools = mcp_tools(http=[wrong])
    with pytest.raises(McpError, match="nothing-here"):
        await tools.connect()
