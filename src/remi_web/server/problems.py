"""Refusals the server answers with: a status and a JSON `{"error": {code, message, field}}`
body, never a stack trace. Core errors raised while a run sets up map onto them."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ..core.schema_types import JsonValue

from ..core.errors import (
    CheckpointConflict,
    CheckpointVersionError,
    ConfigurationError,
    CorruptCheckpoint,
    MissingResumePayload,
    RequestError,
    RunBusy,
    RunMoved,
    RunNotFound,
    RunNotResumable,
    StoreError,
    UnknownInterrupt,
)

_log = logging.getLogger("remi_web.server")


class HttpProblem(Exception):
    """A request the server refuses (4xx) or cannot serve (5xx).

    Args:
        status: the HTTP status.
        code: a stable, machine-readable code.
        message: what went wrong and what to change.
        field: the request field at fault (dotted path), if any.
        headers: extra response headers (e.g. `WWW-Authenticate`).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = dict(headers or {})

    def body(self) -> dict[str, JsonValue]:
        """The JSON document of the answer."""
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def problem_for(error: Exception) -> HttpProblem:
    """The answer for an error an agent raised before its first event."""
    message = str(error) or type(error).__name__
    if isinstance(error, RunNotFound):
        return HttpProblem(404, "run_not_found", message)
    if isinstance(error, RunBusy | CheckpointConflict):  # another caller or server won the run
        return HttpProblem(409, "run_busy", message)
    if isinstance(error, RunMoved):  # handed off: it goes on where it went
        return HttpProblem(409, "run_moved", message)
    if isinstance(error, RunNotResumable):
        return HttpProblem(409, "run_not_resumable", message)
    if isinstance(error, MissingResumePayload):
        return HttpProblem(422, "missing_payload", message, "input.payloads")
    if isinstance(error, UnknownInterrupt):
        return HttpProblem(422, "unknown_interrupt", message, "input.payloads")
    if isinstance(error, RequestError):
        return HttpProblem(422, error.code, message)
    if isinstance(error, CorruptCheckpoint | CheckpointVersionError):
        _log.error("unreadable checkpoint: %s", message)
        return HttpProblem(
            503, error.code,
            "The run's latest checkpoint cannot be read (see the server log); cancel the run "
            "to end it.",
        )
    if isinstance(error, StoreError):
        _log.error("store failure while starting a run: %s", message)
        return HttpProblem(503, "store_error", "The server's store failed; try again later.")
    if isinstance(error, ConfigurationError):
        _log.error("the served agent is misconfigured: %s", message)
        return HttpProblem(500, "agent_misconfigured", "The served agent is misconfigured.")
    _log.error("the agent failed to start a run", exc_info=error)
    return HttpProblem(500, "internal", "The agent failed to start the run; see the server log.")
