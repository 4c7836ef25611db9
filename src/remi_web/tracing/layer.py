"""`TracingLayer`: traces any agent from its request and event stream (a remote `HttpAgent`, a
WASM agent, an `AgentLoop` built without a tracer...)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from ..core.agent import Agent
from ..core.compose import Composable
from ..core.ctx import ChatCtx
from ..core.events import (
    AgentEvent,
    Cancelled,
    CheckpointEvent,
    Custom,
    ErrorEvent,
    InterruptEvent,
    RunResumed,
    RunStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallReady,
    ToolCallStart,
    ToolResult,
    TurnEnd,
    TurnStart,
    UsageEvent,
)
from ..core.errors import RemiError
from ..core.ids import RunId, SpanId, ThreadId
from ..core.messages import Message, ToolCallRequest
from ..core.requests import ChatRequest, Resume, Start, ToolResults
from .run_trace import RunTrace
from ..core.secrets import Redactor, SecretValue, secrets_of
from .tracer import Tracer
from ..core.usage import Usage

_STEP_EVENTS = (ThinkingDelta, ToolCallStart, ToolCallArgsDelta, ToolCallReady, UsageEvent)
# Events after a model call that do not yet say how it ended (an error ends it as failed).
_NOT_MODEL_END = (CheckpointEvent, TurnEnd, ErrorEvent)


@dataclass(frozen=True, slots=True)
class TracingLayer:
    """Wraps an agent of `ChatRequest` and `AgentEvent` so that its runs are traced.

    Records are derived from the stream: runs, model calls (summarized when the call's
    last event has passed, never per token), tool calls, interrupts, resumes, errors,
    cancels and `custom` events. Span ids are those the agent loop would use, so a run
    paused behind one process and resumed behind another stays one trace.

    Args:
        tracer: where records go.
        name: the agent's name in traces.
        redactor: scrubs secrets from every payload; the secrets the wrapped agent and the
            tracer declare (`HoldsSecrets`: an `AgentLoop`'s, an `HttpAgent`'s token, a
            `LangSmithTracer`'s key) are added when the layer wraps an agent.
    """

    tracer: Tracer
    name: str = "agent"
    redactor: Redactor = field(default_factory=Redactor)

    @staticmethod
    def with_secrets(
        tracer: Tracer,
        *,
        name: str = "agent",
        secret_fields: Iterable[str] = (),
        secrets: Iterable[SecretValue] = (),
    ) -> TracingLayer:
        """A layer whose redactor also masks `secret_fields` and `secrets`."""
        return TracingLayer(tracer, name, Redactor().extended(secret_fields, secrets))

    def layer(self, inner: Agent[ChatRequest, AgentEvent]) -> TracedAgent:
        """`inner`, traced."""
        declared = (*secrets_of(inner), *secrets_of(self.tracer))
        redactor = self.redactor.extended(secrets=declared) if declared else self.redactor
        return TracedAgent(inner, TracingLayer(self.tracer, self.name, redactor))


@dataclass(slots=True)
class TracedAgent(Composable[ChatRequest, AgentEvent]):
    """An agent traced by a `TracingLayer`."""

    inner: Agent[ChatRequest, AgentEvent]
    settings: TracingLayer

    async def chat(
        self, request: ChatRequest | str, ctx: ChatCtx | None = None
    ) -> AsyncIterator[AgentEvent]:
        """The inner agent's stream, unchanged; its run is traced on the way."""
        if isinstance(request, str):
            request = ChatRequest.user(request)
        ctx = ctx if ctx is not None else ChatCtx()
        follow = _Follower(self.settings, request, ctx.span_id)
        try:
            async for event in self.inner.chat(request, ctx):
                kind = type(event)
                if kind is TextDelta:
                    follow.text.append(event.text)  # type: ignore[union-attr]
                    if follow.first_at is None:
                        follow.first_at = time.time()
                else:
                    follow.see(event)
                yield event
        except Exception as error:
            follow.raised(error)
            raise
        finally:
            follow.close()


class _Follower:
    """Turns one stream's events into `RunTrace` calls."""

    def __init__(self, settings: TracingLayer, request: ChatRequest, parent: SpanId | None) -> None:
        self.settings = settings
        self.request = request
        self.parent = parent
        self.trace: RunTrace | None = None
        self.text: list[str] = []
        self.thinking: list[str] = []
        self.calls: list[ToolCallRequest] = []
        self.usage = Usage()
        self.total = Usage()
        self.first_at: float | None = None
        self.in_model = False
        self.external = {tool.name for tool in request.tools}

    def _open(self, run_id: RunId, thread_id: ThreadId, started_at: float, turn: int) -> RunTrace:
        self.trace = RunTrace(
            self.settings.tracer, self.settings.redactor, name=self.settings.name,
            run_id=run_id, thread_id=thread_id, parent_id=self.parent,
            started_at=started_at, model=self.request.overrides.model, turn=turn,
        )
        return self.trace

    def see(self, event: AgentEvent) -> None:
        trace = self.trace
        if isinstance(event, _STEP_EVENTS):
            if self.first_at is None:
                self.first_at = time.time()
            if isinstance(event, ThinkingDelta):
                self.thinking.append(event.text)
            elif isinstance(event, ToolCallReady):
                self.calls.append(ToolCallRequest(event.call_id, event.name, event.arguments))
            elif isinstance(event, UsageEvent):
                self.usage = self.usage + event.usage
            return
        if trace is not None and self.in_model and not isinstance(event, _NOT_MODEL_END):
            self._model_ended(trace, isinstance(event, Cancelled))
        if isinstance(event, RunStart):
            trace = self._open(event.run_id, event.thread_id, event.started_at or time.time(), 0)
            start = self.request.input
            messages = start.messages if isinstance(start, Start) else []
            tools = [tool.name for tool in self.request.tools]
            trace.started(messages, None, tools, event.metadata)
        elif isinstance(event, RunResumed):
            trace = self._open(event.run_id, event.thread_id, event.started_at or time.time(),
                               event.turn)
            action = self.request.input
            if isinstance(action, Resume):
                trace.resumed(self.request.metadata, action.payloads)
            elif isinstance(action, ToolResults):
                trace.resumed(self.request.metadata, None, action.results)
        elif trace is None:
            return
        elif isinstance(event, TurnStart):
            trace.model_start(event.turn, None)
            self.in_model = True
        elif isinstance(event, ToolResult):
            if not trace.is_open(event.call_id):
                trace.tool_start(ToolCallRequest(event.call_id, event.name, "{}"), resumed=True)
            trace.tool_end(event.call_id, event.content, event.is_error)
        elif isinstance(event, InterruptEvent):
            for info in event.interrupts:
                if not trace.is_open(info.call_id):
                    call = ToolCallRequest(info.call_id, info.tool_name, info.arguments)
                    trace.tool_start(call, resumed=True)
                trace.tool_interrupted(info)
            trace.interrupted(event.interrupts, self.total)
        elif isinstance(event, Custom):
            trace.custom(event.name, event.data)
        else:
            trace.ended_by(event, self.total)

    def _model_ended(self, trace: RunTrace, cancelled: bool) -> None:
        """The model call's last event has passed: summarize it, start its local tools."""
        self.in_model = False
        message = Message.assistant("".join(self.text), list(self.calls),
                                    "".join(self.thinking) or None)
        trace.model_end(message, self.usage, self.first_at, cancelled=cancelled)
        self.total = self.total + self.usage
        for call in self.calls:
            if call.name not in self.external:
                trace.tool_start(call)
        self.text, self.thinking, self.calls = [], [], []
        self.usage, self.first_at = Usage(), None

    def raised(self, error: Exception) -> None:
        if self.trace is not None:
            message = str(error) or type(error).__name__
            code = error.code if isinstance(error, RemiError) else "internal"
            self.trace.failed(code, message, self.total)

    def close(self) -> None:
        if self.trace is not None:
            self.trace.end("abandoned", self.total)
