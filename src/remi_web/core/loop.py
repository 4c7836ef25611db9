"""`AgentLoop`: model calls and tool rounds until done, with interrupts, external tools,
cancellation and a checkpoint after every tool round."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass

from pydantic import JsonValue

from .compose import Composable
from .content import content_text
from .continuation import external_results, paused_state, resume_values
from .ctx import ChatCtx
from .errors import MaxTurnsExceeded, RemiError
from .events import (
    AgentEvent,
    Cancelled,
    CheckpointEvent,
    Done,
    ErrorEvent,
    InterruptEvent,
    NeedToolExecution,
    RunResumed,
    RunStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    TurnEnd,
    TurnStart,
)
from .ids import CheckpointId, new_id, new_run_id, new_thread_id, run_span_id
from .messages import Message, ToolCallRequest
from .model_io import ChatModel, ModelRequest
from .observer import (
    NO_OBSERVER,
    ModelCalled,
    ModelReturned,
    RoundEnded,
    RunObserver,
    RunSegment,
    RunWatch,
    ToolsCalled,
)
from .outcome import ToolOutcome
from .registry import ToolRegistry
from .requests import ChatRequest, Resume, RunOverrides, Start
from .secrets import Redactor
from .state import Checkpoint, LoopState, RunStatus
from .step import StepEnd, step
from .store import Store
from .tool_round import RoundResult, run_tool_round

DEFAULT_MAX_TURNS = 10
_DELTAS = (TextDelta, ThinkingDelta, ToolCallArgsDelta)
FAILED_TOOL_TEXT = "The run failed before this tool call was answered."


@dataclass(slots=True)
class AgentLoop(Composable[ChatRequest, AgentEvent]):
    """The agent: calls the model, runs local tools concurrently, feeds results back.

    Args:
        model: the chat model.
        tools: the tools this agent runs itself.
        store: where checkpoints and thread histories live.
        system: the system prompt, sent first on every model call.
        max_turns: the most model calls one run may make (resumes included).
        defaults: model settings used unless a request overrides them.
        tracer: watches each run segment, e.g. a `remi_web.tracing` tracer (default: none).
        redactor: scrubs secrets from what the tracer is shown.
        name: the agent's name in traces.
    """

    model: ChatModel
    tools: ToolRegistry
    store: Store
    system: str | None = None
    max_turns: int = DEFAULT_MAX_TURNS
    defaults: RunOverrides = RunOverrides()
    tracer: RunObserver = NO_OBSERVER
    redactor: Redactor = Redactor()
    name: str = "AgentLoop"

    async def chat(
        self, request: ChatRequest | str, ctx: ChatCtx | None = None
    ) -> AsyncIterator[AgentEvent]:
        """Run or continue a run; a plain string starts a run with that user message.

        Raises a `RequestError` (before any event) when a `Resume` or `ToolResults`
        does not fit the run it names. `ctx.run_id` is set once the run is known.
        """
        if isinstance(request, str):
            request = ChatRequest.user(request)
        ctx = ctx if ctx is not None else ChatCtx()
        action = request.input
        calls: list[ToolCallRequest] = []
        values: dict[str, JsonValue] | None = None
        first: AgentEvent
        if isinstance(action, Start):
            state = await self._new_state(request, action, ctx)
            watch = self._enter(state, ctx, request)
            first = RunStart(state.run_id, state.thread_id, state.metadata, state.started_at)
        else:
            checkpoint = await self.store.latest_checkpoint(action.run_id)
            results: list[ToolOutcome] = []
            if isinstance(action, Resume):
                state = paused_state(checkpoint, action.run_id, "interrupted", "tools_executed")
                values = resume_values(state, action.payloads)
                calls = [call for call in state.pending_calls if call.id in values]
                state.pending_interrupts = []
            else:
                state = paused_state(checkpoint, action.run_id, "awaiting_tools")
                results = external_results(state, self.tools, action.results)
                state.completed.extend(results)
            state.metadata.update(request.metadata)
            await self._checkpoint(state, "running")
            watch = self._enter(state, ctx, request, results)
            first = RunResumed(state.run_id, state.thread_id, state.turn, state.started_at)
        drive = self._drive(state, ctx, calls, values, watch)
        if watch is None:
            yield first
            async for event in drive:
                yield event
            return
        try:  # watched: every event but the deltas is shown to the watch first
            watch.see(first)
            yield first
            async for event in drive:
                if not isinstance(event, _DELTAS):
                    watch.see(event)
                yield event
        finally:  # also when the caller stopped reading
            watch.close()

    async def _new_state(self, request: ChatRequest, start: Start, ctx: ChatCtx) -> LoopState:
        thread_id = request.thread_id or ctx.thread_id or new_thread_id()
        history = await self.store.load_messages(thread_id) if request.thread_id else []
        local = set(self.tools.names())
        return LoopState(
            run_id=ctx.run_id or new_run_id(),
            thread_id=thread_id,
            messages=[*history, *start.messages],
            history_len=len(history),
            external_tools=[d for d in request.tools if d.name not in local],
            overrides=request.overrides,
            metadata={**ctx.metadata, **request.metadata},
            started_at=time.time(),
            trace_parent=ctx.span_id,
        )

    def _enter(
        self,
        state: LoopState,
        ctx: ChatCtx,
        request: ChatRequest,
        results: Sequence[ToolOutcome] = (),
    ) -> RunWatch | None:
        """The checkpointed state wins over the caller's ctx: ids, metadata, run span. Then
        the observer may watch the segment."""
        ctx.run_id, ctx.thread_id = state.run_id, state.thread_id
        ctx.metadata = state.metadata
        parent = state.trace_parent
        lineage = ctx.spans if ctx.span_id == parent else (() if parent is None else (parent,))
        ctx.spans = (*lineage, run_span_id(parent, state.run_id))
        model = getattr(self.model, "model", None)  # a client's default model name, if any
        action = request.input
        segment = RunSegment(
            self.name, state.run_id, state.thread_id, parent, state.started_at,
            self.defaults.model or (model if isinstance(model, str) else None), state.turn,
            state.usage, state.messages, self.system, self.tools.names(), state.metadata,
            self.redactor, resumed=not isinstance(action, Start),
            payloads=action.payloads if isinstance(action, Resume) else None, results=results,
        )
        return self.tracer.watch(segment, ctx)

    async def _drive(
        self,
        state: LoopState,
        ctx: ChatCtx,
        calls: list[ToolCallRequest],
        values: Mapping[str, JsonValue] | None,
        watch: RunWatch | None,
    ) -> AsyncIterator[AgentEvent]:
        try:
            while True:
                if calls:
                    result = RoundResult()
                    if watch is not None:
                        watch.see(ToolsCalled(calls, values))
                    async for tool_event in run_tool_round(
                        self.tools, calls, ctx, state.tool_state, result, values
                    ):
                        yield tool_event
                    if watch is not None:
                        watch.see(RoundEnded(result.outcomes, result.interrupts))
                    state.completed.extend(result.outcomes.values())
                    state.pending_interrupts.extend(result.interrupts)
                    if result.cancelled:
                        self._feed_back(state)
                        async for event in self._finish(state, "cancelled"):
                            yield event
                        yield Cancelled(state.run_id)
                        return
                if state.pending_interrupts:
                    yield await self._checkpoint(state, "interrupted")
                    yield InterruptEvent(state.run_id, list(state.pending_interrupts))
                    return
                answered = {outcome.call_id for outcome in state.completed}
                waiting = [c for c in state.pending_calls if c.id not in answered]
                if waiting:
                    yield await self._checkpoint(state, "awaiting_tools")
                    yield NeedToolExecution(state.run_id, waiting)
                    return
                if state.pending_calls:
                    self._feed_back(state)
                    yield await self._checkpoint(state, "tools_executed")
                    yield TurnEnd(state.turn)
                if state.turn >= self.max_turns:
                    raise MaxTurnsExceeded(
                        f"Run {state.run_id!r} reached max_turns={self.max_turns} model calls."
                    )
                state.turn += 1
                yield TurnStart(state.turn)
                request = self._model_request(state)
                if watch is not None:
                    watch.see(ModelCalled(state.turn, request))
                events = step(self.model, request, ctx)
                first = await anext(events)
                first_at = time.time()  # once per call, never per token: time to first token
                end = first if type(first) is StepEnd else None
                if end is None:
                    yield first  # type: ignore[misc]
                async for step_event in events:
                    if type(step_event) is StepEnd:
                        end = step_event
                    else:
                        yield step_event  # type: ignore[misc]
                assert end is not None
                state.usage = state.usage + end.usage
                message = end.message
                if watch is not None:
                    first_token_at = None if first is end else first_at
                    watch.see(ModelReturned(message, end.usage, first_token_at, end.cancelled))
                if end.cancelled:
                    partial = content_text(message.content)
                    if partial:
                        state.messages.append(message)
                    async for event in self._finish(state, "cancelled"):
                        yield event
                    yield Cancelled(state.run_id, partial)
                    return
                state.messages.append(message)
                if not message.tool_calls:
                    async for event in self._finish(state, "done"):
                        yield event
                    text = content_text(message.content)
                    yield TurnEnd(state.turn)
                    yield Done(state.run_id, text, state.usage)
                    return
                state.pending_calls = list(message.tool_calls)
                state.completed = []
                external = {d.name for d in state.external_tools}
                calls = [c for c in message.tool_calls if c.name not in external]
                values = None
        except Exception as error:
            code = error.code if isinstance(error, RemiError) else "internal"
            reason = str(error) or type(error).__name__
            yield ErrorEvent(code, reason)
            try:
                await self._finish_quietly(state)
            except Exception:  # the run already failed; the error event says why
                pass

    def _feed_back(self, state: LoopState) -> None:
        """Append the round's tool messages in call order and clear the round."""
        by_id = {outcome.call_id: outcome for outcome in state.completed}
        for call in state.pending_calls:
            outcome = by_id.get(call.id)
            if outcome is not None:
                state.messages.append(Message.tool(call.id, outcome.content, call.name))
        state.pending_calls, state.completed = [], []

    def _model_request(self, state: LoopState) -> ModelRequest:
        messages = [Message.system(self.system), *state.messages] if self.system else [
            *state.messages
        ]
        overrides, defaults = state.overrides, self.defaults
        return ModelRequest(
            messages=messages,
            tools=[*self.tools.definitions(), *state.external_tools],
            model=overrides.model or defaults.model,
            temperature=(
                overrides.temperature if overrides.temperature is not None else defaults.temperature
            ),
            max_tokens=overrides.max_tokens if overrides.max_tokens is not None else defaults.max_tokens,
        )

    async def _checkpoint(self, state: LoopState, status: RunStatus) -> CheckpointEvent:
        state.status = status
        state.sequence += 1
        checkpoint = Checkpoint(
            CheckpointId(new_id()), state.run_id, state.thread_id,
            state.sequence, status, state, time.time(),
        )
        await self.store.put_checkpoint(checkpoint)
        return CheckpointEvent(checkpoint.id, state.run_id, state.sequence, status)

    async def _finish(self, state: LoopState, status: RunStatus) -> AsyncIterator[AgentEvent]:
        """End the run: keep its new messages in the thread, store the last checkpoint."""
        new = state.messages[state.history_len :]
        if new:
            await self.store.append_messages(state.thread_id, new)
            state.history_len = len(state.messages)
        yield await self._checkpoint(state, status)

    async def _finish_quietly(self, state: LoopState) -> None:
        answered = {outcome.call_id for outcome in state.completed}
        for call in state.pending_calls:
            if call.id not in answered:
                state.completed.append(ToolOutcome(call.id, FAILED_TOOL_TEXT, True, call.name))
        self._feed_back(state)
        async for _ in self._finish(state, "failed"):
            pass
