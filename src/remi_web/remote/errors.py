"""What `HttpAgent` raises when the server refuses a request or cannot be reached.

Refusals keep the server's stable `code`, its message and the field at fault; the common
ones map onto the core's own errors, so a remote run fails like a local one.
"""

from __future__ import annotations

import json
from typing import ClassVar

from ..core.errors import (
    MissingResumePayload,
    RemiError,
    RequestError,
    RunExists,
    RunMoved,
    RunNotFound,
    RunNotMovable,
    RunNotResumable,
    ToolSchemaError,
    UnknownInterrupt,
)
from .protocol import ERROR_BODY_ADAPTER, ErrorDetail


class RemoteRefusal(RequestError):
    """The server answered 4xx: the request must change before it can succeed.

    Args:
        message: the server's message.
        status: the HTTP status.
        remote_code: the server's error code (e.g. `invalid_request`, `approval_invalid`).
        field: the request field at fault, if the server named one.
    """

    code: ClassVar[str] = "remote_refused"

    def __init__(
        self, message: str, *, status: int, remote_code: str, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.remote_code = remote_code
        self.field = field


class RemoteAuthError(RemoteRefusal):
    """401: the server wants a bearer token (`HttpAgent(token=...)`) it did not get."""

    code = "remote_auth"


class ApprovalRefused(RemoteRefusal):
    """A `Resume` was refused: an approval token is missing, forged, or already used."""

    code = "approval_refused"


class RemoteRunNotFound(RemoteRefusal, RunNotFound):
    """The server has no such run."""

    code = "run_not_found"


class RemoteRunNotResumable(RemoteRefusal, RunNotResumable):
    """The run exists but cannot take this request now (busy, finished, or waiting for
    something else)."""

    code = "run_not_resumable"


class RemoteMissingPayload(RemoteRefusal, MissingResumePayload):
    """The `Resume` left a pending interrupt unanswered."""

    code = "missing_payload"


class RemoteUnknownInterrupt(RemoteRefusal, UnknownInterrupt):
    """The `Resume` named an interrupt the run is not waiting for."""

    code = "unknown_interrupt"


class RemoteToolSchemaError(RemoteRefusal, ToolSchemaError):
    """A tool in the request's `tools` has `parameters` that are not a valid JSON Schema;
    `field` (and `path`) say where, e.g. `tools.0.parameters.properties.city.type`."""

    code = "invalid_tool_schema"

    def __init__(
        self, message: str, *, status: int, remote_code: str, field: str | None = None
    ) -> None:
        super().__init__(message, status=status, remote_code=remote_code, field=field)
        self.path = field or ""


class RemoteRunMoved(RemoteRefusal, RunMoved):
    """The run was exported from the server: it goes on where it was imported."""

    code = "run_moved"


class RemoteRunExists(RemoteRefusal, RunExists):
    """The server holds the imported run already (a run is held in one place at a time)."""

    code = "run_exists"


class RemoteRunNotMovable(RemoteRefusal, RunNotMovable):
    """The server's run cannot be handed off as it stands (in flight, ended, or waiting for
    its caller's tools)."""

    code = "run_not_movable"


class RemoteUnavailable(RemiError):
    """The server could not be reached, failed (5xx), or the stream broke for good."""

    code: ClassVar[str] = "remote_unavailable"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


_BY_CODE: dict[str, type[RemoteRefusal]] = {
    "run_not_found": RemoteRunNotFound,
    "run_not_resumable": RemoteRunNotResumable,
    "run_busy": RemoteRunNotResumable,
    "missing_payload": RemoteMissingPayload,
    "unknown_interrupt": RemoteUnknownInterrupt,
    "invalid_tool_schema": RemoteToolSchemaError,
    "approval_required": ApprovalRefused,
    "approval_invalid": ApprovalRefused,
    "approval_replayed": ApprovalRefused,
    "edit_not_allowed": ApprovalRefused,
    "unauthorized": RemoteAuthError,
    "run_moved": RemoteRunMoved,
    "run_exists": RemoteRunExists,
    "run_not_movable": RemoteRunNotMovable,
    "run_in_flight": RemoteRunNotMovable,
}


def error_detail(body: bytes) -> ErrorDetail | None:
    """The `{"error": ...}` document of a response body, if it is one."""
    try:
        return ERROR_BODY_ADAPTER().validate_json(body).error
    except ValueError:
        return None


def error_from_response(status: int, body: bytes, where: str) -> RemiError:
    """The error to raise for a non-2xx answer from `where`."""
    detail = error_detail(body)
    if detail is None:
        text = body.decode("utf-8", errors="replace").strip()[:300]
        try:
            text = json.dumps(json.loads(text))[:300]
        except ValueError:
            pass
        detail = ErrorDetail("http_error", f"HTTP {status} from {where}: {text or 'no body'}")
    if status >= 500 or status in (408, 429):
        return RemoteUnavailable(f"{detail.message} (HTTP {status} from {where})", status=status)
    kind = RemoteAuthError if status == 401 else _BY_CODE.get(detail.code, RemoteRefusal)
    return kind(detail.message, status=status, remote_code=detail.code, field=detail.field)
