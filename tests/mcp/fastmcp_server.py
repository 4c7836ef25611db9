"""An MCP server written with the official SDK's FastMCP (`MCPServer` in mcp 2.x), the oracle the
MCP tests and examples/mcp_tools.py run against.

    python tests/mcp/fastmcp_server.py              # over stdio
    python tests/mcp/fastmcp_server.py --http PORT  # streamable HTTP on 127.0.0.1:PORT/mcp
    python tests/mcp/fastmcp_server.py --http PORT --json  # the same, answers as JSON bodies

Over HTTP, CORS is open (and `Mcp-Session-Id` exposed) so that a page may call it. It counts
every `tools/call` it receives, before any validation (`calls`), so a test can tell that a call
never reached it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
from typing import Any, Literal

import anyio
import mcp_types
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import Context, Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

# A 1x1 transparent PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

server = MCPServer("remi-test-server", log_level="WARNING")
received: list[str] = []
"""The name and arguments (JSON) of every tools/call received, valid or not."""
naps_by_marker: dict[str, str] = {}


async def record_calls(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Server middleware: note each tools/call before the SDK validates it."""
    if ctx.method == "tools/call" and ctx.params is not None:
        received.append(json.dumps(dict(ctx.params), sort_keys=True))
    return await call_next(ctx)


server.middleware.append(record_calls)


@server.tool()
def add(a: int, b: int) -> int:
    """Add two whole numbers."""
    return a + b


@server.tool()
async def count_to(steps: int, ctx: Context) -> str:
    """Count up to `steps`, reporting progress at each step."""
    for step in range(1, steps + 1):
        await ctx.report_progress(step, steps, f"step {step} of {steps}")
    return f"counted to {steps}"


@server.tool()
async def nap(seconds: float, marker: str = "") -> str:
    """Sleep for `seconds`, then say so; `naps(marker)` tells how it went."""
    naps_by_marker[marker] = "asleep"
    try:
        await anyio.sleep(seconds)
    except anyio.get_cancelled_exc_class():
        naps_by_marker[marker] = "cancelled"
        raise
    naps_by_marker[marker] = "awake"
    return f"slept {seconds} s"


@server.tool()
def naps(marker: str) -> str:
    """How the nap marked `marker` went: asleep, awake, cancelled (the client gave up), or
    unknown."""
    return naps_by_marker.get(marker, "unknown")


@server.tool()
def fail(reason: str) -> str:
    """Fail on purpose with `reason`."""
    raise ToolError(reason)


@server.tool()
def delete_record(key: str) -> str:
    """Delete a record (the agent asks a human first)."""
    return f"deleted {key}"


@server.tool(structured_output=False)
def picture(caption: str) -> list[Any]:
    """A caption and a tiny PNG image."""
    return [caption, Image(data=PIXEL, format="png")]


@server.tool()
def calls(marker: str) -> int:
    """How many tools/call requests that mention `marker` this server received (not counting
    calls of this tool)."""
    return sum(1 for call in received if marker in call and '"name": "calls"' not in call)


@server.tool()
def header(name: str, ctx: Context) -> str:
    """The value of HTTP request header `name` ("" when absent, or over stdio)."""
    headers = ctx.headers or {}
    return str(headers.get(name.lower(), ""))


@server.tool()
def pid() -> int:
    """This server's process id."""
    return os.getpid()


@server.tool()
async def grow(name: str, ctx: Context, via: Literal["request", "listen"] = "request") -> str:
    """Add a tool called `name` (it echoes its text) and announce that the tools changed:
    `request` on this call's own stream (before the answer), `listen` to the listeners
    (a 2026-07-28 `subscriptions/listen` stream, or an older client's standalone stream)."""

    def echo(text: str) -> str:
        return f"{name}: {text}"

    server.add_tool(echo, name=name, description=f"Echo text (added at run time as {name}).")
    await announce(ctx, via)
    return f"added {name}"


@server.tool()
async def shrink(name: str, ctx: Context) -> str:
    """Remove the tool called `name` and announce that the tools changed."""
    server.remove_tool(name)
    await announce(ctx, "request")
    return f"removed {name}"


async def announce(ctx: Context, via: str) -> None:
    """Tell the client that the tools changed."""
    if via == "request":
        notification = mcp_types.ToolListChangedNotification()
        await ctx.session.send_notification(notification, related_request_id=ctx.request_id)
    elif ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        await ctx.notify_tools_changed()
    else:
        await ctx.session.send_tool_list_changed()


def serve_http(port: int, json_response: bool = False) -> None:
    """Streamable HTTP on loopback, open to any origin (a test page's); answers as SSE streams,
    or as JSON bodies with `json_response`."""
    import uvicorn
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.middleware.cors import CORSMiddleware

    app = server.streamable_http_app(
        json_response=json_response,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["mcp-session-id", "mcp-protocol-version"],
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP on this port")
    parser.add_argument("--json", action="store_true", help="over HTTP, answer with JSON, not SSE")
    options = parser.parse_args()
    if options.http:
        serve_http(options.http, options.json)
    else:
        server.run()


if __name__ == "__main__":
    main()
