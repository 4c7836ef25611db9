"""`mcp_tools(...)`: an `McpToolset` for some MCP servers, each through the client that fits
where the code runs (the one platform choice of this package)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Literal

from ..core.errors import ConfigurationError
from ..http.transport import HttpTransport
from .client import McpClient
from .http_client import McpHttpClient
from .policy import ApprovalPolicy, ToolFilter
from .servers import HttpServer, McpServer, StdioServer, http_server, stdio_server
from .toolset import McpToolset

HttpClientKind = Literal["sdk", "page"]
"""Which client speaks to an HTTP server: the official SDK (native only) or `McpHttpClient`."""


def mcp_tools(
    *servers: McpServer,
    stdio: Sequence[StdioServer | Sequence[str]] = (),
    http: Sequence[HttpServer | str] = (),
    prefix: str | None = None,
    allowed: ToolFilter = None,
    requires_approval: ApprovalPolicy = False,
    http_client: HttpClientKind | None = None,
    transport: HttpTransport | None = None,
) -> McpToolset:
    """The tools of MCP servers, for `AgentBuilder().toolsets(...)`; open it with `async with`.

    Natively the official `mcp` SDK connects (stdio and streamable HTTP); in the page
    (Pyodide) HTTP servers go through `McpHttpClient` on the browser's fetch, and stdio
    servers cannot be used.

    Args:
        servers: `StdioServer`s and `HttpServer`s.
        stdio: more stdio servers, each a `StdioServer` or a command line
            (`["python", "server.py"]`).
        http: more HTTP servers, each an `HttpServer` or a URL.
        prefix: put before every tool's name, with an underscore.
        allowed: which tools to offer, by the servers' names (default: all).
        requires_approval: which calls wait for a human: `True`, a collection of the
            servers' tool names, or a function of `(name, arguments)`.
        http_client: `"sdk"` (the native default) or `"page"` (the default in Pyodide; it
            works natively too, without the SDK).
        transport: the HTTP transport of the page client (default: the platform's).
    """
    chosen: list[McpServer] = [
        *servers, *(stdio_server(s) for s in stdio), *(http_server(h) for h in http)
    ]
    if not chosen:
        raise ConfigurationError("mcp_tools(...) needs at least one server (stdio=[...] or http=[...]).")
    in_page = sys.platform == "emscripten"
    kind = http_client or ("page" if in_page else "sdk")
    clients: list[McpClient] = []
    for server in chosen:
        if isinstance(server, HttpServer) and kind == "page":
            clients.append(McpHttpClient(server, transport=transport))
        elif in_page:
            raise ConfigurationError(
                f"MCP server {server.label}: in the page only HTTP servers with the page client "
                "can be used (a page cannot start processes, and the SDK does not run in Pyodide)."
            )
        else:
            clients.append(_sdk_client(server))
    return McpToolset(clients, prefix=prefix, allowed=allowed, requires_approval=requires_approval)


def _sdk_client(server: McpServer) -> McpClient:
    try:
        from .sdk_client import McpSdkClient
    except ImportError as error:
        raise ConfigurationError(
            f"MCP server {server.label} needs the official MCP SDK: pip install 'remi-web[mcp]' "
            f"({error}). HTTP servers also work without it: mcp_tools(..., http_client='page')."
        ) from error
    return McpSdkClient(server)
