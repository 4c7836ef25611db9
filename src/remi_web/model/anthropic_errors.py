"""Anthropic's HTTP errors as the project's typed model errors.

The body is `{"type": "error", "error": {"type": ..., "message": ...}}`. Most statuses mean
what they mean everywhere (`http_errors.error_from_response`); Anthropic's own are told
apart here: 529 `overloaded_error` (retried, like a 5xx), a low credit balance (quota, not
retried), 413 `request_too_large` (the request's bytes, not its tokens), and a 404 whose
hint names Anthropic's base URL, which has no `/v1`.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors import (
    BadRequestError,
    ModelHTTPError,
    ModelNotFoundError,
    QuotaExceededError,
    ServerError,
)
from .http_errors import error_from_response, provider_error
from .retry import retry_after_seconds

KEY_ENV = "ANTHROPIC_API_KEY"
"""The environment variable the API key comes from."""


def anthropic_error(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    where: str,
    model: str,
    now: float,
    key_sent: bool,
) -> ModelHTTPError:
    """The typed error for an HTTP error reply of the Messages API (not yet redacted).

    Args:
        status: the HTTP status.
        body: the start of the response body.
        headers: response headers with lower-case names.
        where: the endpoint, already stripped of credentials.
        model: the model asked for.
        now: wall time, to read an HTTP-date `retry-after`.
        key_sent: whether an API key was sent.
    """
    message, kind = provider_error(body)
    said = f": {message}" if message else ""
    retry_after = retry_after_seconds(headers, now)

    def make(cls: type[ModelHTTPError], text: str) -> ModelHTTPError:
        return cls(text, status=status, provider_message=message, retry_after=retry_after)

    if status == 529 or kind == "overloaded_error":
        return make(
            ServerError,
            f"Anthropic is overloaded (HTTP {status} from {where}){said}. "
            "The call is retried with backoff; if it persists, try again later",
        )
    if status == 402 or kind == "billing_error" or "credit balance is too low" in message:
        return make(
            QuotaExceededError,
            f"the account is out of credit at {where}{said}. Add credit (Plans & Billing)",
        )
    if status == 413 or kind == "request_too_large":  # bytes, not tokens
        return make(
            BadRequestError,
            f"the request is larger than {where} accepts (HTTP {status}){said}. "
            "Send fewer or smaller images and files",
        )
    if status == 404 and kind in ("not_found_error", ""):
        return make(
            ModelNotFoundError,
            f"model {model!r} was not found at {where} (HTTP 404){said}. Check model= and "
            "base_url= (the API root, e.g. https://api.anthropic.com, without /v1)",
        )
    return error_from_response(
        status, body, headers, where=where, model=model, now=now, key_sent=key_sent,
        key_env=KEY_ENV,
    )
