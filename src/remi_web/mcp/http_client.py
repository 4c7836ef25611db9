"""`McpHttpClient`: a small MCP client over streamable HTTP, written on remi_web.http's transport
(fetch in the page, httpx natively). It is what the page uses: the official SDK does not run
under Pyodide (see docs/mcp.md).

It speaks the handshake era of the protocol (2025-11-25, 2025-06-18, 2025-03-26): JSON-RPC 2.0
in POSTs, answers as JSON or as an SSE stream, `initialize` then `notifications/initialized`,
the `Mcp-Session-Id` and `MCP-Protocol-Version` headers, `tools/list` (all pages), `tools/call`
with a `progressToken` whose `notifications/progress` are handed on as they arrive, and
`notifications/tools/list_changed`, whether it rides an answer's stream or the standalone GET
stream it keeps open while connected (an asyncio task: no thread). A session the server
forgot (404) is started again once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

from ..core.schema_types import JsonValue
from ..http.default import default_transport
from ..http.errors import ModelTimeoutError, NetworkError
from ..http.sse import aiter_events
from ..http.transport import HttpRequest, HttpResponse, HttpTransport, Timeouts
from . import jsonrpc
from .client import ProgressHandler
from .errors import McpError
from .listing import McpToolInfo, read_page
from .servers import HttpServer, http_server

PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26")
"""The protocol versions it speaks, newest (the one it asks for) first."""

DEFAULT_TIMEOUTS = Timeouts(connect=30.0, read=300.0)
"""Per POST: 30 s for the answer to start, 5 minutes of silence within a streamed answer."""

JSON = "application/json"
EVENT_STREAM = "text/event-stream"
SESSION_HEADER = "mcp-session-id"
VERSION_HEADER = "mcp-protocol-version"
_ERROR_BODY_LIMIT = 2048
_BODY_LIMIT = 16 * 1024 * 1024
_CLOSE_TIMEOUTS = Timeouts(connect=5.0, read=5.0)
_LISTEN_TIMEOUTS = Timeouts(connect=30.0, read=None)
_PAGE_LIMIT = 1000


class McpHttpClient:
    """One MCP server over streamable HTTP (an `McpClient`).

    Args:
        server: the endpoint (an `HttpServer`, or its URL).
        transport: the HTTP transport (default: fetch under Pyodide, httpx natively); one
            given is not closed by `aclose()`.
        timeouts: connect and read timeouts of each POST.
        listen: keep the server's standalone GET stream open for notifications that ride
            no answer (a server without one answers 405, and that is fine).
        client_name: the name it gives in `initialize`.
    """

    def __init__(
        self,
        server: HttpServer | str,
        *,
        transport: HttpTransport | None = None,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        listen: bool = True,
        client_name: str = "remi-web",
    ) -> None:
        self._server = http_server(server)
        self._transport = transport
        self._owns_transport = transport is None
        self._timeouts = timeouts
        self._listen_wanted = listen
        self._client_name = client_name
        self._session: str | None = None
        self._version: str | None = None
        self._next_id = 0
        self._changes = 0
        self._listener: asyncio.Task[None] | None = None
        self._notices: set[asyncio.Task[None]] = set()
        self._open = False

    @property
    def label(self) -> str:
        """The endpoint, without credentials."""
        return self._server.label

    @property
    def changes(self) -> int:
        """How many `notifications/tools/list_changed` arrived since `open()`."""
        return self._changes

    @property
    def protocol_version(self) -> str | None:
        """The version agreed in `initialize` (None before)."""
        return self._version

    @property
    def session_id(self) -> str | None:
        """The server's `Mcp-Session-Id`, if it gave one."""
        return self._session

    async def open(self) -> None:
        """`initialize`, `notifications/initialized`, then listen on the GET stream."""
        if self._open:
            return
        if self._transport is None:
            self._transport = default_transport()
        try:
            await self._initialize()
        except BaseException:
            await self.aclose()  # nothing stays open
            raise
        self._open = True
        if self._listen_wanted:
            self._listener = asyncio.ensure_future(self._listen())

    async def list_tools(self) -> list[McpToolInfo]:
        """Every tool the server lists (all pages)."""
        tools: list[McpToolInfo] = []
        cursor: str | None = None
        for _ in range(_PAGE_LIMIT):
            params: dict[str, JsonValue] = {} if cursor is None else {"cursor": cursor}
            page, cursor = read_page(await self._call("tools/list", params), self.label)
            tools.extend(page)
            if cursor is None:
                return tools
        raise McpError(f"MCP server {self.label} listed more than {_PAGE_LIMIT} pages of tools.")

    async def call_tool(
        self, name: str, arguments: Mapping[str, JsonValue], on_progress: ProgressHandler
    ) -> dict[str, JsonValue]:
        """`tools/call` with a progress token; its `CallToolResult` as JSON."""
        params: dict[str, JsonValue] = {"name": name, "arguments": dict(arguments)}
        return await self._call("tools/call", params, on_progress)

    async def aclose(self) -> None:
        """Stop listening, end the session (DELETE; a server may refuse, that is fine) and
        release the transport if this client made it. Safe to call twice."""
        self._open = False
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
        for notice in list(self._notices):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await notice
        transport = self._transport
        if transport is None:
            return
        if self._session is not None:
            request = HttpRequest("DELETE", self._server.url, self._headers(), None, _CLOSE_TIMEOUTS)
            with contextlib.suppress(NetworkError, ModelTimeoutError):
                await (await transport.send(request)).aclose()
            self._session = None
        if self._owns_transport:
            self._transport = None
            await transport.aclose()

    async def _initialize(self) -> None:
        self._session = self._version = None
        params: dict[str, JsonValue] = {
            "protocolVersion": PROTOCOL_VERSIONS[0],
            "capabilities": {},
            "clientInfo": {"name": self._client_name, "version": "1"},
        }
        result = await self._call("initialize", params)
        version = result.get("protocolVersion")
        if version not in PROTOCOL_VERSIONS:
            raise McpError(
                f"MCP server {self.label} speaks protocol {version!r}; this client speaks "
                f"{', '.join(PROTOCOL_VERSIONS)} (natively, the official SDK speaks newer ones)."
            )
        assert isinstance(version, str)
        self._version = version
        response = await self._post(jsonrpc.notification("notifications/initialized"))
        await self._check(response, "notifications/initialized")
        await response.aclose()

    async def _call(
        self,
        method: str,
        params: dict[str, JsonValue],
        on_progress: ProgressHandler | None = None,
    ) -> dict[str, JsonValue]:
        """Send request `method` and read its answer (JSON or an SSE stream) to the end."""
        self._next_id += 1
        request_id = self._next_id
        if on_progress is not None:
            params = {**params, "_meta": {"progressToken": request_id}}
        message = jsonrpc.request(request_id, method, params)
        response = await self._post(message)
        if response.status == 404 and self._session is not None and method != "initialize":
            await response.aclose()  # the server forgot the session: start a new one, once
            await self._initialize()
            response = await self._post(message)
        await self._check(response, method)
        if method == "initialize":
            self._session = response.headers.get(SESSION_HEADER) or None
        kind = response.headers.get("content-type", "")
        try:
            if kind.startswith(EVENT_STREAM):
                async for event in aiter_events(response):
                    if not event.data.strip():
                        continue  # a priming event (an id to resume from, no message)
                    for incoming in jsonrpc.decode(event.data, self.label):
                        found = await self._receive(incoming, request_id, on_progress)
                        if found is not None:
                            return jsonrpc.result_of(found, method, self.label)
            elif kind.startswith(JSON):
                for incoming in jsonrpc.decode(await response.read(_BODY_LIMIT), self.label):
                    found = await self._receive(incoming, request_id, on_progress)
                    if found is not None:
                        return jsonrpc.result_of(found, method, self.label)
            else:
                raise McpError(
                    f"MCP server {self.label} answered {method} with content type {kind!r}; "
                    f"expected {JSON} or {EVENT_STREAM}."
                )
        except (NetworkError, ModelTimeoutError) as error:
            raise McpError(f"MCP server: {error}") from None  # the message names the URL
        except asyncio.CancelledError:  # (a tool timeout, a cancelled run): tell the server
            notice = asyncio.ensure_future(self._say_cancelled(request_id))
            self._notices.add(notice)
            notice.add_done_callback(self._notices.discard)
            raise
        finally:
            await response.aclose()
        raise McpError(f"MCP server {self.label} ended its answer to {method} without a response.")

    async def _receive(
        self,
        message: dict[str, JsonValue],
        request_id: int | None,
        on_progress: ProgressHandler | None,
    ) -> dict[str, JsonValue] | None:
        """Handle one message from the server; the response to `request_id` is returned."""
        method = message.get("method")
        if isinstance(method, str):
            if "id" in message:  # a request of the server's: answered at once
                reply = await self._post(jsonrpc.answer(message))
                await reply.aclose()
                return None
            params = message.get("params")
            params = params if isinstance(params, dict) else {}
            if method == "notifications/tools/list_changed":
                self._changes += 1
            elif method == "notifications/progress" and on_progress is not None:
                progress, total = params.get("progress"), params.get("total")
                text = params.get("message")
                if params.get("progressToken") == request_id and isinstance(progress, (int, float)):
                    on_progress(
                        float(progress),
                        float(total) if isinstance(total, (int, float)) else None,
                        text if isinstance(text, str) else None,
                    )
            return None
        if request_id is not None and message.get("id") == request_id:
            return message
        return None

    async def _say_cancelled(self, request_id: int) -> None:
        """Tell the server that the request it is answering was given up (best effort)."""
        params: dict[str, JsonValue] = {"requestId": request_id, "reason": "cancelled by the client"}
        with contextlib.suppress(McpError):
            await (await self._post(jsonrpc.notification("notifications/cancelled", params))).aclose()

    async def _listen(self) -> None:
        """Read the standalone GET stream until it ends, the server offers none, or `aclose()`."""
        transport = self._transport
        if transport is None:
            return
        headers = {**self._headers(), "accept": EVENT_STREAM}
        try:
            response = await transport.send(
                HttpRequest("GET", self._server.url, headers, None, _LISTEN_TIMEOUTS)
            )
        except (NetworkError, ModelTimeoutError):
            return
        try:
            kind = response.headers.get("content-type", "")
            if response.status != 200 or not kind.startswith(EVENT_STREAM):
                return  # 405: the server offers no standalone stream
            async for event in aiter_events(response):
                if event.data.strip():
                    for incoming in jsonrpc.decode(event.data, self.label):
                        await self._receive(incoming, None, None)
        except (NetworkError, ModelTimeoutError, McpError):
            return  # the stream broke: list changes are still seen on the answers' streams
        finally:
            await response.aclose()

    async def _post(self, message: Mapping[str, JsonValue]) -> HttpResponse:
        transport = self._transport
        if transport is None:
            raise McpError(f"MCP server {self.label}: the client is closed.")
        headers = {**self._headers(), "content-type": JSON, "accept": f"{JSON}, {EVENT_STREAM}"}
        request = HttpRequest("POST", self._server.url, headers, jsonrpc.encode(message), self._timeouts)
        try:
            return await transport.send(request)
        except (NetworkError, ModelTimeoutError) as error:
            raise McpError(f"MCP server: {error}") from None  # the message names the URL

    async def _check(self, response: HttpResponse, method: str) -> None:
        if response.status < 400:
            return
        body = (await response.read(_ERROR_BODY_LIMIT)).decode(errors="replace").strip()
        raise McpError(
            f"MCP server {self.label} answered {method} with HTTP {response.status}"
            + (f": {body}" if body else ".")
        )

    def _headers(self) -> dict[str, str]:
        headers = dict(self._server.headers)
        if self._session is not None:
            headers[SESSION_HEADER] = self._session
        if self._version is not None:
            headers[VERSION_HEADER] = self._version
        return headers

    def __repr__(self) -> str:
        return f"McpHttpClient({self.label!r}, session={self._session is not None})"
