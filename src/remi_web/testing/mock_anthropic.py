"""The mock server's Anthropic endpoint: `POST /v1/messages`, streamed or whole.

It checks what Anthropic checks (the `anthropic-version` header, `max_tokens`, the key when
the server has one: `x-api-key`, or a bearer token as the `anthropic` SDK sends it, and the
signatures of thinking blocks sent back); answers from the same `mock_policy` as the Chat
Completions endpoint (so an agent with tools gets a tool round; `thinking` turns reasoning
on); replays `ANTHROPIC_RECORDINGS` as model `replay-<name>`; and plays the `mock_faults`
faults with Anthropic's error bodies, plus two of its own: `overloaded` (HTTP 529
`overloaded_error`) and `error_event` (an `error` event after `after` events).
Native only (it is part of a server).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.schema_types import JsonValue
from ..http.sse import encode_event
from .mock_anthropic_recordings import ANTHROPIC_RECORDINGS
from .mock_anthropic_wire import (
    conversation,
    prompt_counts,
    recording_events,
    reply_events,
    thinking_problem,
    whole_message,
)
from .mock_deep import deep_reply
from .mock_faults import Fault, error_answer, fault_for_model, parse_fault
from .mock_policy import plan_reply
from .mock_stream import StreamEvent, usage_of

_OWN_FAULTS = {"overloaded": "503", "error_event": "cut"}
"""Anthropic's own fault kinds, and the standard kind whose parameters they take."""


class StreamingResponse(Protocol):
    """The mock server's paced event-stream response (`mock_server.EventStreamResponse`)."""

    def __call__(
        self,
        events: Sequence[StreamEvent],
        stats: Any,  # the server's MockStats (not imported: the server imports this module)
        *,
        tokens_per_second: float | None = None,
        fault: Fault | None = None,
    ) -> Response: ...


def anthropic_error(
    status: int, kind: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """An error response with Anthropic's body: `{"type": "error", "error": {type, message}}`."""
    body = {"type": "error", "error": {"type": kind, "message": message},
            "request_id": "req_mock"}
    all_headers = {"request-id": "req_mock", **(headers or {})}
    return JSONResponse(body, status_code=status, headers=all_headers)


def fault_response(fault: Fault, own: str | None, model: str) -> JSONResponse:
    """The error response of an HTTP-error fault, as Anthropic words and types it."""
    if own == "overloaded":
        return anthropic_error(529, "overloaded_error", "Overloaded (injected)")
    answer = error_answer(fault, model)
    kinds = {
        "429": (429, "rate_limit_error", answer.message),
        "quota": (400, "invalid_request_error", "Your credit balance is too low to access the "
                  "Anthropic API. Please go to Plans & Billing to upgrade or purchase credits. "
                  "(injected)"),
        "500": (500, "api_error", "Internal server error (injected)"),
        "503": (503, "api_error", answer.message),
        "401": (401, "authentication_error", "invalid x-api-key (injected)"),
        "404": (404, "not_found_error", f"model: {model} (injected)"),
        "context": (400, "invalid_request_error",
                    "prompt is too long: 208310 tokens > 200000 maximum (injected)"),
    }
    status, kind, message = kinds.get(fault.kind, (400, "invalid_request_error", answer.message))
    headers = {k: v for k, v in answer.headers.items() if k == "retry-after"}
    return anthropic_error(status, kind, message, headers)


def _fault(request: Request, model: str) -> tuple[Fault, str | None] | None:
    """The fault asked for (header `x-mock-fault` or model `fault-<kind>`), counting
    `times` per spec and `x-mock-fault-key`; None once spent."""
    spec = request.headers.get("x-mock-fault") or fault_for_model(model)
    if not spec:
        return None
    head, _, params = spec.partition(";")
    own = head.strip().lower() if head.strip().lower() in _OWN_FAULTS else None
    fault = parse_fault(f"{_OWN_FAULTS[own]};{params}" if own else spec)
    state = request.app.state
    if not hasattr(state, "anthropic_fault_counts"):
        state.anthropic_fault_counts = {}
    counts: dict[tuple[str, str], int] = state.anthropic_fault_counts
    key = (request.headers.get("x-mock-fault-key", ""), spec)
    counts[key] = counts.get(key, 0) + 1
    if fault.times is not None and counts[key] > fault.times:
        return None
    state.stats.faults += 1
    return fault, own


def _authorized(request: Request, key: str | None) -> bool:
    if key is None:
        return True
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
    return (request.headers.get("x-api-key") or bearer) == key


def _with_error_event(events: list[StreamEvent], after: int) -> list[StreamEvent]:
    error = {
        "type": "error", "error": {"type": "overloaded_error", "message": "Overloaded (injected)"}
    }
    return [*events[:after], StreamEvent(encode_event(json.dumps(error), event="error"))]


def messages_endpoint(stream: StreamingResponse) -> Callable[[Request], Awaitable[Response]]:
    """The `POST /v1/messages` handler, streaming through `stream` (the server's paced
    event-stream response, passed in so this module does not import the server)."""

    async def messages(request: Request) -> Response:
        state = request.app.state
        stats, config = state.stats, state.config
        stats.count("anthropic")
        if not _authorized(request, config.api_key):
            return anthropic_error(401, "authentication_error", "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return anthropic_error(
                400, "invalid_request_error", "anthropic-version: header is required"
            )
        try:
            body = json.loads(await request.body())
        except ValueError:
            return anthropic_error(400, "invalid_request_error", "The body is not JSON")
        if not isinstance(body, dict):
            return anthropic_error(400, "invalid_request_error", "The body must be a JSON object")
        raw = body.get("messages")
        if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
            return anthropic_error(400, "invalid_request_error", "messages: Field required")
        if type(body.get("max_tokens")) is not int:
            return anthropic_error(400, "invalid_request_error", "max_tokens: Field required")
        problem = thinking_problem(body)
        if problem:
            return anthropic_error(400, "invalid_request_error", problem)
        model = str(body.get("model") or "mock")
        try:
            chosen = _fault(request, model)
        except ValueError as error:
            return anthropic_error(400, "invalid_request_error", f"x-mock-fault: {error}")
        fault, own = chosen if chosen is not None else (None, None)
        if fault is not None and (own == "overloaded" or (own is None and fault.is_http_error)):
            return fault_response(fault, own, model)
        if model.startswith("replay-"):
            recording = ANTHROPIC_RECORDINGS.get(model[len("replay-") :])
            if recording is None:
                known = ", ".join(sorted(ANTHROPIC_RECORDINGS))
                message = f"model: {model} (recordings: {known})"
                return anthropic_error(404, "not_found_error", message)
            return stream(recording_events(recording), stats, fault=fault)
        messages, tools = conversation(body)
        thinking = body.get("thinking")
        thinks = isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
        reply = deep_reply(messages, tools) or plan_reply(
            messages, tools, f"{model}-thinking" if thinks else model
        )
        if not hasattr(state, "anthropic_cache"):
            state.anthropic_cache = set()
        output = usage_of([], reply)["completion_tokens"]
        out = output if isinstance(output, int) else 0
        counts = prompt_counts(body, out, state.anthropic_cache)
        seed = json.dumps([model, raw], sort_keys=True).encode()
        if not body.get("stream"):
            stats.completed += 1
            return JSONResponse(whole_message(reply, seed=seed, model=model, counts=counts))
        size = _positive(request.headers.get("x-mock-chunk-size"), config.chunk_size)
        chunk_size = int(size or 1)
        events = reply_events(reply, seed=seed, model=model, counts=counts, chunk_size=chunk_size)
        if own == "error_event" and fault is not None:
            events, fault = _with_error_event(events, fault.after), None
        pace = _positive(request.headers.get("x-mock-tps"), config.tokens_per_second)
        return stream(events, stats, tokens_per_second=pace, fault=fault)

    return messages


def _positive(text: str | None, default: float | None) -> float | None:
    """A header's positive number, else `default`."""
    try:
        value = float(text) if text is not None else None
    except ValueError:
        value = None
    return value if value is not None and value > 0 else default
