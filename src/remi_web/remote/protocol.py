"""The HTTP + SSE wire protocol shared by the server and `HttpAgent`: paths, headers, the
run status document and the error document. Pure Python: it runs in Pyodide too.

Requests are the JSON of `ChatRequest`; responses to run requests are SSE frames
`event: <type>`, `id: <sequence>`, `data: <event JSON>`. See `docs/protocol.md`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from ..core.schema_types import LazyAdapter

from ..core.events import InterruptInfo
from ..core.ids import RunId, ThreadId
from ..core.messages import ToolCallRequest

PROTOCOL_VERSION = "v1"
RUNS_PATH = "/v1/runs"
HEALTH_PATH = "/healthz"
OPENAPI_PATH = "/v1/openapi.json"
"""The protocol as an OpenAPI 3.1 document (served without a token, like the health check)."""
RUN_ID_HEADER = "x-remi-run-id"
"""Response header of every run stream: the run's id, known before the first event."""
STREAM_AFTER_HEADER = "x-remi-stream-after"
"""Response header of every run stream: the id of the run's last event before this stream
(a client that must reconnect before its first event sends it as `Last-Event-ID`)."""
LAST_EVENT_ID_HEADER = "last-event-id"
EVENT_STREAM = "text/event-stream"

RUN_IMPORT_PATH = RUNS_PATH + "/import"
"""`POST` a run bundle here to continue the run on the server (see docs/handoff.md)."""

RunAction: TypeAlias = Literal["resume", "tool-results", "cancel", "events", "export"]


def run_path(run_id: str, action: RunAction | None = None) -> str:
    """The path of run `run_id` (`GET` for its status), or of one of its actions."""
    base = f"{RUNS_PATH}/{run_id}"
    return base if action is None else f"{base}/{action}"


RemoteStatus: TypeAlias = Literal[
    "running",  # a stream of this run is live on the server
    "interrupted",  # waiting for `resume`
    "awaiting_tools",  # waiting for `tool-results`
    "done",
    "failed",
    "cancelled",
    "stalled",  # its last stream stopped without an end (the server went away mid-run)
    "moved",  # exported (`GET .../export`): it goes on elsewhere, never here again
]


@dataclass(frozen=True, slots=True)
class RunInfo:
    """The answer of `GET /v1/runs/{run_id}`.

    Args:
        run_id: the run.
        thread_id: its conversation.
        status: where the run stands.
        last_event_id: the sequence number of its last logged event.
        pending_interrupts: what a `resume` must answer (with their approval tokens).
        pending_tool_calls: what `tool-results` must answer.
    """

    run_id: RunId
    thread_id: ThreadId | None
    status: RemoteStatus
    last_event_id: int
    pending_interrupts: list[InterruptInfo] = field(default_factory=list)
    pending_tool_calls: list[ToolCallRequest] = field(default_factory=list)


RUN_INFO_ADAPTER = LazyAdapter[RunInfo](RunInfo)
"""Turns a `RunInfo` into JSON and back."""


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """Why a request was refused: a stable `code`, a message saying what to change, and
    the request field at fault (dotted path, e.g. `input.messages.0.content`), if any."""

    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """The JSON body of every 4xx/5xx answer: `{"error": {"code", "message", "field"}}`."""

    error: ErrorDetail


ERROR_BODY_ADAPTER = LazyAdapter[ErrorBody](ErrorBody)
"""Turns an `ErrorBody` into JSON and back."""
