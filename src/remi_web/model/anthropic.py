"""`AnthropicModel`: a `ChatModel` for Anthropic's Messages API (Claude), streamed natively."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence

from ..core.model_io import ModelChunk, ModelRequest
from ..core.schema_types import JsonValue
from ..http.redact import safe_url
from ..http.transport import HttpTransport, Timeouts
from .anthropic_errors import KEY_ENV, anthropic_error
from .anthropic_stream import MessageStreamParser, message_to_chunks
from .anthropic_wire import build_body
from .errors import ModelHTTPError
from .http_model import HttpChatModel
from .retry import Clock, RetryPolicy

DEFAULT_ANTHROPIC_URL = "https://api.anthropic.com"
"""The API root used when neither `base_url` nor `ANTHROPIC_BASE_URL` is given."""

ANTHROPIC_VERSION = "2023-06-01"
"""The `anthropic-version` header sent by default."""

DEFAULT_MAX_TOKENS = 4096
"""The output limit sent when none is set (the API requires one); with thinking, it is
added to the thinking budget."""


class AnthropicModel(HttpChatModel):
    """Streams replies from Anthropic's Messages API: text, extended thinking (signed
    blocks are kept on the assistant message and sent back), tool calls with their input
    streamed as partial JSON, and usage with prompt-cache counts.

    Failures raise typed `ModelError`s; rate limits (429, honouring `retry-after`), 5xx and
    529 overloaded are retried before the stream starts, never after. An `error` event
    mid-stream raises `StreamError`. Cancelling `ctx` closes the stream at once.

    Args:
        model: the default model name, e.g. `claude-sonnet-4-5` (a request's `model` wins).
        base_url: the API root (`POST {base_url}/v1/messages`); defaults to
            `ANTHROPIC_BASE_URL`, then `https://api.anthropic.com`.
        api_key: sent as `x-api-key`; defaults to `ANTHROPIC_API_KEY`; none is sent if empty.
        max_tokens: the output limit (required by the API; a request's own wins). Defaults
            to 4096, plus `thinking_budget` when thinking is on.
        temperature, top_p, top_k, stop, tool_choice: standard options sent when set
            (`tool_choice` in Anthropic's form, e.g. `{"type": "any"}`).
        thinking_budget: turn extended thinking on with this many tokens
            (`thinking: {type: enabled, budget_tokens}`; at least 1024).
        cache: ask the API to cache the prompt up to its last cacheable block
            (top-level `cache_control`); the usage then counts cache writes and reads.
        betas: beta features, sent as the `anthropic-beta` header.
        api_version: the `anthropic-version` header.
        extra_body: provider keys sent as-is (e.g. `{"thinking": {"type": "adaptive"}}`).
        extra_headers: extra request headers.
        timeouts: connect, read and total timeouts.
        retry: the retry policy (`NO_RETRY` to disable).
        transport: the HTTP transport; by default fetch under Pyodide, httpx elsewhere.
        clock: time source for retry waits (tests inject a recording one).

    Raises:
        ValueError: `max_tokens` does not exceed `thinking_budget`.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        stop: str | Sequence[str] | None = None,
        tool_choice: JsonValue = None,
        thinking_budget: int | None = None,
        cache: bool = False,
        betas: Sequence[str] = (),
        api_version: str = ANTHROPIC_VERSION,
        extra_body: Mapping[str, JsonValue] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        transport: HttpTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        root = base_url or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_ANTHROPIC_URL
        self.base_url = root.rstrip("/")
        super().__init__(
            model,
            url=self.base_url + "/v1/messages",
            api_key=api_key if api_key is not None else os.environ.get(KEY_ENV, ""),
            key_env=KEY_ENV,
            extra_headers=extra_headers,
            timeouts=timeouts,
            retry=retry,
            transport=transport,
            clock=clock,
        )
        if max_tokens is None:
            max_tokens = DEFAULT_MAX_TOKENS + (thinking_budget or 0)
        elif thinking_budget is not None and max_tokens <= thinking_budget:
            raise ValueError(
                f"max_tokens ({max_tokens}) must exceed thinking_budget ({thinking_budget}): "
                "thinking tokens count toward max_tokens"
            )
        options: dict[str, JsonValue] = {
            "max_tokens": max_tokens,
            "temperature": temperature,
            "top_p": top_p,
            "top_k": top_k,
            "stop_sequences": None if stop is None else _strings(stop),
            "tool_choice": tool_choice,
        }
        if thinking_budget is not None:
            options["thinking"] = {"type": "enabled", "budget_tokens": thinking_budget}
        if cache:
            options["cache_control"] = {"type": "ephemeral"}
        self._defaults = {name: value for name, value in options.items() if value is not None}
        self._extra_body = dict(extra_body or {})
        self._betas = ",".join(betas)
        self._api_version = api_version

    def __repr__(self) -> str:
        return f"AnthropicModel(model={self.model!r}, base_url={safe_url(self.base_url)!r})"

    def request_headers(self) -> dict[str, str]:
        """JSON in, events out, the key as `x-api-key`, `anthropic-version` and
        `anthropic-beta`. In a page (Pyodide) it also sends
        `anthropic-dangerous-direct-browser-access`, which Anthropic's CORS requires."""
        headers = {
            "content-type": "application/json",
            "accept": "text/event-stream",
            "anthropic-version": self._api_version,
        }
        if self._key:
            headers["x-api-key"] = self._key.reveal()
        if self._betas:
            headers["anthropic-beta"] = self._betas
        if sys.platform == "emscripten":
            headers["anthropic-dangerous-direct-browser-access"] = "true"
        headers.update(self._extra_headers)
        return headers

    def body(self, request: ModelRequest) -> dict[str, JsonValue]:
        """The JSON body that `chat` would send for `request` (handy to inspect).

        Raises:
            ValueError: content Anthropic cannot take (audio, a file other than PDF or text).
        """
        return build_body(
            request, model=self.model, defaults=self._defaults, extra_body=self._extra_body
        )

    def request_body(self, request: ModelRequest) -> bytes:
        """The JSON bytes of `body(request)`."""
        return json.dumps(self.body(request), ensure_ascii=False).encode()

    def stream_parser(self, model: str) -> MessageStreamParser:
        """A Messages stream parser."""
        return MessageStreamParser(model)

    def whole_reply(self, data: JsonValue, model: str) -> list[ModelChunk]:
        """The chunks of a whole (non-streamed) message."""
        return message_to_chunks(data, model)

    def error_of(
        self, status: int, body: bytes, headers: Mapping[str, str], model: str
    ) -> ModelHTTPError:
        """The typed error for an HTTP error reply (`anthropic_errors`)."""
        return anthropic_error(
            status, body, headers, where=self._where, model=model, now=self._clock.time(),
            key_sent=bool(self._key),
        )


def _strings(stop: str | Sequence[str]) -> list[JsonValue]:
    return [stop] if isinstance(stop, str) else list[JsonValue](stop)
