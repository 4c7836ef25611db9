"""`HttpChatModel`: what every HTTP chat client shares, whatever its provider's wire format.

A client (`OpenAIModel`, `AnthropicModel`, `OpenAIResponsesModel`) says where to POST, with
which headers and body, and how to read the reply; this base sends it on the project's own
HTTP transport (fetch under Pyodide, httpx natively), retries before the stream starts under
one `RetryPolicy` (saying so with a `RetryChunk` before each wait), bounds the call by the
total timeout, stops at once on cancellation, and keeps the API key out of every error.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Mapping
from types import TracebackType
from typing import Protocol, Self, TypeVar

from ..core.abort import Aborted, IoGuard
from ..core.compose import Composable
from ..core.ctx import ChatCtx
from ..core.errors import ModelError
from ..core.model_io import ModelChunk, ModelRequest, RetryChunk
from ..core.schema_types import JsonValue
from ..core.secrets import header_secrets, secret_values
from ..http.default import default_transport
from ..http.errors import ModelTimeoutError, NetworkError
from ..http.redact import Secret, redact, safe_url
from ..http.sse import SseDataDecoder
from ..http.transport import HttpRequest, HttpResponse, HttpTransport, Timeouts
from .errors import ModelHTTPError, StreamError
from .http_errors import error_from_response
from .retry import Clock, RetryPolicy, SystemClock

T = TypeVar("T")

_log = logging.getLogger("remi_web.model")
_ERROR_BODY_LIMIT = 64 * 1024


class StreamParser(Protocol):
    """Reads one streamed reply: the `data:` payload of each server-sent event, in order."""

    def feed(self, data: str) -> list[ModelChunk]:
        """The chunks carried by one event's data."""
        ...

    def finish(self) -> list[ModelChunk]:
        """The chunks held until the stream ended (usage, a call's last arguments...)."""
        ...


class HttpChatModel(Composable[ModelRequest, ModelChunk]):
    """The base of the HTTP chat clients: transport, retries, timeouts, cancellation, secrets.

    A subclass sets `url` and implements `request_body`, `stream_parser` and
    `whole_reply` (and `request_headers` if `Bearer` is not its auth).

    Args:
        model: the default model name (a request's `model` wins).
        url: the endpoint that is POSTed to.
        api_key: the provider key (empty: none is sent).
        key_env: the environment variable the key comes from, named in auth errors.
        extra_headers: extra request headers.
        timeouts: connect, read and total timeouts.
        retry: the retry policy (`NO_RETRY` to disable).
        transport: the HTTP transport; by default fetch under Pyodide, httpx elsewhere.
        clock: time source for retry waits (tests inject a recording one).
    """

    def __init__(
        self,
        model: str,
        *,
        url: str,
        api_key: str,
        key_env: str,
        extra_headers: Mapping[str, str] | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        transport: HttpTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.model = model
        self._key = Secret(api_key)
        self._key_env = key_env
        self._extra_headers = dict(extra_headers or {})
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self._transport = transport
        self._owns_transport = transport is None
        self._clock: Clock = clock or SystemClock()
        self._url = url
        self._where = safe_url(url)

    def secrets(self) -> tuple[Secret, ...]:
        """The secret values this client sends: its API key, whatever it looks like, and the
        values of credential headers in `extra_headers`. `AgentBuilder.build()` registers
        them with the agent's `Redactor`, so no trace ever shows them (`HoldsSecrets`)."""
        return secret_values([self._key, *header_secrets(self._extra_headers)])

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Release the HTTP transport if this model created it."""
        if self._owns_transport and self._transport is not None:
            transport, self._transport = self._transport, None
            await transport.aclose()

    # What a provider's client says.

    def request_headers(self) -> dict[str, str]:
        """The request's headers: JSON in, an event stream out, the key as a bearer token."""
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        if self._key:
            headers["authorization"] = "Bearer " + self._key.reveal()
        headers.update(self._extra_headers)
        return headers

    def request_body(self, request: ModelRequest) -> bytes:
        """The JSON body sent for `request`."""
        raise NotImplementedError

    def stream_parser(self, model: str) -> StreamParser:
        """A parser for one streamed reply to a call for `model`."""
        raise NotImplementedError

    def whole_reply(self, data: JsonValue, model: str) -> list[ModelChunk]:
        """The chunks of a whole JSON reply (a server that ignored `stream`)."""
        raise NotImplementedError

    def error_of(
        self, status: int, body: bytes, headers: Mapping[str, str], model: str
    ) -> ModelHTTPError:
        """The typed error for an HTTP error reply (not yet redacted)."""
        return error_from_response(
            status, body, headers, where=self._where, model=model, now=self._clock.time(),
            key_sent=bool(self._key), key_env=self._key_env,
        )

    # The call.

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """Stream the model's answer to `request` as text, thinking, tool-call and usage
        chunks (usage last)."""
        if ctx.cancelled:
            return
        model = request.model or self.model
        http_request = HttpRequest(
            "POST", self._url, self.request_headers(), self.request_body(request), self.timeouts
        )
        guard = IoGuard(ctx.token)
        total = self.timeouts.total
        deadline = None if total is None else asyncio.get_running_loop().time() + total
        response: HttpResponse | None = None
        try:
            async for opened in self._open(http_request, model, guard, deadline):
                if isinstance(opened, RetryChunk):
                    yield opened
                else:
                    response = opened
            assert response is not None
            if response.headers.get("content-type", "").startswith("application/json"):
                data = await self._io(response.read(), guard, deadline)
                for chunk in self.whole_reply(_json(data), model):
                    yield chunk
                return
            decoder = SseDataDecoder()
            parser = self.stream_parser(model)
            body = aiter(response)
            while True:
                guard.enter()
                try:
                    if deadline is None:
                        data = await anext(body)
                    else:
                        async with asyncio.timeout_at(deadline):
                            data = await anext(body)
                except StopAsyncIteration:
                    break
                except asyncio.CancelledError:
                    if guard.absorb():
                        return
                    raise
                except TimeoutError:
                    raise self._total_timeout() from None
                except NetworkError as error:
                    raise StreamError(f"the response stream broke: {error}") from None
                finally:
                    guard.in_io = False
                for payload in decoder.feed(data):
                    for chunk in parser.feed(payload):
                        yield chunk
                        if guard.cancelled:
                            return
                if guard.cancelled:
                    return
            for payload in decoder.finish():
                for chunk in parser.feed(payload):
                    yield chunk
            for chunk in parser.finish():
                yield chunk
        except Aborted:
            return
        except ModelError as error:
            raise self._scrub(error) from None
        finally:
            guard.close()
            if response is not None:
                await response.aclose()

    async def _open(
        self, request: HttpRequest, model: str, guard: IoGuard, deadline: float | None
    ) -> AsyncIterator[RetryChunk | HttpResponse]:
        """Send with retries until a 2xx response (the last item), saying before each wait
        why and for how long (a `RetryChunk`); raise the typed error otherwise."""
        retries = 0
        waited = 0.0
        while True:
            if guard.cancelled:
                raise Aborted
            try:
                if self._transport is None:
                    self._transport = default_transport()
                _log.debug("POST %s model=%s attempt=%d", self._where, model, retries + 1)
                response = await self._io(self._transport.send(request), guard, deadline)
                if 200 <= response.status < 300:
                    yield response
                    return
                body = await self._io(response.read(_ERROR_BODY_LIMIT), guard, deadline)
                raise self.error_of(response.status, body, response.headers, model)
            except ModelError as error:
                delay = self.retry.delay(retries, error, waited)
                if delay is None:
                    raise
                reason = redact(str(error), self._key.reveal())
                _log.warning(
                    "model call failed (%s); retry %d/%d in %.2f s",
                    reason, retries + 1, self.retry.max_retries, delay,
                )
                yield RetryChunk(retries + 1, self.retry.max_retries, delay, reason)
                await self._io(self._clock.sleep(delay), guard, deadline)
                waited += delay
                retries += 1

    async def _io(self, step: Awaitable[T], guard: IoGuard, deadline: float | None) -> T:
        """Await `step` so that cancellation interrupts it and the total deadline bounds it."""
        guard.enter()
        try:
            if deadline is None:
                return await step
            async with asyncio.timeout_at(deadline):
                return await step
        except asyncio.CancelledError:
            if guard.absorb():
                raise Aborted from None
            raise
        except TimeoutError:
            raise self._total_timeout() from None
        finally:
            guard.in_io = False

    def _total_timeout(self) -> ModelTimeoutError:
        return ModelTimeoutError(
            f"the call to {self._where} took longer than {self.timeouts.total:g} s "
            "(Timeouts.total)",
            phase="total",
        )

    def _scrub(self, error: ModelError) -> ModelError:
        """`error` with the key (and key-like tokens) removed from its message."""
        error.args = tuple(
            redact(arg, self._key.reveal()) if isinstance(arg, str) else arg for arg in error.args
        )
        if isinstance(error, ModelHTTPError):
            error.provider_message = redact(error.provider_message, self._key.reveal())
        if error.__suppress_context__:
            error.__context__ = None
        return error


def _json(data: bytes) -> JsonValue:
    try:
        value: JsonValue = json.loads(data)
    except ValueError:
        raise StreamError(f"the provider sent invalid JSON: {data[:200]!r}") from None
    return value
