"""The run bundle's format: `RunBundle`, its trace root, the limits a receiver reads it
within, and the JSON adapter. See `run_bundle` for exporting and importing one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .events import InterruptInfo
from .ids import RunId, SpanId, ThreadId
from .messages import Message
from .run_status import RunStatus
from .schema_types import JsonValue, LazyAdapter
from .state import Checkpoint
from .usage import Usage

RUN_BUNDLE_FORMAT = "remi-run"
"""The `format` of a run bundle."""
RUN_BUNDLE_VERSION = 1
"""The run bundle version this code writes and reads."""
MOVABLE: tuple[RunStatus, ...] = ("interrupted", "tools_executed", "done")
"""The statuses a run can be handed off in: paused on interrupts, or between turns (a tool
round finished and the next model call not made yet, or the run done with its thread going
on)."""

__all__ = [
    "MOVABLE", "RUN_BUNDLE_ADAPTER", "RUN_BUNDLE_FORMAT", "RUN_BUNDLE_VERSION", "BundleLimits",
    "BundleTrace", "RunBundle",
]


@dataclass(frozen=True, slots=True)
class BundleTrace:
    """Where the run sits in its trace, so both sides report one tree.

    Args:
        parent_span: the span the run is nested in (None: the run is the trace's root).
        run_span: the run's own span (`ids.run_span_id(parent_span, run_id)`), the parent
            of every model and tool span on either side.
        started_at: when the run first started (Unix seconds): the run span's start.
    """

    parent_span: SpanId | None
    run_span: SpanId
    started_at: float


@dataclass(frozen=True, slots=True)
class BundleLimits:
    """How big a bundle a receiver reads (`BundleTooLarge` beyond).

    Args:
        max_bytes: its JSON, in bytes.
        max_messages: the thread's messages plus the run's.
        max_tools: the tool names it lists.
    """

    max_bytes: int = 8 * 1024 * 1024
    max_messages: int = 10_000
    max_tools: int = 1_000


@dataclass(frozen=True, slots=True)
class RunBundle:
    """One run as versioned, self-describing JSON: what another store or server needs to
    continue it, and nothing secret (no approval tokens, keys or leases).

    Args:
        run_id: the run.
        thread_id: its thread, as the exporting side's caller names it.
        agent: the name of the agent that ran it.
        tools: the names of that agent's tools (the receiver must have every one).
        status: where the run stands (one of `MOVABLE`).
        checkpoint: its latest checkpoint (the `LoopState` in it holds the run's messages,
            pending calls and interrupts, tool state, usage and trace parent), without lease.
        messages: the thread's messages before the run's own (ids kept).
        pending_interrupts: what a resume must answer, without tokens (the receiving
            server signs its own).
        usage: what the run used so far.
        trace: where it sits in its trace.
        created_at: when the bundle was made (Unix seconds).
        format: always `RUN_BUNDLE_FORMAT`.
        version: the format version (`RUN_BUNDLE_VERSION`).
    """

    format: Literal["remi-run"] = field(default="remi-run", kw_only=True)
    version: int = field(default=RUN_BUNDLE_VERSION, kw_only=True)
    run_id: RunId
    thread_id: ThreadId
    agent: str
    tools: list[str]
    status: RunStatus
    checkpoint: Checkpoint
    messages: list[Message]
    pending_interrupts: list[InterruptInfo]
    usage: Usage
    trace: BundleTrace
    created_at: float

    def to_json(self) -> dict[str, JsonValue]:
        """The bundle as JSON-ready data (`json.dumps` it to send it)."""
        data: dict[str, JsonValue] = RUN_BUNDLE_ADAPTER().dump_python(self, mode="json")
        return data


RUN_BUNDLE_ADAPTER = LazyAdapter[RunBundle](RunBundle)
"""Turns a `RunBundle` into JSON and back (reading goes through `run_bundle.read_run_bundle`,
which checks it)."""
