"""`HttpAgent`: an agent served by `remi serve` (or `create_app`), used as a local `Agent`.

It speaks the protocol of `docs/protocol.md` through the model layer's HTTP transport
(httpx natively, `fetch` under Pyodide), so it runs in a page as well: no threads and no
sockets of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from typing import Self

from ..core.compose import Composable
from ..core.ctx import ChatCtx
from ..core.events import AgentEvent, InterruptEvent
from ..core.requests import CHAT_REQUEST_ADAPTER, ChatRequest, Resume, Start
from ..http.errors import ModelTimeoutError, NetworkError
from ..core.secrets import header_secrets, secret_values
from ..http.redact import Secret, safe_url
from ..http.default import default_transport
from ..http.transport import HttpRequest, HttpResponse, HttpTransport, Timeouts
from .errors import RemoteUnavailable, error_from_response
from .protocol import (
    EVENT_STREAM,
    LAST_EVENT_ID_HEADER,
    RUN_ID_HEADER,
    RUN_INFO_ADAPTER,
    RUNS_PATH,
    STREAM_AFTER_HEADER,
    RunInfo,
    run_path,
)
from .stream import RemoteStream
from .run_handoff_client import RunHandoffClient
from .thread_client import ThreadClient

DEFAULT_TIMEOUTS = Timeouts(connect=30.0, read=120.0)
"""A server sends a keep-alive every 15 s by default, so a 120 s silence means trouble."""
_ERROR_BODY_LIMIT = 64 * 1024
_DOCUMENT_LIMIT = 16 * 1024 * 1024
_REMEMBERED_TOKENS = 1024


class HttpAgent(Composable[ChatRequest, AgentEvent], ThreadClient, RunHandoffClient):
    """A remote agent over HTTP + SSE; composes like a local one.

    `chat` posts the request and streams the run's events until the run's terminal event
    (never stopping at an intermediate `checkpoint`). A broken stream is picked up again
    with `Last-Event-ID`, so no event is lost or repeated. Cancelling `ctx` asks the server
    to cancel the run and ends with the server's `cancelled` event. Approval tokens of
    interrupts are remembered, so `ChatRequest.resume(run_id, payloads)` works as it does
    locally (after a restart of the client the tokens are fetched from the run's status).
    `thread`, `fork`, `replay`, `export` and `import_thread` work on the caller's threads;
    `import_run` and `export_run` move runs to and from the server (`remote.handoff`).

    Args:
        base_url: the server's root, e.g. `http://127.0.0.1:8000`.
        token: the bearer token, if the server requires one (`REMI_API_TOKEN`).
        transport: the HTTP transport; by default fetch under Pyodide, httpx elsewhere.
        timeouts: connect and read timeouts of each HTTP call.
        reconnects: attempts to pick up a broken stream before giving up with an `error`.
        reconnect_delay: seconds before the first reconnect (doubled each time).
        cancel_wait: seconds to wait for the server's `cancelled` after a cancel.
        headers: extra request headers.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        transport: HttpTransport | None = None,
        timeouts: Timeouts | None = None,
        reconnects: int = 3,
        reconnect_delay: float = 0.25,
        cancel_wait: float = 10.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        root = base_url.rstrip("/")
        self.base_url = root[: -len("/v1")] if root.endswith("/v1") else root
        self._token = Secret(token or "")
        self._transport = transport
        self._owns_transport = transport is None
        self.timeouts = timeouts or DEFAULT_TIMEOUTS
        self.reconnects = reconnects
        self.reconnect_delay = reconnect_delay
        self.cancel_wait = cancel_wait
        self._extra_headers = dict(headers or {})
        self._approvals: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"HttpAgent({safe_url(self.base_url)!r})"

    def secrets(self) -> tuple[Secret, ...]:
        """Its bearer token and credential headers, never to be traced (`HoldsSecrets`)."""
        return secret_values([self._token, *header_secrets(self._extra_headers)])

    async def chat(
        self, request: ChatRequest | str, ctx: ChatCtx | None = None
    ) -> AsyncIterator[AgentEvent]:
        """Run or continue a remote run; a plain string starts one with that user message.

        Raises (before any event) a `RemoteRefusal` when the server refuses the request
        (`RunNotFound`, `RunNotResumable`, `ApprovalRefused`... keep the core's types) and
        `RemoteUnavailable` when it cannot be reached.
        """
        if isinstance(request, str):
            request = ChatRequest.user(request)
        ctx = ctx if ctx is not None else ChatCtx()
        stream, response = await self.open_stream(request, ctx)
        async for event in stream.events(response):
            if isinstance(event, InterruptEvent):
                self._remember(event)
            yield event

    async def open_stream(self, request: ChatRequest, ctx: ChatCtx) -> tuple[RemoteStream, HttpResponse]:
        """Send `request` (with the approval tokens a resume needs); the reader of the run's
        events and the response it reads first (`stream.events(response)`; `stream.last_id`
        is then the sequence number of the last event read). Raises as `chat` does."""
        action = request.input
        if isinstance(action, Start):
            path, run_id = RUNS_PATH, None
        elif isinstance(action, Resume):
            request = await self._with_tokens(request, action)
            path, run_id = run_path(action.run_id, "resume"), action.run_id
        else:
            path, run_id = run_path(action.run_id, "tool-results"), action.run_id
        body = CHAT_REQUEST_ADAPTER().dump_json(request)
        response = await self.send("POST", path, body, {"accept": EVENT_STREAM})
        stream = RemoteStream(self, ctx, response.headers.get(RUN_ID_HEADER) or run_id)
        stream.last_id = _int(response.headers.get(STREAM_AFTER_HEADER))
        return stream, response

    async def status(self, run_id: str) -> RunInfo:
        """The run's status and what it waits for (`GET /v1/runs/{run_id}`)."""
        response = await self.send("GET", run_path(run_id))
        return RUN_INFO_ADAPTER().validate_json(await response.read(_DOCUMENT_LIMIT))

    async def cancel(self, run_id: str) -> RunInfo:
        """Cancel the run on the server (running or paused); its status afterwards."""
        response = await self.send("POST", run_path(run_id, "cancel"), b"{}")
        return RUN_INFO_ADAPTER().validate_json(await response.read(_DOCUMENT_LIMIT))

    async def events(self, run_id: str, after: int = 0) -> HttpResponse:
        """The raw event stream of a run from event `after` on (`Last-Event-ID`)."""
        headers = {LAST_EVENT_ID_HEADER: str(after), "accept": EVENT_STREAM}
        return await self.send("GET", run_path(run_id, "events"), headers=headers)

    async def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """One call to the server; returns a 2xx response, raises the typed error otherwise."""
        if self._transport is None:
            self._transport = default_transport()
        all_headers = {"content-type": "application/json", "accept": "application/json"}
        if body is None:
            del all_headers["content-type"]
        if self._token:
            all_headers["authorization"] = "Bearer " + self._token.reveal()
        all_headers.update(self._extra_headers)
        all_headers.update(headers or {})
        url = self.base_url + path
        request = HttpRequest(method, url, all_headers, body, self.timeouts)
        try:
            response = await self._transport.send(request)
        except (NetworkError, ModelTimeoutError) as error:
            raise RemoteUnavailable(str(error)) from None
        if 200 <= response.status < 300:
            return response
        data = await response.read(_ERROR_BODY_LIMIT)
        raise error_from_response(response.status, data, f"{method} {safe_url(url)}")

    async def aclose(self) -> None:
        """Release the HTTP transport if this agent created it."""
        if self._owns_transport and self._transport is not None:
            transport, self._transport = self._transport, None
            await transport.aclose()

    async def __aenter__(self) -> Self:
        """The agent itself; leaving the `async with` block calls `aclose`."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Release the HTTP transport (see `aclose`)."""
        await self.aclose()

    def _remember(self, event: InterruptEvent) -> None:
        for info in event.interrupts:
            if info.token:
                self._approvals[(event.run_id, info.interrupt_id)] = info.token
        while len(self._approvals) > _REMEMBERED_TOKENS:
            del self._approvals[next(iter(self._approvals))]

    async def _with_tokens(self, request: ChatRequest, action: Resume) -> ChatRequest:
        """`request` with the approval token of every answered interrupt it lacks."""
        tokens = dict(action.tokens)
        for iid in action.payloads:
            token = self._approvals.pop((action.run_id, iid), None)
            if iid not in tokens and token is not None:
                tokens[iid] = token
        if any(iid not in tokens for iid in action.payloads):
            info = await self.status(action.run_id)
            for pending in info.pending_interrupts:
                iid = pending.interrupt_id
                if iid in action.payloads and iid not in tokens and pending.token:
                    tokens[iid] = pending.token
        return replace(request, input=replace(action, tokens=tokens))


def _int(text: str | None) -> int:
    try:
        return int(text) if text is not None else 0
    except ValueError:
        return 0
