"""`OpenAIModel`: a `ChatModel` for any OpenAI-compatible Chat Completions endpoint."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..core.model_io import ModelChunk, ModelRequest
from ..core.schema_types import JsonValue
from ..http.redact import safe_url
from ..http.transport import HttpTransport, Timeouts
from .http_model import HttpChatModel
from .openai_wire import ChunkParser, MaxTokensParam, build_body, completion_to_chunks
from .retry import Clock, RetryPolicy
from .wire_cache import WireCache

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAIModel(HttpChatModel):
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
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        super().__init__(
            model,
            url=self.base_url + "/chat/completions",
            api_key=api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", ""),
            key_env="OPENAI_API_KEY",
            extra_headers=extra_headers,
            timeouts=timeouts,
            retry=retry,
            transport=transport,
            clock=clock,
        )
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
        self._send_reasoning = send_reasoning
        self._wire = WireCache(send_reasoning=send_reasoning)
        self._max_tokens_param: MaxTokensParam = max_tokens_param

    def __repr__(self) -> str:
        return f"OpenAIModel(model={self.model!r}, base_url={safe_url(self.base_url)!r})"

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

    def request_body(self, request: ModelRequest) -> bytes:
        """The JSON bytes of `body(request)`, built through the wire cache."""
        return self._wire.body(
            request, model=self.model, defaults=self._defaults,
            extra_body=self._extra_body, max_tokens_param=self._max_tokens_param,
        )

    def stream_parser(self, model: str) -> ChunkParser:
        """A Chat Completions chunk parser."""
        return ChunkParser(model)

    def whole_reply(self, data: JsonValue, model: str) -> list[ModelChunk]:
        """The chunks of a whole (non-streamed) completion."""
        return completion_to_chunks(data, model)


def _strings(values: list[str]) -> list[JsonValue]:
    out: list[JsonValue] = []
    out.extend(values)
    return out
