"""The failures of an HTTP exchange itself: the peer could not be reached, or took too long.

They are `ModelError`s (a model call is the usual exchange) with a stable `code`, and never
hold a key or a URL's credentials.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from ..core.errors import ModelError

TimeoutPhase = Literal["connect", "read", "total"]


class NetworkError(ModelError):
    """The provider could not be reached, or the connection broke."""

    code = "network_error"
    retryable: ClassVar[bool] = True


class ModelTimeoutError(ModelError):
    """A connect, read or total timeout expired.

    Args:
        message: what timed out.
        phase: `connect` (no response headers in time), `read` (a silent gap in the
            stream) or `total` (the whole call).
    """

    code: ClassVar[str] = "model_timeout"

    def __init__(self, message: str, *, phase: TimeoutPhase) -> None:
        super().__init__(message)
        self.phase: TimeoutPhase = phase

    @property
    def retryable(self) -> bool:
        """Only a connect timeout is worth another attempt (nothing was streamed yet)."""
        return self.phase == "connect"
