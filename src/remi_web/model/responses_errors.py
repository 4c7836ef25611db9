"""Errors a Responses stream reports (`error`, `response.failed`, `response.incomplete`), typed
like the HTTP errors of the same codes."""

from __future__ import annotations

import json
from typing import ClassVar

from ..core.errors import ModelError
from ..core.schema_types import JsonValue
from .errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelHTTPError,
    ModelNotFoundError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    StreamError,
)


class IncompleteResponseError(StreamError):
    """The response ended incomplete (`max_output_tokens`, `content_filter`) before the
    model said anything or called a tool: raise `max_tokens` or change the request.

    Args:
        message: what happened and what to do.
        reason: the provider's `incomplete_details.reason`.
    """

    code: ClassVar[str] = "response_incomplete"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


_ERROR_KINDS: dict[str, tuple[type[ModelHTTPError], int, str]] = {
    "rate_limit_exceeded": (RateLimitError, 429, ""),
    "insufficient_quota": (QuotaExceededError, 429, " Add credit or raise the quota."),
    "server_error": (ServerError, 500, ""),
    "vector_store_timeout": (ServerError, 500, ""),
    "context_length_exceeded": (
        ContextLengthError, 400,
        " Shorten the history or use a model with a larger context window.",
    ),
    "model_not_found": (ModelNotFoundError, 404, " Check model= and base_url=."),
    "invalid_api_key": (AuthenticationError, 401, " Check the API key."),
    "invalid_prompt": (BadRequestError, 400, ""),
    "invalid_request_error": (BadRequestError, 400, ""),
}
"""Error codes the Responses API reports in a stream, with the error type (and the HTTP
status it has when it comes before the stream) and a hint."""


def stream_error(code: str, message: str) -> ModelError:
    """The typed error for an error the provider reported inside a stream: `StreamError`
    unless its code says more (rate limits, server errors, context length, image errors
    are bad requests...)."""
    said = f"the provider reported an error mid-stream ({code or 'no code'}): {message}"
    kind = _ERROR_KINDS.get(code)
    if kind is None and (code.startswith("image_") or code.startswith("invalid_")):
        kind = (BadRequestError, 400, "")
    if kind is None:
        return StreamError(said)
    error_type, status, hint = kind
    return error_type(said + hint, status=status, provider_message=message)


def error_fields(error: JsonValue) -> tuple[str, str]:
    """The `(code, message)` of an error object (or of a bare message)."""
    if isinstance(error, dict):
        code = error.get("code") or error.get("type") or ""
        message = error.get("message")
        return str(code), message if isinstance(message, str) else json.dumps(error)[:500]
    return "", str(error)[:500]
