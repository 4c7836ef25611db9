"""An agent uses the tools of an MCP server over streamable HTTP on loopback, through the
official SDK; the server is a FastMCP server (the SDK's own), the judge of what reached it."""

from __future__ import annotations

from typing import Any

import mcp_scenarios as scenarios
import pytest

from remi_web.mcp import HttpServer, McpError, McpSdkClient, McpToolset, mcp_tools


@pytest.fixture
def connect(mcp_http_url: str) -> scenarios.Connect:
    def connected(**options: Any) -> McpToolset:
        return mcp_tools(http=[mcp_http_url], **options)

    return connected


async def test_calls_and_progress(connect: scenarios.Connect) -> None:
    await scenarios.calls_and_progress(connect)


async def test_a_tool_error_is_a_tool_result_the_model_reads(connect: scenarios.Connect) -> None:
    await scenarios.tool_error(connect)


async def test_invalid_arguments_never_reach_the_server(connect: scenarios.Connect) -> None:
    await scenarios.invalid_arguments_stay_local(connect)


@pytest.mark.parametrize(
    ("answer", "expected", "reached"),
    [
        (True, "deleted KEY", 1),
        ({"approved": True, "arguments": "edited below"}, "deleted KEY-edited", 1),
        (False, "The user denied this call.", 0),
    ],
    ids=["approved", "edited", "denied"],
)
async def test_approval_pauses_and_the_answer_decides(
    connect: scenarios.Connect, answer: Any, expected: str, reached: int
) -> None:
    await scenarios.approval(connect, answer, expected, reached)


async def test_approval_by_predicate(connect: scenarios.Connect) -> None:
    await scenarios.approval_by_predicate(connect)


async def test_listing_changes_are_offered_on_the_next_model_call(connect: scenarios.Connect) -> None:
    await scenarios.listing_changes(connect)


async def test_listing_changes_announced_to_listeners(connect: scenarios.Connect) -> None:
    await scenarios.listing_changes_announced_to_listeners(connect)


async def test_a_slow_call_is_stopped_and_the_connection_lives_on(connect: scenarios.Connect) -> None:
    await scenarios.a_slow_call_is_stopped_and_the_connection_lives_on(connect)


async def test_images_and_text(connect: scenarios.Connect) -> None:
    await scenarios.images_and_text(connect)


async def test_allowed_and_prefixed(connect: scenarios.Connect) -> None:
    await scenarios.allowed_and_prefixed(connect)


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
