"""Fault injection for the mock server, chosen by model name or the `x-mock-fault` header.

A spec is a kind with optional parameters: `429`, `429; retry_after=0.5; times=2`,
`cut; after=3`, `slow; delay=2`. As a model name: `fault-429`, `fault-cut`...

Kinds: `429` (rate limited, with `Retry-After` and `retry-after-ms`), `quota` (429
insufficient_quota), `500`, `503`, `401`, `400`, `404`, `context` (400 context length),
`cut` (the connection drops mid-stream), `truncate` (the stream ends cleanly but early,
without finish_reason or [DONE]), `malformed` (a broken JSON chunk mid-stream), `slow`
(the response headers wait `delay` seconds).
`times=N` applies the fault to the first N requests with the same spec and
`x-mock-fault-key`, then serves normally (for "fails twice, then works").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, cast, get_args

from ..core.schema_types import JsonValue

FaultKind: TypeAlias = Literal[
    "429",
    "quota",
    "500",
    "503",
    "401",
    "400",
    "404",
    "context",
    "cut",
    "truncate",
    "malformed",
    "slow",
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
"""Every fault kind."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure.

    Args:
        kind: what goes wrong.
        times: fail only the first N matching requests (`None`: all).
        retry_after: seconds announced by a 429 (also sent as `retry-after-ms`).
        delay: seconds before the response headers of a `slow` fault.
        after: events sent before `cut`, `truncate` or `malformed` strikes.
    """

    kind: FaultKind
    times: int | None = None
    retry_after: float = 1.0
    delay: float = 5.0
    after: int = 2

    @property
    def is_http_error(self) -> bool:
        """Whether this fault answers with an error status instead of a stream."""
        return self.kind in ("429", "quota", "500", "503", "401", "400", "404", "context")


def parse_fault(spec: str) -> Fault:
    """The fault a spec names.

    Raises:
        ValueError: unknown kind or parameter, or a bad value.
    """
    head, *params = [part.strip() for part in spec.split(";")]
    kind = head.lower()
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault {head!r}; known: {', '.join(FAULT_KINDS)}")
    values: dict[str, float] = {}
    for param in params:
        if not param:
            continue
        name, _, raw = param.partition("=")
        name = name.strip()
        if name not in ("times", "retry_after", "delay", "after"):
            raise ValueError(f"unknown fault parameter {name!r}")
        try:
            values[name] = float(raw)
        except ValueError:
            raise ValueError(f"fault parameter {name!r} needs a number, got {raw!r}") from None
    times = values.get("times")
    return Fault(
        cast(FaultKind, kind),  # checked against FAULT_KINDS above
        times=None if times is None else int(times),
        retry_after=values.get("retry_after", 1.0),
        delay=values.get("delay", 5.0),
        after=int(values.get("after", 2)),
    )


def fault_for_model(model: str) -> str | None:
    """The fault spec a model name selects (`fault-429` gives `429`), if any."""
    return model[len("fault-") :] if model.startswith("fault-") else None


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    """An OpenAI-style error response: status, `error` object fields and headers."""

    status: int
    message: str
    type: str
    code: str | None = None
    param: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, JsonValue]:
        """The JSON body, shaped like OpenAI's errors."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def error_answer(fault: Fault, model: str) -> ErrorAnswer:
    """The error response an HTTP-error fault sends (messages say "injected")."""
    wait = {
        "retry-after": str(math.ceil(fault.retry_after)),
        "retry-after-ms": str(int(fault.retry_after * 1000)),
    }
    invalid = "invalid_request_error"
    kind = fault.kind
    if kind == "429":
        message = f"Rate limit reached for {model} (injected). Try again in {fault.retry_after:g}s."
        return ErrorAnswer(429, message, "requests", "rate_limit_exceeded", headers=wait)
    if kind == "quota":
        message = "You exceeded your current quota, check your plan and billing (injected)."
        return ErrorAnswer(429, message, "insufficient_quota", "insufficient_quota")
    if kind == "500":
        message = "The server had an error while processing your request (injected)."
        return ErrorAnswer(500, message, "server_error")
    if kind == "503":
        message = "The engine is currently overloaded, please try again later (injected)."
        return ErrorAnswer(503, message, "server_error", headers=wait)
    if kind == "401":
        return ErrorAnswer(
            401, "Incorrect API key provided (injected).", invalid, "invalid_api_key"
        )
    if kind == "404":
        message = f"The model `{model}` does not exist or you do not have access to it (injected)."
        return ErrorAnswer(404, message, invalid, "model_not_found")
    if kind == "context":
        message = (
            "This model's maximum context length is 128000 tokens. However, your messages "
            "resulted in 200000 tokens. Please reduce the length of the messages (injected)."
        )
        return ErrorAnswer(400, message, invalid, "context_length_exceeded", param="messages")
    message = "Invalid value for 'temperature' (injected)."
    return ErrorAnswer(400, message, invalid, param="temperature")
