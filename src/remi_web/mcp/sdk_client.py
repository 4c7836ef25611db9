"""`McpSdkClient`: one MCP server through the official `mcp` SDK, natively: a child process over
stdio, or streamable HTTP (httpx2). The SDK picks the protocol era (it tries the 2026-07-28
`server/discover` first, then the `initialize` handshake).

The SDK's connection is a stack of anyio task groups that must be entered and left by one task,
so it lives in a task of its own, from `open()` to `aclose()`: tools can then be called from
any task (the loop runs each call in its own), and the toolset opened and closed from different
ones (a test fixture, a server's lifespan).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Any

import anyio
from anyio.abc import TaskStatus
import httpx2
import mcp_types
from mcp import Client, StdioServerParameters, stdio_client
from mcp.client.session import IncomingMessage
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from ..core.schema_types import JsonValue
from .client import ProgressHandler
from .errors import McpError
from .listing import McpToolInfo, read_page
from .servers import HttpServer, McpServer, StdioServer

_log = logging.getLogger(__name__)
_PAGE_LIMIT = 1000
_HTTP_TIMEOUT = httpx2.Timeout(30.0, read=300.0)


class McpSdkClient:
    """One MCP server through the official SDK's `Client` (an `McpClient`).

    Tool listing changes are counted from `notifications/tools/list_changed`, and on a
    2026-07-28 connection from a `subscriptions/listen` stream it keeps open.

    Args:
        server: a `StdioServer` (started now, stopped by `aclose()`) or an `HttpServer`.
        read_timeout: seconds to wait for any one answer (default: the SDK's, none).
    """

    def __init__(self, server: McpServer, *, read_timeout: float | None = None) -> None:
        self._server = server
        self._read_timeout = read_timeout
        self._client: Client | None = None
        self._changes = 0
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None

    @property
    def label(self) -> str:
        """The command line, or the URL without credentials."""
        return self._server.label

    @property
    def changes(self) -> int:
        """How many times the server said its tools changed since `open()`."""
        return self._changes

    @property
    def protocol_version(self) -> str | None:
        """The protocol version the SDK agreed on (None when not connected)."""
        return None if self._client is None else self._client.protocol_version

    async def open(self) -> None:
        """Start the connection's task and wait until the SDK has connected."""
        if self._task is not None:
            return
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()
        self._task = asyncio.ensure_future(self._run(ready, self._stop))
        try:
            await ready
        except BaseException as error:
            await self.aclose()
            if isinstance(error, (McpError, asyncio.CancelledError)):
                raise
            raise McpError(f"cannot connect to MCP server {self.label}: {_describe(error)}") from error

    async def list_tools(self) -> list[McpToolInfo]:
        """Every tool the server lists now (all pages)."""
        client = self._connected()
        tools: list[McpToolInfo] = []
        cursor: str | None = None
        for _ in range(_PAGE_LIMIT):
            try:
                page = await client.list_tools(cursor=cursor)
            except MCPError as error:
                raise McpError(
                    f"MCP server {self.label} refused tools/list: {error.message}", rpc_code=error.code
                ) from None
            found, cursor = read_page(_json(page), self.label)
            tools.extend(found)
            if cursor is None:
                return tools
        raise McpError(f"MCP server {self.label} listed more than {_PAGE_LIMIT} pages of tools.")

    async def call_tool(
        self, name: str, arguments: Mapping[str, JsonValue], on_progress: ProgressHandler
    ) -> dict[str, JsonValue]:
        """Call tool `name`; its `CallToolResult` as JSON."""
        client = self._connected()

        async def progress(progress: float, total: float | None, message: str | None) -> None:
            on_progress(progress, total, message)

        try:
            result = await client.call_tool(
                name, dict(arguments), self._read_timeout, progress_callback=progress
            )
        except MCPError as error:
            raise McpError(
                f"MCP server {self.label} refused the call of {name!r}: {error.message}",
                rpc_code=error.code,
            ) from None
        return _json(result)

    async def aclose(self) -> None:
        """End the connection's task: the SDK closes the session (a stdio server's stdin,
        then its process). Safe to call twice."""
        task, self._task = self._task, None
        if task is None:
            return
        if self._stop is not None:
            self._stop.set()
        try:
            await task
        except asyncio.CancelledError:
            if not task.cancelled():
                raise

    async def _run(self, ready: asyncio.Future[None], stop: asyncio.Event) -> None:
        """The connection's lifetime: connect, say so, wait for `aclose()`, disconnect."""
        try:
            async with AsyncExitStack() as stack:
                client = await stack.enter_async_context(
                    Client(
                        await self._transport(stack),
                        message_handler=self._on_message,
                        read_timeout_seconds=self._read_timeout,
                        cache=None,  # listings are always fetched anew; a change is counted at once
                    )
                )
                self._client = client
                async with anyio.create_task_group() as group:
                    if _offers_listen(client):  # listening before any tool is called
                        await group.start(self._listen, client)
                    if not ready.done():  # (not when `open()` was cancelled meanwhile)
                        ready.set_result(None)
                    await stop.wait()
                    group.cancel_scope.cancel()
        except BaseException as error:
            if not ready.done():
                ready.set_exception(error)
            else:
                self._failure = error
                _log.warning("The connection to MCP server %s ended: %s", self.label, _describe(error))
            if isinstance(error, asyncio.CancelledError):
                raise
        finally:
            self._client = None

    async def _transport(self, stack: AsyncExitStack) -> Any:
        """The SDK transport for the server (an async context manager the `Client` enters)."""
        server = self._server
        if isinstance(server, StdioServer):
            params = StdioServerParameters(
                command=server.command,
                args=list(server.args),
                env=None if server.env is None else dict(server.env),
                cwd=server.cwd,
            )
            return stdio_client(params)
        assert isinstance(server, HttpServer)
        if not server.headers:
            return streamable_http_client(server.url)
        http = await stack.enter_async_context(
            httpx2.AsyncClient(headers=dict(server.headers), timeout=_HTTP_TIMEOUT)
        )
        return streamable_http_client(server.url, http_client=http)

    async def _on_message(self, message: IncomingMessage) -> None:
        if isinstance(message, mcp_types.ToolListChangedNotification):
            self._changes += 1

    async def _listen(
        self, client: Client, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Keep a `subscriptions/listen` stream open (started once the server acknowledged
        it): its tool-list events reach `_on_message` as notifications."""
        started = False
        try:
            async with client.listen(tools_list_changed=True) as subscription:
                task_status.started()
                started = True
                async for _event in subscription:
                    pass
        except Exception as error:  # no stream: changes that ride the answers still count
            _log.info("MCP server %s: no subscriptions/listen stream (%s)", self.label, _describe(error))
        if not started:
            task_status.started()

    def _connected(self) -> Client:
        client = self._client
        if client is None:
            reason = "" if self._failure is None else f": {_describe(self._failure)}"
            raise McpError(f"MCP server {self.label} is not connected{reason}.")
        return client

    def __repr__(self) -> str:
        return f"McpSdkClient({self.label!r}, connected={self._client is not None})"


def _offers_listen(client: Client) -> bool:
    """Whether the connection is 2026-07-28 and the server announces tool-list changes."""
    if client.protocol_version not in MODERN_PROTOCOL_VERSIONS:
        return False
    tools = client.server_capabilities.tools
    return tools is not None and bool(tools.list_changed)


def _json(model: Any) -> dict[str, JsonValue]:
    """An SDK result as the protocol's JSON (camelCase keys)."""
    dumped: dict[str, JsonValue] = model.model_dump(by_alias=True, mode="json", exclude_none=True)
    return dumped


def _describe(error: BaseException) -> str:
    """A short account of `error` (an exception group's first leaf)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
