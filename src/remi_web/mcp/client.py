"""`McpClient`: what an `McpToolset` needs of a connection to one MCP server. `McpSdkClient`
(the official SDK, native) and `McpHttpClient` (streamable HTTP on remi_web.http, the page's)
are the two there are."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, TypeAlias

from ..core.schema_types import JsonValue
from .listing import McpToolInfo

ProgressHandler: TypeAlias = Callable[[float, float | None, str | None], None]
"""Told each progress notification of a call: `(progress, total, message)`."""


class McpClient(Protocol):
    """A connection to one MCP server."""

    @property
    def label(self) -> str:
        """How messages name the server."""
        ...

    @property
    def changes(self) -> int:
        """How many times the server said its tools changed (`notifications/tools/list_changed`,
        or a `subscriptions/listen` event) since `open()`."""
        ...

    async def open(self) -> None:
        """Connect (and start the server, for stdio); `McpError` when it fails."""
        ...

    async def list_tools(self) -> list[McpToolInfo]:
        """Every tool the server lists now (all pages)."""
        ...

    async def call_tool(
        self, name: str, arguments: Mapping[str, JsonValue], on_progress: ProgressHandler
    ) -> dict[str, JsonValue]:
        """Call tool `name`; its `CallToolResult` as JSON. Progress notifications of the call
        reach `on_progress` as they arrive. `McpError` when the call itself fails."""
        ...

    async def aclose(self) -> None:
        """Disconnect (a stdio server's process ends); safe to call twice."""
        ...
