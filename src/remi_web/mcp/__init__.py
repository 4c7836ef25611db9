"""MCP servers' tools for agents: `mcp_tools(...)` connects to servers over stdio and streamable
HTTP and gives their tools to an agent as a toolset (`AgentBuilder().toolsets(...)`), kept up to
date with their listings, with approvals, progress and tool errors as for any other tool.

Natively the official `mcp` SDK is the client (`McpSdkClient`, imported on first use); in the
page (Pyodide), where the SDK does not run, `McpHttpClient` speaks streamable HTTP on the
browser's fetch. See docs/mcp.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .client import McpClient, ProgressHandler
from .connect import HttpClientKind, mcp_tools
from .errors import McpError, McpToolError
from .http_client import McpHttpClient
from .listing import McpToolInfo
from .policy import ApprovalPolicy, ToolFilter
from .servers import HttpServer, McpServer, StdioServer
from .tool import McpTool
from .toolset import McpToolset

if TYPE_CHECKING:
    from .sdk_client import McpSdkClient


def __getattr__(name: str) -> object:
    # The SDK's client loads only when asked for: the page has no SDK.
    if name == "McpSdkClient":
        from .sdk_client import McpSdkClient

        return McpSdkClient
    raise AttributeError(f"module 'remi_web.mcp' has no attribute {name!r}")


__all__ = [
    "ApprovalPolicy", "HttpClientKind", "HttpServer", "McpClient", "McpError", "McpHttpClient",
    "McpSdkClient", "McpServer", "McpTool", "McpToolError", "McpToolInfo", "McpToolset",
    "ProgressHandler", "StdioServer", "ToolFilter", "mcp_tools",
]
