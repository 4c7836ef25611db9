"""`OpenAIModel`: a `ChatModel` for any OpenAI-compatible Chat Completions endpoint."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Mapping
from types import TracebackType
from typing import TypeVar

from ..core.schema_types import JsonValue

from ..core.compose import Composable
from ..core.ctx import ChatCtx
from ..core.errors import ModelError
from ..core.model_io import ModelChunk, ModelRequest, RetryChunk
from ..core.abort import Aborted, IoGuard
from ..core.secrets import header_secrets, secret_values
from .errors import ModelHTTPError, StreamError
from ..http.errors import ModelTimeoutError, NetworkError
from .http_errors import error_from_response
from .openai_wire import ChunkParser, MaxTokensParam, build_body, completion_to_chunks
from .wire_cache import WireCache
from ..http.redact import Secret, redact, safe_url
from .retry import Clock, RetryPolicy, SystemClock
from ..http.sse import SseDataDecoder
from ..http.default import default_transport
from ..http.transport import HttpRequest, HttpResponse, HttpTransport, Timeouts

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
_log = logging.getLogger("remi_web.model")
_ERROR_BODY_LIMIT = 64 * 1024


class OpenAIModel(Composable[ModelRequest, ModelChunk]):
    """Streams chat completions from an OpenAI-compatible endpoint (OpenAI, OpenRouter,
    vLLM, Ollama, llama.cpp, DeepSeek, the bundled mock server...).

    Failures raise typed `ModelError`s; rate limits, 5xx and network errors are retried
    before the stream starts. Cancelling `ctx` closes the HTTP stream at once and ends
    the stream quietly (the caller sees `ctx.cancelled`).

    Args:
        model: the default model name (a request's `model` wins).
        base_url: the API root, e.g. `http://127.0.0.1:8765/v1`; defaults to
            `OPENAI_BASE_URL`, then OpenAI.
        api_key: defaults to `OPENAI_API_KEY`; none is sent if empty.
        temperature, top_p, max_tokens, stop, seed, tool_choice, parallel_tool_calls,
            reasoning_effort: standard options sent when set (a request's own
            temperature and max_tokens win).
        extra_body: provider-specific body keys, sent as-is.
        extra_headers: extra request headers (e.g. `OpenAI-Organization`).
        send_reasoning: echo assistant reasoning back as `reasoning_content`.
        max_tokens_param: `max_completion_tokens` for providers that want it.
        timeouts: connect, read and total timeouts.
        retry: the retry policy (`NO_RETRY` to disable).
        transport: the HTTP transport; by default fetch under Pyodide, httpx elsewhere.
        clock: time source for retry waits (tests inject a recording one).
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        stop: str | list[str] | None = None,
        seed: int | None = None,
        tool_choice: JsonValue = None,
        parallel_tool_calls: bool | None = None,
        reasoning_effort: str | None = None,
        extra_body: Mapping[str, JsonValue] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        send_reasoning: bool = False,
        max_tokens_param: MaxTokensParam = "max_tokens",
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        transport: HttpTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "")
        self._key = Secret(key)
        stops: JsonValue = None
        if stop is not None:
            stops = stop if isinstance(stop, str) else _strings(stop)
        options: dict[str, JsonValue] = {
            "temperature": temperature,
            "top_p": top_p,
            "max_tokens"
            if max_tokens_param == "max_tokens"
            else "max_completion_tokens": max_tokens,
            "stop": stops,
            "seed": seed,
            "tool_choice": tool_choice,
            "parallel_tool_calls": parallel_tool_calls,
            "reasoning_effort": reasoning_effort,
        }
        self._defaults = {name: value for name, value in options.items() if value is not None}
        self._extra_body = dict(extra_body or {})
        self._extra_headers = dict(extra_headers or {})
        self._send_reasoning = send_reasoning
        self._wire = WireCache(send_reasoning=send_reasoning)
        self._max_tokens_param: MaxTokensParam = max_tokens_param
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self._transport = transport
        self._owns_transport = transport is None
        self._clock: Clock = clock or SystemClock()
        self._url = self.base_url + "/chat/completions"
        self._where = safe_url(self._url)

    def __repr__(self) -> str:
        return f"OpenAIModel(model={self.model!r}, base_url={safe_url(self.base_url)!r})"

    def secrets(self) -> tuple[Secret, ...]:
        """The secret values this client sends: its API key, whatever it looks like, and the
        values of credential headers in `extra_headers`. `AgentBuilder.build()` registers
        them with the agent's `Redactor`, so no trace ever shows them (`HoldsSecrets`)."""
        return secret_values([self._key, *header_secrets(self._extra_headers)])

    async def __aenter__(self) -> OpenAIModel:
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

    def body(self, request: ModelRequest) -> dict[str, JsonValue]:
        """The JSON body that `chat` would send for `request` (handy to inspect)."""
        return build_body(
            request,
            model=self.model,
            defaults=self._defaults,
            extra_body=self._extra_body,
            send_reasoning=self._send_reasoning,
            max_tokens_param=self._max_tokens_param,
        )

    def _headers(self) -> dict[str, str]:
        headers = {"content-type": "application/json", "accept": "text/event-stream"}
        if self._key:
            headers["authorization"] = "Bearer " + self._key.reveal()
        headers.update(self._extra_headers)
        return headers

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """Stream the model's answer to `request` as text, thinking, tool-call and usage
        chunks (usage last)."""
        if ctx.cancelled:
            return
        model = request.model or self.model
        http_request = HttpRequest(
            "POST",
            self._url,
            self._headers(),
            self._wire.body(
                request, model=self.model, defaults=self._defaults,
                extra_body=self._extra_body, max_tokens_param=self._max_tokens_param,
            ),
            self.timeouts,
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
                for chunk in completion_to_chunks(_json(data), model):
                    yield chunk
                return
            decoder = SseDataDecoder()
            parser = ChunkParser(model)
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
                raise error_from_response(
                    response.status,
                    body,
                    response.headers,
                    where=self._where,
                    model=model,
                    now=self._clock.time(),
                    key_sent=bool(self._key),
                )
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


def _strings(values: list[str]) -> list[JsonValue]:
    out: list[JsonValue] = []
    out.extend(values)
    return out
