"""What can go wrong with an MCP server: it cannot be reached or answers with an error
(`McpError`), or a tool reports a failure (`McpToolError`)."""

from __future__ import annotations

from ..core.errors import RemiError


class McpError(RemiError):
    """An MCP server could not be reached, closed, or answered with a protocol error.

    Args:
        message: what happened, naming the server.
        code: the JSON-RPC error code, when the server gave one.
    """

    code = "mcp_error"

    def __init__(self, message: str, *, rpc_code: int | None = None) -> None:
        super().__init__(message)
        self.rpc_code = rpc_code


class McpToolError(RemiError):
    """An MCP tool answered with `isError`: its text goes back to the model as a tool error."""

    code = "mcp_tool_error"
