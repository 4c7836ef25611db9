"""`AgentLoop`: model calls and tool rounds until done, with interrupts, external tools,
cancellation, and a checkpoint before every step anyone can see.

A run is a sequence of named transitions (`_next_turn` + `_call_model` + `_model_returned`,
`_tool_round`, `_pause`, `_hand_out`, `_finish`). Each writes its checkpoint, a compare-and-set through the run's
`RunClaim`, before its effect is visible: a run exists (`running`) before its first event,
the calls of a tool round are recorded before they start, each tool result before it is
yielded, a pause before its event. So a process that dies anywhere leaves a run that another
process can take over once the lease has expired (`Resume(run_id, {})`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Generic, Self, cast

from .schema_types import JsonValue

from .compose import Composable
from .content import content_text
from .continuation import (
    Continuation,
    answer_interrupts,
    external_results,
    paused_state,
    takeover,
)
from .ctx import ChatCtx
from .deps import DepsT, use_deps
from .errors import (
    CheckpointConflict,
    MaxTurnsExceeded,
    OutputValidationFailed,
    RemiError,
    RunBusy,
    UncertainOutcome,
    UsageLimitExceeded,
)
from .events import (
    AgentEvent,
    Cancelled,
    CheckpointEvent,
    Custom,
    Done,
    ErrorEvent,
    InterruptEvent,
    ModelRetry,
    NeedToolExecution,
    RunResumed,
    RunStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolResult,
    TurnEnd,
    TurnStart,
)
from .context import CONTEXT_EVENT, ContextPolicy, Fitted
from .history import HistoryProcessor
from .instructions import Instruction
from .model_view import ModelView, model_view
from .ids import new_run_id, new_thread_id, run_span_id
from .limited import LIMITED, after_limit, hold_round, limits_of, over_limit, raise_limits
from .call_checks import refused_calls
from .json_schema import check_tool_definitions, load_jsonschema
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
from .run_claim import DEFAULT_LEASE_SECONDS, RunClaim, lease_expired
from .run_status import RunStatus
from .secrets import Redactor, Secret, secret_values, secrets_of
from .state import LoopState
from .step import StepEnd, StepEvent, step
from .store import Store
from .tool_round import RoundEnd, run_tool_round
from .interrupt_router import InterruptRouter
from .usage_limits import UsageLimits
from .output import OutputSpec, OutputT, done_of
from .output_answer import read_answer

DEFAULT_MAX_TURNS = 10
_DELTAS = (TextDelta, ThinkingDelta, ToolCallArgsDelta)
FAILED_TOOL_TEXT = "The run failed before this tool call was answered."


@dataclass(slots=True)
class _Ended:
    """A transition ended the run's stream (its last event was yielded)."""


_ENDED = _Ended()


@dataclass(slots=True)
class AgentLoop(Composable[ChatRequest, AgentEvent], Generic[DepsT, OutputT]):
    """The agent: calls the model, runs local tools concurrently, feeds results back.
    `AgentLoop[D, O]` when each run is given deps of type `D` (`deps_type`).

    Args:
        model: the chat model.
        tools: the tools this agent runs itself.
        store: where checkpoints and thread histories live.
        system: the fixed system prompt, sent first on every model call.
        instructions: more of the system prompt, made afresh for each model call: strings
            or functions of the run's `ChatCtx` (sync or async), joined after `system`.
        max_turns: the most model calls one run may make (resumes included).
        defaults: model settings used unless a request overrides them.
        tracer: watches each run segment, e.g. a `remi_web.tracing` tracer (default: none).
        redactor: scrubs secrets from what the tracer is shown.
        name: the agent's name in traces.
        lease_seconds: how long a running run stays held by this process without a
            heartbeat (renewed every third of it); None: no lease (a run is then taken over
            by any `Resume(run_id, {})`).
        tool_timeout: seconds a tool call may take unless the tool sets its own `timeout`.
        context: keeps the history within the model's context window: asked before every
            model call, it may replace older messages with a summary (default: none).
        check_tools: check request-supplied tools with jsonschema: their schemas when a run
            starts (`ToolSchemaError`), the model's arguments before a call is handed out
            (invalid ones go back to the model as a tool error). A WASM guest turns it off
            (its host checks the schemas; a component carries no jsonschema).
        interrupt_router: answers interrupts by policy before they reach a human (each
            answer an `interrupt_answered` event; the rest still pause the run).
        usage_limits: the run's budget of model calls, tokens and tool calls (default: none);
            a request's `overrides.usage_limits` replace it.
        deps_type: the type of the deps every run must be given (`chat(..., deps=...)`
            or `ChatCtx(deps=...)`), read by tools as `ToolCtx.deps`; default: none required.
        history_processors: shape the messages each model call is sent (sync or async
            functions over the list, in order; `keep_last_turns`, `fit_to_budget`); the run
            and the thread keep every message.
        output: the structured answer (`OutputSpec`, `AgentBuilder.output_type`): the
            model gives it through the final-result tool (or as JSON text, natively); it is
            validated, an invalid one goes back to the model within the spec's retries, and
            `done.output` carries it (`output_of(done)` types it). None: a text answer.
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
    lease_seconds: float | None = DEFAULT_LEASE_SECONDS
    tool_timeout: float | None = None
    context: ContextPolicy | None = None
    check_tools: bool = True
    interrupt_router: InterruptRouter | None = None
    usage_limits: UsageLimits | None = None
    deps_type: type[DepsT] | None = None
    instructions: tuple[Instruction, ...] = ()
    history_processors: tuple[HistoryProcessor, ...] = ()
    output: OutputSpec[OutputT] | None = None

    def secrets(self) -> tuple[Secret, ...]:
        """The secret values its traces mask (its redactor's and its model's), so that a
        `TracingLayer` around it masks them too (`HoldsSecrets`)."""
        return secret_values([*self.redactor.secrets, *secrets_of(self.model)])

    async def __aenter__(self) -> Self:
        """`async with agent:` opens what its toolsets connect to (MCP servers), for as
        long as the agent is used; `remi serve` does so for the agent it serves."""
        await self.tools.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.tools.aclose()

    async def run_output(
        self, request: ChatRequest | str, ctx: ChatCtx | None = None, *, deps: DepsT | None = None
    ) -> OutputT:
        """Run to `done` and return the answer: typed by `output_type`, else the final text.

        Raises `OutputValidationFailed` when the model's answers stayed invalid and
        `RunIncomplete` when the run ended otherwise (an interrupt, the caller's tools, an
        error, a cancellation): read those runs with `chat()`.
        """
        return self.output_of(await done_of(self.chat(request, ctx, deps=deps)))

    def output_of(self, done: Done) -> OutputT:
        """The answer of a run's `done` event: `done.output` as the output type, or the
        final text when the agent has none."""
        if self.output is None:
            return cast(OutputT, done.text)
        return self.output.parse(done.output)

    async def chat(
        self, request: ChatRequest | str, ctx: ChatCtx | None = None, *, deps: DepsT | None = None
    ) -> AsyncIterator[AgentEvent]:
        """Run or continue a run; a plain string starts a run with that user message.
        `deps` (else `ctx.deps`) reach the tools as `ToolCtx.deps`; never checkpointed, so a
        `Resume` is given them again (`MissingDeps` without them when `deps_type` is set).

        Raises a `RequestError` (before any event) when a `Resume` or `ToolResults`
        does not fit the run it names, `RunBusy` when another caller holds the run.
        `ctx.run_id` is set once the run is known.
        """
        if isinstance(request, str):
            request = ChatRequest.user(request)
        ctx = ctx if ctx is not None else ChatCtx()
        use_deps(ctx, deps, self.deps_type, self.name)
        await self.tools.refresh()  # the toolsets' tools, as they are now
        first: AgentEvent
        if isinstance(request.input, Start):
            state = await self._new_state(request, request.input, ctx)
            plan = Continuation(state, [])
            claim = await self._claim(state, 0)
            first = RunStart(state.run_id, state.thread_id, state.metadata, state.started_at)
        else:
            plan, claim = await self._continue(request)
            state = plan.state
            first = RunResumed(state.run_id, state.thread_id, state.turn, state.started_at)
        watch = self._enter(state, ctx, request, plan)
        claim.keep_alive(ctx.cancel)
        drive = self._drive(plan, ctx, claim, watch)
        try:
            if watch is None:
                yield first
                async for event in drive:
                    yield event
                return
            watch.see(first)  # watched: every event but the deltas is shown to the watch first
            yield first
            async for event in drive:
                if not isinstance(event, _DELTAS):
                    watch.see(event)
                yield event
        finally:  # also when the caller stopped reading
            claim.release()
            if watch is not None:
                watch.close()

    async def _new_state(self, request: ChatRequest, start: Start, ctx: ChatCtx) -> LoopState:
        thread_id = request.thread_id or ctx.thread_id or new_thread_id()
        history = await self.store.load_messages(thread_id) if request.thread_id else []
        local = set(self.tools.names())
        external = [d for d in request.tools if d.name not in local]
        if external and self.check_tools:
            await load_jsonschema()
            check_tool_definitions(external)
        return LoopState(
            run_id=ctx.run_id or new_run_id(),
            thread_id=thread_id,
            messages=[*history, *start.messages],
            history_len=len(history),
            external_tools=external,
            overrides=request.overrides,
            metadata={**ctx.metadata, **request.metadata},
            started_at=time.time(),
            trace_parent=ctx.span_id,
        )

    async def _continue(self, request: ChatRequest) -> tuple[Continuation, RunClaim]:
        """Check a `Resume` or `ToolResults` against the run's latest checkpoint and claim
        the run; all before any event."""
        action = request.input
        assert not isinstance(action, Start)
        checkpoint = await self.store.latest_checkpoint(action.run_id)
        if isinstance(action, Resume):
            if checkpoint is not None and checkpoint.status == "running":
                if not lease_expired(checkpoint):
                    lease = checkpoint.lease
                    assert lease is not None
                    raise RunBusy(
                        f"Run {action.run_id!r} cannot take this request: its status is "
                        f"'running' in {lease.owner} (lease ends in "
                        f"{max(0.0, lease.expires_at - time.time()):.0f} s); try again later."
                    )
                plan = takeover(checkpoint.state, self.tools)
            else:
                state = paused_state(
                    checkpoint, action.run_id, "interrupted", "tools_executed", LIMITED
                )
                if state.status == LIMITED:
                    plan = after_limit(state, action.payloads)
                else:
                    plan = answer_interrupts(state, action.payloads)
        else:
            state = paused_state(checkpoint, action.run_id, "awaiting_tools")
            answered = external_results(state, self.tools, action.results)
            state.completed.extend(answered)
            plan = Continuation(state, [], answered=answered)
        assert checkpoint is not None
        plan.state.metadata.update(request.metadata)
        raise_limits(plan.state, request.overrides)
        return plan, await self._claim(plan.state, checkpoint.sequence)

    async def _claim(self, state: LoopState, sequence: int) -> RunClaim:
        """Hold the run: write its `running` checkpoint over checkpoint `sequence`; if
        another caller got there first, `RunBusy`."""
        claim = RunClaim(self.store, state.run_id, state.thread_id, sequence, self.lease_seconds)
        try:
            await claim.write(state, "running")
        except CheckpointConflict:
            raise RunBusy(
                f"Run {state.run_id!r} was advanced by another caller first; read its status."
            ) from None
        return claim

    def _enter(
        self, state: LoopState, ctx: ChatCtx, request: ChatRequest, plan: Continuation
    ) -> RunWatch | None:
        """The checkpointed state wins over the caller's ctx: ids, metadata, run span. Then
        the observer may watch the segment."""
        ctx.run_id, ctx.thread_id, ctx.turn = state.run_id, state.thread_id, state.turn
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
            payloads=action.payloads if isinstance(action, Resume) else None,
            results=plan.answered,
        )
        return self.tracer.watch(segment, ctx)

    async def _drive(
        self, plan: Continuation, ctx: ChatCtx, claim: RunClaim, watch: RunWatch | None
    ) -> AsyncIterator[AgentEvent]:
        """The run's transitions, until one ends the stream."""
        state, calls, values = plan.state, plan.calls, plan.values
        router = self.interrupt_router.session() if self.interrupt_router is not None else None
        try:
            if plan.failure is not None:
                raise UncertainOutcome(plan.failure)
            while True:
                if calls:
                    limit = over_limit(state, self._limits(state), next_tool_calls=len(calls))
                    if limit is not None:
                        hold_round(state, calls, values)
                        async for event in self._stop_at_limit(state, claim, limit):
                            yield event
                        return
                    state.tool_calls += len(calls)
                    async for item in self._tool_round(state, calls, values, ctx, claim, watch):
                        if isinstance(item, _Ended):
                            return
                        yield item
                if state.pending_interrupts and router is not None:
                    routed = await router.settle(state)
                    if routed is not None:  # stored before it is seen or run, as a Resume
                        await claim.write(state, "running")
                        for routed_event in routed.events:
                            yield routed_event
                        if routed.failure is not None:
                            raise UncertainOutcome(routed.failure)
                        calls, values = routed.calls, routed.values
                        continue
                if state.pending_interrupts:
                    async for event in self._pause(state, claim):
                        yield event
                    return
                answered = {outcome.call_id for outcome in state.completed}
                waiting = [c for c in state.pending_calls if c.id not in answered]
                if waiting:
                    async for event in self._hand_out(state, claim, waiting):
                        yield event
                    return
                if state.pending_calls:
                    self._feed_back(state)
                    yield await self._checkpoint(claim, state, "tools_executed")
                    yield TurnEnd(state.turn)
                calls, values = [], None
                limit = over_limit(state, self._limits(state), next_requests=1)
                if limit is not None:
                    async for event in self._stop_at_limit(state, claim, limit):
                        yield event
                    return
                if self.context is not None:
                    fitted = await self.context.fit(state.messages, state.history_len, ctx)
                    if fitted is not None:
                        yield self._fitted(state, fitted)
                yield self._next_turn(state)
                view = await self._view(state, ctx)
                # The model's deltas go straight from `step` to the caller: no hop per token.
                events = self._call_model(state, ctx, watch, view)
                first = await anext(events)
                while type(first) is ModelRetry:  # before the stream: not its first token
                    yield first
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
                first_token_at = None if first is end else first_at
                async for produced in self._model_returned(
                    state, end, first_token_at, claim, watch, view.hidden
                ):
                    if isinstance(produced, list):
                        calls = produced
                    elif isinstance(produced, _Ended):
                        return
                    else:
                        yield produced
        except Exception as error:
            code = error.code if isinstance(error, RemiError) else "internal"
            reason = self.redactor.text(str(error) or type(error).__name__)  # no secret, ever
            yield ErrorEvent(code, reason)
            try:
                await self._finish_quietly(state, claim)
            except Exception:  # the run already failed; the error event says why
                pass

    def _fitted(self, state: LoopState, fitted: Fitted) -> Custom:
        """Go on with the shorter history; the event that says so."""
        before = len(state.messages)
        state.messages, state.history_len = fitted.messages, fitted.saved
        return Custom(CONTEXT_EVENT, {"messages_before": before, "messages_after": len(fitted.messages)})

    def _next_turn(self, state: LoopState) -> TurnStart:
        """A model call is due: count it (within `max_turns`). Its input is already
        checkpointed, so a crash from here on makes the call again."""
        if state.turn >= self.max_turns:
            raise MaxTurnsExceeded(
                f"Run {state.run_id!r} reached max_turns={self.max_turns} model calls."
            )
        state.turn += 1
        return TurnStart(state.turn)

    async def _view(self, state: LoopState, ctx: ChatCtx) -> ModelView:
        """What this turn's model call is shown: this turn's instructions, the history
        after the processors, the tools (the toolsets' as they are now) after their
        `prepare` hooks."""
        ctx.turn = state.turn
        await self.tools.refresh()  # a toolset's tool that came or went since the last call
        return await model_view(
            state.messages, ctx, self.tools, state.external_tools,
            self.system, self.instructions, self.history_processors,
        )

    def _call_model(
        self, state: LoopState, ctx: ChatCtx, watch: RunWatch | None, view: ModelView
    ) -> AsyncIterator[StepEvent | StepEnd]:
        """The model call of this turn: its deltas, then a `StepEnd`."""
        request = self._model_request(state, view)
        if self.output is not None:  # the final-result tool, or the native response format
            request = self.output.offer(request)
        if watch is not None:
            watch.see(ModelCalled(state.turn, request))
        return step(self.model, request, ctx)

    async def _model_returned(
        self,
        state: LoopState,
        end: StepEnd,
        first_token_at: float | None,
        claim: RunClaim,
        watch: RunWatch | None,
        hidden: frozenset[str] = frozenset(),
    ) -> AsyncIterator[AgentEvent | list[ToolCallRequest] | _Ended]:
        """The model call ended: keep its message; end the run (done, cancelled) with
        `_ENDED`, or give the local tool calls to run next (a call of a tool `hidden` from
        this turn is answered at once, as a call of an unknown tool)."""
        state.usage = state.usage + end.usage
        message = end.message
        if watch is not None:
            watch.see(ModelReturned(message, end.usage, first_token_at, end.cancelled))
        if end.cancelled:
            partial = content_text(message.content)
            if partial:
                state.messages.append(message)
            async for event in self._finish(state, claim, "cancelled"):
                yield event
            yield Cancelled(state.run_id, partial)
            yield _ENDED
            return
        state.messages.append(message)
        answer = None if self.output is None else read_answer(self.output, message, state.tool_state)
        if answer is not None and answer.retry is not None:  # no answer yet: ask again
            if answer.failure is not None:
                raise OutputValidationFailed(answer.failure)
            state.messages.append(answer.retry)
            yield await self._checkpoint(claim, state, "tools_executed")
            yield TurnEnd(state.turn)
            yield []
            return
        accepted = answer is not None and answer.accepted
        if accepted:
            assert answer is not None
            for outcome in answer.results:  # the final-result call's, and its siblings' (not run)
                state.messages.append(Message.tool(
                    outcome.call_id, outcome.content, outcome.name, is_error=outcome.is_error
                ))
                yield ToolResult(outcome.call_id, outcome.name, outcome.content)
        if not message.tool_calls or accepted:
            async for event in self._finish(state, claim, "done"):
                yield event
            yield TurnEnd(state.turn)
            output = answer.output if answer is not None else None
            yield Done(state.run_id, content_text(message.content), state.usage, output)
            yield _ENDED
            return
        state.pending_calls = list(message.tool_calls)
        state.completed = []
        settled: set[str] = set()
        if answer is not None:  # an invalid final answer: the model reads why, and retries
            for outcome in answer.results:
                state.completed.append(outcome)
                settled.add(outcome.call_id)
                yield ToolResult(outcome.call_id, outcome.name, outcome.content, True)
            if answer.failure is not None:
                raise OutputValidationFailed(answer.failure)
        external = {d.name: d for d in state.external_tools}
        for outcome in await refused_calls(
            message.tool_calls, external, hidden, self.tools.names(), self.check_tools
        ):
            state.completed.append(outcome)
            settled.add(outcome.call_id)
            yield ToolResult(outcome.call_id, outcome.name, outcome.content, True)
        yield [c for c in message.tool_calls if c.name not in external and c.id not in settled]

    async def _tool_round(
        self,
        state: LoopState,
        calls: list[ToolCallRequest],
        values: Mapping[str, JsonValue] | None,
        ctx: ChatCtx,
        claim: RunClaim,
        watch: RunWatch | None,
    ) -> AsyncIterator[AgentEvent | _Ended]:
        """Run local tool calls: recorded as in flight before they start, and the result
        of each tool that is not idempotent checkpointed before it is yielded (after a
        crash an idempotent call simply runs again). Ends with `_ENDED` if cancelled."""
        state.round_calls = [call.id for call in calls]
        state.resume_values = dict(values or {})
        await claim.write(state, "running")
        if watch is not None:
            watch.see(ToolsCalled(calls, values))
        end = RoundEnd()
        async for item in run_tool_round(
            self.tools, calls, ctx, state.tool_state, values, self.tool_timeout
        ):
            if type(item) is ToolResult:
                state.completed.append(ToolOutcome(item.call_id, item.content, item.is_error, item.name))
                if not getattr(self.tools.get(item.name), "idempotent", False):
                    await claim.write(state, "running")
            elif type(item) is RoundEnd:
                end = item
                continue
            yield item  # type: ignore[misc]
        if watch is not None:
            watch.see(RoundEnded(end.outcomes, end.interrupts))
        recorded = {outcome.call_id for outcome in state.completed}
        state.completed.extend(o for o in end.outcomes.values() if o.call_id not in recorded)
        state.pending_interrupts.extend(end.interrupts)
        state.round_calls, state.resume_values = [], {}
        if end.cancelled:
            self._feed_back(state)
            async for event in self._finish(state, claim, "cancelled"):
                yield event
            yield Cancelled(state.run_id)
            yield _ENDED

    async def _pause(self, state: LoopState, claim: RunClaim) -> AsyncIterator[AgentEvent]:
        """Stop for a human: the checkpoint first, then the interrupt."""
        yield await self._checkpoint(claim, state, "interrupted")
        yield InterruptEvent(state.run_id, list(state.pending_interrupts))

    def _limits(self, state: LoopState) -> UsageLimits | None:
        return limits_of(state, self.usage_limits)

    async def _stop_at_limit(
        self, state: LoopState, claim: RunClaim, limit: UsageLimitExceeded
    ) -> AsyncIterator[AgentEvent]:
        """Stop at a usage limit, resumable: the checkpoint first, then the error."""
        yield await self._checkpoint(claim, state, LIMITED)
        yield ErrorEvent(limit.code, str(limit))

    async def _hand_out(
        self, state: LoopState, claim: RunClaim, waiting: list[ToolCallRequest]
    ) -> AsyncIterator[AgentEvent]:
        """Stop for the caller's tools: the checkpoint first, then the calls."""
        yield await self._checkpoint(claim, state, "awaiting_tools")
        yield NeedToolExecution(state.run_id, waiting)

    def _feed_back(self, state: LoopState) -> None:
        """Append the round's tool messages in call order and clear the round."""
        by_id = {outcome.call_id: outcome for outcome in state.completed}
        for call in state.pending_calls:
            outcome = by_id.get(call.id)
            if outcome is not None:
                state.messages.append(
                    Message.tool(call.id, outcome.content, call.name, is_error=outcome.is_error)
                )
        state.pending_calls, state.completed = [], []

    def _model_request(self, state: LoopState, view: ModelView) -> ModelRequest:
        """This turn's `ModelRequest`: the view's messages and tools, the run's settings."""
        overrides, defaults = state.overrides, self.defaults
        return ModelRequest(
            messages=view.messages,
            tools=view.tools,
            model=overrides.model or defaults.model,
            temperature=(
                overrides.temperature if overrides.temperature is not None else defaults.temperature
            ),
            max_tokens=overrides.max_tokens if overrides.max_tokens is not None else defaults.max_tokens,
        )

    async def _checkpoint(
        self, claim: RunClaim, state: LoopState, status: RunStatus
    ) -> CheckpointEvent:
        checkpoint = await claim.write(state, status)
        return CheckpointEvent(checkpoint.id, state.run_id, checkpoint.sequence, status)

    async def _finish(
        self, state: LoopState, claim: RunClaim, status: RunStatus
    ) -> AsyncIterator[AgentEvent]:
        """End the run: keep its new messages in the thread, store the last checkpoint."""
        if claim.lost:  # taken over by another process: nothing more of this one is kept
            raise CheckpointConflict(f"Run {state.run_id!r} was taken over by another process.")
        new = state.messages[state.history_len :]
        if new:
            await self.store.append_messages(state.thread_id, new)
            state.history_len = len(state.messages)
        yield await self._checkpoint(claim, state, status)

    async def _finish_quietly(self, state: LoopState, claim: RunClaim) -> None:
        if claim.lost:  # another process took the run over: it is theirs to end
            return
        answered = {outcome.call_id for outcome in state.completed}
        for call in state.pending_calls:
            if call.id not in answered:
                state.completed.append(ToolOutcome(call.id, FAILED_TOOL_TEXT, True, call.name))
        self._feed_back(state)
        state.round_calls, state.resume_values = [], {}
        async for _ in self._finish(state, claim, "failed"):
            pass

