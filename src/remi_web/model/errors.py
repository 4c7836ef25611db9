"""Typed model failures: each has a stable `code`, says what to do, and never holds a key."""

from __future__ import annotations

from typing import ClassVar

from ..core.errors import ModelError
from ..http.errors import ModelTimeoutError, NetworkError

__all__ = [
    "AuthenticationError", "BadRequestError", "ContextLengthError", "ModelHTTPError",
    "ModelNotFoundError", "ModelTimeoutError", "NetworkError", "QuotaExceededError",
    "RateLimitError", "ServerError", "StreamError", "is_retryable",
]


class ModelHTTPError(ModelError):
    """The provider answered with an HTTP error status.

    Args:
        message: what happened and what to do (already redacted).
        status: the HTTP status.
        provider_message: the provider's own explanation, if it gave one.
        retry_after: seconds the provider asked us to wait, if it said.
    """

    code: ClassVar[str] = "model_http_error"
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status: int,
        provider_message: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.provider_message = provider_message
        self.retry_after = retry_after


class AuthenticationError(ModelHTTPError):
    """401/403: the API key is missing, wrong, or lacks access to this model."""

    code = "model_auth"


class BadRequestError(ModelHTTPError):
    """400/413/422: the provider rejected the request; its message says which part."""

    code = "model_bad_request"


class ContextLengthError(BadRequestError):
    """The conversation is longer than the model's context window."""

    code = "context_length"


class ModelNotFoundError(ModelHTTPError):
    """404 or an unknown model name: check `model=` and `base_url`."""

    code = "model_not_found"


class RateLimitError(ModelHTTPError):
    """429: too many requests; `retry_after` is the provider's hint in seconds."""

    code = "rate_limited"
    retryable = True


class QuotaExceededError(RateLimitError):
    """429 `insufficient_quota`: the account is out of credit; retrying will not help."""

    code = "quota_exceeded"
    retryable = False


class ServerError(ModelHTTPError):
    """5xx (or 408/409): the provider failed; retried with backoff."""

    code = "model_server_error"
    retryable = True


class StreamError(ModelError):
    """The response stream broke: cut mid-way, a malformed chunk, or an error chunk."""

    code = "stream_error"
    retryable: ClassVar[bool] = False


def is_retryable(error: Exception) -> bool:
    """Whether another attempt may succeed (rate limits, 5xx, network, connect timeouts)."""
    return bool(getattr(error, "retryable", False))
