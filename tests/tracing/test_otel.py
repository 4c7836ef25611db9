"""OpenTelemetryTracer: GenAI spans, checked with the SDK's in-memory exporter."""

from __future__ import annotations

import json
import uuid

import pytest
from trace_helpers import drain, traced_agent

from remi_web import AgentBuilder, ChatRequest, InterruptEvent, MemoryStore, ScriptedModel, ToolCall
from remi_web import ToolCtx, tool
from remi_web.core.ids import run_span_id
from remi_web.tracing import CompositeTracer, RecordingTracer

otel_sdk = pytest.importorskip("opentelemetry.sdk.trace")
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind, StatusCode  # noqa: E402

from remi_web.tracing.otel import OpenTelemetryTracer

SECRET = "sk-test-abcdefghijklmnop"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def by_name(spans: tuple[ReadableSpan, ...] | list[ReadableSpan]) -> dict[str, list[ReadableSpan]]:
    out: dict[str, list[ReadableSpan]] = {}
    for span in spans:
        out.setdefault(span.name, []).append(span)
    return out


def parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_spans_follow_the_genai_conventions_across_interrupt_and_resume(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    store = MemoryStore()
    script = [[ToolCall("balance"), ToolCall("transfer", {"amount": 5})], ["Sent."]]
    first = traced_agent(ScriptedModel(script), OpenTelemetryTracer(
        tracer_provider=provider, provider_name="openai"), store)
    pause = (await drain(first.chat("pay")))[-1]
    assert isinstance(pause, InterruptEvent)
    second = traced_agent(ScriptedModel([script[1]]), OpenTelemetryTracer(
        tracer_provider=provider, provider_name="openai"), store)
    payloads = {pause.interrupts[0].interrupt_id: "yes"}
    await drain(second.chat(ChatRequest.resume(pause.run_id, payloads)))

    spans = exporter.get_finished_spans()
    named = by_name(spans)
    assert sorted(named) == ["chat", "execute_tool balance", "execute_tool transfer",
                             "invoke_agent AgentLoop"]
    segments = named["invoke_agent AgentLoop"]
    assert len(segments) == 2 and len(named["chat"]) == 2 and len(named["execute_tool transfer"]) == 2
    run_span = uuid.UUID(run_span_id(None, pause.run_id)).int
    assert {s.context.trace_id for s in spans} == {run_span}  # one trace for the whole run
    assert {parent_id(s) for s in segments} == {run_span & ((1 << 64) - 1)}
    start, resume = sorted(segments, key=lambda s: s.start_time or 0)
    assert start.attributes is not None and resume.attributes is not None
    assert start.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert start.attributes["gen_ai.agent.name"] == "AgentLoop"
    assert start.attributes["remi.run_id"] == pause.run_id == resume.attributes["remi.run_id"]
    assert start.attributes["remi.run.status"] == "interrupted"
    assert resume.attributes["remi.run.status"] == "done"
    assert [e.name for e in start.events] == ["remi.interrupt"]
    assert [e.name for e in resume.events] == ["remi.resume"]
    first_ids = {start.context.span_id}
    for span in spans:
        if span not in segments:
            expected = start if parent_id(span) in first_ids else resume
            assert parent_id(span) == expected.context.span_id
    chat1, chat2 = sorted(named["chat"], key=lambda s: s.start_time or 0)
    assert chat1.kind == SpanKind.CLIENT and chat1.attributes is not None
    assert chat1.attributes["gen_ai.operation.name"] == "chat"
    assert chat1.attributes["gen_ai.provider.name"] == "openai"
    assert chat1.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert chat1.attributes["gen_ai.usage.input_tokens"] > 0  # type: ignore[operator]
    assert chat1.attributes["gen_ai.response.time_to_first_chunk"] >= 0  # type: ignore[operator]
    assert chat2.attributes is not None
    assert chat2.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert parent_id(chat2) == resume.context.span_id
    paused, resumed = sorted(named["execute_tool transfer"], key=lambda s: s.start_time or 0)
    assert paused.attributes is not None and resumed.attributes is not None
    assert paused.attributes["gen_ai.tool.name"] == "transfer"
    assert paused.attributes["gen_ai.tool.call.id"] == resumed.attributes["gen_ai.tool.call.id"]
    assert paused.attributes["remi.tool.interrupted"] is True
    assert resumed.attributes["remi.tool.resumed"] is True
    assert "gen_ai.input.messages" not in chat1.attributes  # content is opt-in
    assert "gen_ai.tool.call.arguments" not in paused.attributes


async def test_content_capture_is_redacted_and_errors_mark_spans(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    tracer = OpenTelemetryTracer(tracer_provider=provider, capture_content=True)
    model = ScriptedModel([[ToolCall("balance")]])  # the second model call raises
    agent = traced_agent(model, tracer)
    events = await drain(agent.chat(f"my key is {SECRET}"))
    assert events[-1].type == "error"
    named = by_name(exporter.get_finished_spans())
    chat_ok, chat_failed = sorted(named["chat"], key=lambda s: s.start_time or 0)
    assert chat_ok.attributes is not None and chat_failed.attributes is not None
    messages = json.loads(str(chat_ok.attributes["gen_ai.input.messages"]))
    assert messages == [{"role": "user", "content": "my key is sk-***"}]
    assert chat_failed.status.status_code == StatusCode.ERROR
    [segment] = named["invoke_agent AgentLoop"]
    assert segment.status.status_code == StatusCode.ERROR
    assert segment.attributes is not None and segment.attributes["error.type"] == "script_exhausted"
    tool_span = named["execute_tool balance"][0]
    assert tool_span.attributes is not None
    assert tool_span.attributes["gen_ai.tool.call.result"] == json.dumps("100")
    for span in exporter.get_finished_spans():
        assert SECRET not in json.dumps(dict(span.attributes or {}))


async def test_a_nested_agent_run_is_a_child_of_the_tool_span(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    tracer = CompositeTracer(OpenTelemetryTracer(tracer_provider=provider), RecordingTracer())
    inner = AgentBuilder().name("helper").model(ScriptedModel([["inner answer"]])).tracer(
        tracer).build()

    @tool
    async def ask_helper(question: str, ctx: ToolCtx) -> str:
        """Ask the helper agent."""
        events = await drain(inner.chat(question, ctx.chat.child()))
        return str(events[-1].text)

    outer = AgentBuilder().model(ScriptedModel([[ToolCall("ask_helper", {"question": "q"})],
                                                ["done"]])).tools(ask_helper).tracer(tracer).build()
    await drain(outer.chat("go"))
    named = by_name(exporter.get_finished_spans())
    [tool_span] = named["execute_tool ask_helper"]
    [helper] = named["invoke_agent helper"]
    assert parent_id(helper) == tool_span.context.span_id
    assert helper.context.trace_id == tool_span.context.trace_id
