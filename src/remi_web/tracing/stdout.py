"""`StdoutTracer`: one line per record on stdout, as JSON (default) or readable text."""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO

from ..core.schema_types import JsonValue

from .records import TRACE_RECORD_ADAPTER, TraceRecord
from .base import BaseTracer

_RUN_LEVEL = frozenset({"run_start", "run_resumed", "run_end"})


class StdoutTracer(BaseTracer):
    """Writes each record as one line: a JSON object (its `type` first) by default, or a
    short readable line with `human=True`.

    Args:
        human: readable lines (`12:00:01.250 run_start AgentLoop run=1a2b3c4d ...`).
        stream: where to write; default `sys.stdout` at the time of writing.
    """

    def __init__(self, *, human: bool = False, stream: TextIO | None = None) -> None:
        self.human = human
        self.stream = stream

    def on_record(self, record: TraceRecord) -> None:
        """Write `record` as one line."""
        line = human_line(record) if self.human else TRACE_RECORD_ADAPTER().dump_json(record).decode()
        (self.stream or sys.stdout).write(line + "\n")

    async def flush(self) -> None:
        """Flush the stream."""
        (self.stream or sys.stdout).flush()


def human_line(record: TraceRecord) -> str:
    """A one-line, readable summary of `record`."""
    clock = time.strftime("%H:%M:%S", time.localtime(record.at)) + f".{int(record.at % 1 * 1000):03d}"
    indent = "" if record.type in _RUN_LEVEL else "  "
    return f"{clock} {indent}{record.type} {_details(record)}".rstrip()


def _details(r: TraceRecord) -> str:
    run = f"run={r.run_id[:8]}"
    if r.type == "run_start":
        return f"{r.name} {run} model={r.model} messages={len(r.messages)} tools={len(r.tools)}"
    if r.type == "run_resumed":
        return f"{r.name} {run} turn={r.turn}"
    if r.type == "resume":
        return f"{run} {r.kind}={len(r.payloads)}"
    if r.type == "model_start":
        shown = "?" if r.messages is None else len(r.messages)
        return f"turn={r.turn} model={r.model} messages={shown}"
    if r.type == "model_end":
        ttft = "" if r.first_token_at is None else f" ttft={_ms(r.first_token_at - r.started_at)}"
        end = " cancelled" if r.cancelled else f" error={r.error!r}" if r.error else ""
        return (
            f"turn={r.turn} {_ms(r.at - r.started_at)}{ttft} "
            f"tokens={r.usage.prompt_tokens}+{r.usage.completion_tokens} "
            f"text={_short(r.text)} tool_calls={len(r.tool_calls)}{end}"
        )
    if r.type == "tool_start":
        flags = " resumed" if r.resumed else " external" if r.external else ""
        return f"{r.name} call={r.call_id} args={_short(r.arguments)}{flags}"
    if r.type == "tool_end":
        took = "" if r.started_at is None else f" {_ms(r.at - r.started_at)}"
        what = "interrupted" if r.interrupted else "error" if r.is_error else "result"
        return f"{r.name} call={r.call_id}{took} {what}={_short(r.result)}"
    if r.type == "interrupt":
        return f"{run} count={len(r.interrupts)}"
    if r.type == "error":
        return f"{run} {r.code}: {r.message}"
    if r.type == "cancel":
        return f"{run} partial={_short(r.partial_text)}"
    if r.type == "custom":
        return f"{r.name} {_short(r.data)}"
    usage = f"tokens={r.usage.prompt_tokens}+{r.usage.completion_tokens}"
    error = f" error={r.error!r}" if r.error else ""
    return f"{r.status} {run} turns={r.turns} {usage} {_ms(r.at - r.started_at)}{error}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms"


def _short(value: JsonValue, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= limit else text[: limit - 3] + "..."
