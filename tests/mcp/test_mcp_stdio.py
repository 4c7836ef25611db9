"""An agent uses the tools of an MCP server started over stdio, through the official SDK; the
server is a FastMCP server (the SDK's own), the judge of what reached it."""

from __future__ import annotations

import os
from typing import Any

import mcp_scenarios as scenarios
import pytest
from helpers import collect
from mcp_connection_tests import *  # noqa: F403 - the shared scenarios, on this connection

from remi_web import AgentBuilder, ScriptedModel, ToolCall, ToolResult
from remi_web.core.errors import ConfigurationError
from remi_web.mcp import McpError, McpSdkClient, McpToolset, StdioServer, mcp_tools


def connect(**options: Any) -> McpToolset:
    return mcp_tools(stdio=[scenarios.server_command()], **options)


@pytest.fixture(name="connect")
def connect_fixture() -> scenarios.Connect:
    """The shared scenarios' connection: the test server started over stdio."""
    return connect


async def test_the_server_process_ends_with_the_toolset() -> None:
    tools = connect()
    async with tools:
        pid = await scenarios.server_pid(tools)
        os.kill(pid, 0)  # alive while the toolset is open
        assert isinstance(tools.clients[0], McpSdkClient)
        assert tools.clients[0].protocol_version is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    model = ScriptedModel([["hi"]])
    with pytest.raises(ConfigurationError, match="not connected"):
        await collect(scenarios.agent(model, tools).chat("hello"))


async def test_a_call_after_the_server_went_is_a_tool_error() -> None:
    async with connect() as tools:
        [add] = [tool for tool in tools.tools if tool.name == "add"]
        await tools.clients[0].aclose()  # the server goes away under a running agent
        model = ScriptedModel([[ToolCall("add", {"a": 1, "b": 2})], ["Oh."]])
        events = await collect(scenarios.agent(model, tools).chat("add"))
    [result] = [e for e in events if isinstance(e, ToolResult)]
    assert result.is_error and "not connected" in str(result.content)
    assert add.server in str(result.content)


async def test_a_server_that_cannot_start_is_a_clear_error() -> None:
    tools = mcp_tools(StdioServer("/nonexistent/mcp-server"))
    with pytest.raises(McpError, match="cannot connect to MCP server /nonexistent/mcp-server"):
        await tools.connect()
    assert tools.tools == ()


async def test_two_servers_need_prefixes_when_their_tools_share_names() -> None:
    both = mcp_tools(stdio=[scenarios.server_command(), scenarios.server_command()])
    with pytest.raises(ConfigurationError, match="both have a tool named 'add'.*prefix"):
        await both.connect()
    model = ScriptedModel([
        [ToolCall("left_add", {"a": 1, "b": 2}), ToolCall("right_add", {"a": 3, "b": 4})],
        ["3 and 7."],
    ])
    async with connect(prefix="left") as left, connect(prefix="right") as right:
        loop = AgentBuilder().model(model).toolsets(left, right).build()
        events = await collect(loop.chat("add twice"))
        pids = {
            await scenarios.call_once(left, "left_pid", {}),
            await scenarios.call_once(right, "right_pid", {}),
        }
    assert sorted(scenarios.results(events)) == [("left_add", "3", False), ("right_add", "7", False)]
    assert len(pids) == 2  # two processes
