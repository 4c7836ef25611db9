"""CompositeTracer: fan-out where a raising or hanging backend never breaks or stalls the run."""

from __future__ import annotations

import asyncio
import logging

import pytest
from trace_helpers import drain, shape, traced_agent

from remi_web import ScriptedModel, ToolCall
from remi_web.tracing.records import TraceRecord
from remi_web.tracing import BaseTracer
from remi_web.tracing import CompositeTracer, RecordingTracer, TracingLayer

pytestmark = pytest.mark.pyodide

SCRIPT = [[ToolCall("balance")], ["You have 100."]]


class Raising(BaseTracer):
    """Raises in every hook and in flush."""

    def __init__(self) -> None:
        self.calls = 0

    def on_record(self, record: TraceRecord) -> None:
        self.calls += 1
        raise ConnectionError("backend down")

    async def flush(self) -> None:
        raise ConnectionError("still down")


class Hanging(BaseTracer):
    """Takes records at once; its export (flush) never finishes."""

    def __init__(self) -> None:
        self.records: list[TraceRecord] = []
        self.flush_started = asyncio.Event()
        self.flush_cancelled = False

    def on_record(self, record: TraceRecord) -> None:
        self.records.append(record)

    async def flush(self) -> None:
        self.flush_started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.flush_cancelled = True
            raise


async def test_a_raising_backend_breaks_nothing_and_is_reported_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "remi_web.tracing")
    before, raising, after = RecordingTracer(), Raising(), RecordingTracer()
    composite = CompositeTracer(before, raising, after)
    events = await drain(traced_agent(ScriptedModel(SCRIPT), composite).chat("balance?"))
    assert events[-1].type == "done"
    assert shape(before.records) == shape(after.records) == [
        "run_start", "model_start:1", "model_end:1", "tool_start:balance", "tool_end:balance",
        "model_start:2", "model_end:2", "run_end:done",
    ]
    assert raising.calls == 8
    failure = composite.failures[1]
    assert failure.tracer is raising and failure.where == "on_run_start" and failure.count == 8
    await composite.flush()
    assert failure.count == 9 and after.flushes == before.flushes == 1
    reports = [r for r in caplog.records if "tracer 1 (Raising)" in r.getMessage()]
    assert len(reports) == 1
    assert set(composite.failures) == {1}


async def test_a_hanging_backend_never_stalls_the_run_or_the_flush() -> None:
    hanging, recorder = Hanging(), RecordingTracer()
    composite = CompositeTracer(hanging, recorder, flush_timeout=0.05)
    events = await drain(traced_agent(ScriptedModel(SCRIPT), composite).chat("balance?"))
    assert events[-1].type == "done"  # the run never waited for any export
    assert len(hanging.records) == len(recorder.records) == 8
    assert not hanging.flush_started.is_set()
    await composite.flush()  # bounded: gives up on the hanging backend
    assert hanging.flush_started.is_set() and recorder.flushes == 1
    failure = composite.failures[0]
    assert failure.where == "flush" and "TimeoutError" in failure.error
    for _ in range(100):  # the cancelled flush stops on a later turn of the event loop
        if hanging.flush_cancelled:
            break
        await asyncio.sleep(0)
    assert hanging.flush_cancelled


async def test_a_composite_is_a_tracer_everywhere_a_tracer_goes() -> None:
    inner, outer = RecordingTracer(), RecordingTracer()
    agent = traced_agent(ScriptedModel(SCRIPT), CompositeTracer(inner))
    traced = agent.layer(TracingLayer(CompositeTracer(CompositeTracer(outer)), name="outer"))
    await drain(traced.chat("balance?"))
    assert shape(inner.records) == shape(outer.records)
