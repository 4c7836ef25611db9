"""An agent with MCP tools served by `remi serve`'s app: the server opens the toolset when it
starts (the stdio server's process lives as long as the app) and closes it when it stops; a
caller over HTTP uses the MCP tool like any other."""

from __future__ import annotations

import os
from pathlib import Path

import mcp_scenarios as scenarios
import pytest
from helpers import collect, of_type
from transport.transport_helpers import running

from remi_web import AgentBuilder, Done, HttpAgent, MemoryStore, ScriptedModel, ToolCall, ToolResult
from remi_web.mcp import mcp_tools
from remi_web.server import ServerConfig, create_app


async def test_the_server_keeps_the_agents_mcp_servers_open_while_it_serves(tmp_path: Path) -> None:
    tools = mcp_tools(stdio=[scenarios.server_command()])
    model = ScriptedModel([[ToolCall("pid", {})], ["That is the server's pid."]])
    agent = AgentBuilder().model(model).toolsets(tools).store(MemoryStore()).build()
    app = create_app(agent, ServerConfig(db=str(tmp_path / "runs.db"), insecure_no_auth=True))
    async with running(app) as root:
        events = await collect(HttpAgent(root).chat("which process answers?"))
        assert isinstance(events[-1], Done), events[-1]
        [result] = of_type(events, ToolResult)
        assert not result.is_error, result.content
        pid = int(str(result.content))
        os.kill(pid, 0)  # the stdio server lives while the app serves
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # and ends with it
