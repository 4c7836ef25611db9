"""`OpenAIResponsesModel`: a `ChatModel` for OpenAI's Responses API (`POST /responses`)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from ..core.model_io import ModelChunk, ModelRequest
from ..core.schema_types import JsonValue
from ..http.redact import safe_url
from ..http.transport import HttpTransport, Timeouts
from .http_model import HttpChatModel
from .openai import DEFAULT_BASE_URL
from .responses_stream import ResponsesParser
from .responses_wire import ENCRYPTED_REASONING, build_body
from .retry import Clock, RetryPolicy


class OpenAIResponsesModel(HttpChatModel):
    """Streams replies from OpenAI's Responses API (or a server that speaks it: Azure
    OpenAI, vLLM, Ollama, the bundled mock server...): text, reasoning summaries and
    function calls.

    It is stateless, like `OpenAIModel`: each call sends the whole history, with
    `store: false` by default. The reasoning items of a reply are kept on its message
    (`Message.reasoning_data`) and sent back, with their encrypted content, on the calls
    that follow, so a reasoning model keeps its chain of thought across tool rounds.

    Failures raise typed `ModelError`s; rate limits, 5xx and network errors are retried
    before the stream starts (errors reported inside a stream are raised, not retried).
    Cancelling `ctx` closes the HTTP stream at once and ends the stream quietly.

    Args:
        model: the default model name (a request's `model` wins).
        base_url: the API root, e.g. `http://127.0.0.1:8765/v1`; defaults to
            `OPENAI_BASE_URL`, then OpenAI.
        api_key: defaults to `OPENAI_API_KEY`; none is sent if empty.
        temperature, top_p, max_tokens, tool_choice, parallel_tool_calls: standard options
            sent when set (`max_tokens` as `max_output_tokens`; a request's own temperature
            and max_tokens win).
        reasoning_effort: `reasoning.effort` (`minimal`, `low`, `medium`, `high`...).
        reasoning_summary: `reasoning.summary` (`auto`, `concise`, `detailed`): ask for
            the summaries that stream as thinking.
        store: let OpenAI store the responses (`store`); off by default.
        strict: declare tools `strict` (their schemas must then follow OpenAI's strict
            rules); off by default, sent explicitly since the API's default is on.
        include: `include` values; with reasoning options and `store` off,
            `reasoning.encrypted_content` is added so reasoning can be sent back.
        extra_body: provider-specific body keys, sent as-is.
        extra_headers: extra request headers (e.g. `OpenAI-Organization`).
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
        tool_choice: JsonValue = None,
        parallel_tool_calls: bool | None = None,
        reasoning_effort: str | None = None,
        reasoning_summary: str | None = None,
        store: bool = False,
        strict: bool = False,
        include: list[str] | None = None,
        extra_body: Mapping[str, JsonValue] | None = None,
        extra_headers: Mapping[str, str] | None = None,
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
            url=self.base_url + "/responses",
            api_key=api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", ""),
            key_env="OPENAI_API_KEY",
            extra_headers=extra_headers,
            timeouts=timeouts,
            retry=retry,
            transport=transport,
            clock=clock,
        )
        reasoning: dict[str, JsonValue] = {}
        if reasoning_effort is not None:
            reasoning["effort"] = reasoning_effort
        if reasoning_summary is not None:
            reasoning["summary"] = reasoning_summary
        includes: list[JsonValue] = []
        includes.extend(include or [])
        if reasoning and not store and ENCRYPTED_REASONING not in includes:
            includes.append(ENCRYPTED_REASONING)
        options: dict[str, JsonValue] = {
            "temperature": temperature,
            "top_p": top_p,
            "max_output_tokens": max_tokens,
            "tool_choice": tool_choice,
            "parallel_tool_calls": parallel_tool_calls,
            "reasoning": reasoning or None,
            "include": includes or None,
        }
        self._defaults = {name: value for name, value in options.items() if value is not None}
        self._extra_body = dict(extra_body or {})
        self.store = store
        self.strict = strict

    def __repr__(self) -> str:
        return f"OpenAIResponsesModel(model={self.model!r}, base_url={safe_url(self.base_url)!r})"

    def body(self, request: ModelRequest) -> dict[str, JsonValue]:
        """The JSON body that `chat` would send for `request` (handy to inspect)."""
        return build_body(
            request,
            model=self.model,
            defaults=self._defaults,
            extra_body=self._extra_body,
            store=self.store,
            strict=self.strict,
        )

    def request_body(self, request: ModelRequest) -> bytes:
        """The JSON bytes of `body(request)`."""
        return json.dumps(self.body(request)).encode()

    def stream_parser(self, model: str) -> ResponsesParser:
        """A Responses event parser."""
        return ResponsesParser(model)

    def whole_reply(self, data: JsonValue, model: str) -> list[ModelChunk]:
        """The chunks of a whole (non-streamed) response object."""
        return ResponsesParser(model).whole(data)
