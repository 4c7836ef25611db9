"""Tracing: a `Tracer` over the whole run lifecycle, and its backends.

Tracing is off unless configured: pass a tracer to `AgentBuilder().tracer(...)`, or wrap any
agent in a `TracingLayer`. Backends: `StdoutTracer` (JSON lines or readable text),
`LangSmithTracer` (the LangSmith REST API), `OpenTelemetryTracer` (GenAI semantic
conventions; needs the `otel` extra, imported on first use), `RecordingTracer` (in memory),
and `CompositeTracer` to fan out to several. Every hook is synchronous and cheap; exports
run as event-loop tasks, and `await tracer.flush()` waits for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .run_trace import RunTrace
from ..core.secrets import DEFAULT_SECRET_FIELDS, HoldsSecrets, Redactor, Secret, secrets_of
from .records import (
    TRACE_RECORD_ADAPTER,
    CancelTrace,
    CustomTrace,
    ErrorTrace,
    InterruptTrace,
    ModelEndTrace,
    ModelStartTrace,
    ResumeTrace,
    RunEndStatus,
    RunEndTrace,
    RunResumedTrace,
    RunStartTrace,
    ToolEndTrace,
    ToolStartTrace,
    TraceRecord,
)
from .base import BaseTracer
from .loop_watch import LoopWatch
from .tracer import NO_TRACER, NoTracer, Tracer
from .composite import CompositeTracer, TracerFailure
from .custom import trace_custom
from .exports import Exports, TraceExportError
from .langsmith import LangSmithTracer
from .langsmith_runs import LangSmithRuns
from .layer import TracedAgent, TracingLayer
from .recording import RecordingTracer
from .stdout import StdoutTracer, human_line

if TYPE_CHECKING:
    from .otel import OpenTelemetryTracer


def __getattr__(name: str) -> object:
    # OpenTelemetryTracer imports opentelemetry only when asked for (an optional extra).
    if name == "OpenTelemetryTracer":
        from .otel import OpenTelemetryTracer

        return OpenTelemetryTracer
    raise AttributeError(f"module 'remi_web.tracing' has no attribute {name!r}")


__all__ = [
    "BaseTracer", "CancelTrace", "CompositeTracer", "CustomTrace", "DEFAULT_SECRET_FIELDS",
    "ErrorTrace", "Exports", "HoldsSecrets", "InterruptTrace", "LangSmithRuns", "LangSmithTracer",
    "ModelEndTrace", "ModelStartTrace", "NO_TRACER", "NoTracer", "OpenTelemetryTracer",
    "RecordingTracer", "Redactor", "ResumeTrace", "RunEndStatus", "RunEndTrace",
    "RunResumedTrace", "RunStartTrace", "RunTrace", "Secret", "StdoutTracer", "ToolEndTrace",
    "ToolStartTrace", "TRACE_RECORD_ADAPTER", "TraceExportError", "TraceRecord",
    "TracedAgent", "Tracer", "TracerFailure", "TracingLayer", "human_line", "LoopWatch",
    "secrets_of", "trace_custom",
]
