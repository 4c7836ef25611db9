"""`EvalRunner`: replays every (case, variant) pair through an agent, concurrently within a
bound, and records each run as a `RunResult`.

Each run has its own timeout; an error in one run (an exception, an error event, a timeout)
is recorded in its result and never stops the others. Interrupts are answered by the
runner's policy (`InterruptPolicy`) and the same run is resumed; the results of tools the
caller runs can be given by `external_tools`. Thread-free and socket-free: it runs in the
page as natively.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeAlias, cast

from ..core.agent import Agent
from ..core.cancel import CancellationToken
from ..core.content import Content
from ..core.ctx import ChatCtx
from ..core.errors import ConfigurationError
from ..core.events import AgentEvent, InterruptEvent, NeedToolExecution
from ..core.messages import ToolCallRequest
from ..core.outcome import ToolOutcome
from ..core.requests import ChatRequest
from .dataset import EvalCase, unique_cases
from .interrupt_policy import InterruptPolicy, PolicySession
from .recorder import RunRecorder
from .replay import replay_request
from .run_result import RunError, RunResult
from .variant import Variant, unique_variants

EvalAgent: TypeAlias = Agent[ChatRequest, AgentEvent]
"""What an evaluation runs: any agent of `ChatRequest` and `AgentEvent` (an `AgentLoop`, an
`HttpAgent`, a WASM agent, a layered one)."""

AgentFactory: TypeAlias = Callable[[EvalCase, Variant], EvalAgent]
"""Makes the agent of one run (e.g. a fresh `ScriptedModel` per run, or a model per variant)."""

ToolAnswerer: TypeAlias = Callable[[ToolCallRequest], "Content | Awaitable[Content]"]
"""Gives the result of a call to a tool the caller runs (sync or async)."""

Clock: TypeAlias = Callable[[], float]
"""Seconds on a monotonic clock."""

DEFAULT_CONCURRENCY = 4
DEFAULT_MAX_RESUMES = 16
"""How many times one run is resumed (interrupts answered, tool results given) at most."""


class EvalRunner:
    """Runs cases under variants through one agent (or one made per run).

    Args:
        agent: the agent, or an `AgentFactory` called once per run.
        concurrency: runs in flight at once (an asyncio semaphore; 1: one after another,
            in order).
        timeout: seconds one run may take, resumes included (None: no limit); a run past
            it is stopped and recorded as an error with code `timeout`.
        interrupts: answers interrupts (an `InterruptRouter` or a function); without one,
            a run that pauses ends `interrupted`.
        external_tools: gives the results of tools the caller runs; without it, a run that
            needs them ends `awaiting_tools`.
        clock: the clock latency and time to first token are read from (tests inject one).
        max_resumes: how many times one run may be resumed.
    """

    def __init__(
        self,
        agent: EvalAgent | AgentFactory,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float | None = None,
        interrupts: InterruptPolicy | None = None,
        external_tools: ToolAnswerer | None = None,
        clock: Clock = time.perf_counter,
        max_resumes: int = DEFAULT_MAX_RESUMES,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigurationError(f"concurrency must be 1 or more, not {concurrency!r}.")
        if timeout is not None and not timeout > 0:
            raise ConfigurationError(
                f"timeout must be more than 0 seconds (or None), not {timeout!r}."
            )
        if max_resumes < 0:
            raise ConfigurationError(f"max_resumes must be 0 or more, not {max_resumes!r}.")
        self.agent = agent
        self.concurrency = concurrency
        self.timeout = timeout
        self.interrupts = interrupts
        self.external_tools = external_tools
        self.clock = clock
        self.max_resumes = max_resumes

    async def run(
        self,
        cases: Sequence[EvalCase],
        variants: Sequence[Variant],
        *,
        repeats: int = 1,
        cancel: CancellationToken | None = None,
        on_result: Callable[[RunResult], None] | None = None,
    ) -> list[RunResult]:
        """Run each case under each variant, `repeats` times; the results in the order
        repeat, case, variant (whatever order they finished in).

        Args:
            cases: the cases (ids unique).
            variants: the variants (ids unique; `[Variant.baseline()]` replays as captured).
            repeats: passes over the dataset (confidence intervals are over them).
            cancel: cancelling it cancels the runs in flight and skips the rest (each
                recorded as `cancelled`).
            on_result: called with each result as it is ready (e.g. a progress bar).
        """
        if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
            raise ConfigurationError(f"repeats must be 1 or more, not {repeats!r}.")
        listed, chosen = unique_cases(cases), unique_variants(variants)
        gate = asyncio.Semaphore(self.concurrency)
        token = cancel if cancel is not None else CancellationToken()

        async def one(case: EvalCase, variant: Variant, repeat: int) -> RunResult:
            async with gate:
                result = await self.run_one(case, variant, repeat, cancel=token)
            if on_result is not None:
                on_result(result)
            return result

        tasks = [
            asyncio.ensure_future(one(case, variant, repeat))
            for repeat in range(repeats) for case in listed for variant in chosen
        ]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            raise

    async def run_one(
        self,
        case: EvalCase,
        variant: Variant,
        repeat: int = 0,
        *,
        cancel: CancellationToken | None = None,
    ) -> RunResult:
        """Replay one case under one variant; never raises for the run's own failures."""
        recorder = RunRecorder(self.clock)
        token = cancel.child() if cancel is not None else CancellationToken()
        if token.cancelled:
            recorder.cancelled()
            return recorder.result(case.id, variant.id, variant.label, repeat)
        try:
            async with asyncio.timeout(self.timeout) as limit:
                agent = self._agent_for(case, variant)
                await self._drive(agent, replay_request(case.capture, variant), token, recorder)
        except TimeoutError as error:
            token.cancel()  # whatever the agent left running stops
            if limit.expired():
                took = f"The run took longer than {self.timeout:g} s (the runner's timeout)."
                recorder.failed(RunError("timeout", took))
            else:
                recorder.failed(_error_of(error))
        except Exception as error:
            recorder.failed(_error_of(error))
        return recorder.result(case.id, variant.id, variant.label, repeat)

    def _agent_for(self, case: EvalCase, variant: Variant) -> EvalAgent:
        if callable(getattr(self.agent, "chat", None)):
            return cast(EvalAgent, self.agent)
        return cast(AgentFactory, self.agent)(case, variant)

    async def _drive(
        self,
        agent: EvalAgent,
        request: ChatRequest,
        token: CancellationToken,
        recorder: RunRecorder,
    ) -> None:
        """The run's segments: the start, then a resume per answered pause."""
        policy = PolicySession(self.interrupts) if self.interrupts is not None else None
        for _ in range(self.max_resumes + 1):
            last: AgentEvent | None = None
            stream = agent.chat(request, ChatCtx(cancel=token))
            try:
                async for event in stream:
                    recorder.see(event)
                    last = event
            finally:
                close = getattr(stream, "aclose", None)
                if close is not None:
                    await close()
            following = await self._next_request(last, policy, recorder)
            if following is None:
                return
            request = following

    async def _next_request(
        self, last: AgentEvent | None, policy: PolicySession | None, recorder: RunRecorder
    ) -> ChatRequest | None:
        """The request that continues a paused run, or None to let it end as it is."""
        if isinstance(last, InterruptEvent) and policy is not None:
            records = [await policy.answer(info) for info in last.interrupts]
            answered = [record for record in records if record is not None]
            if len(answered) < len(records):
                return None  # a human must answer one: the run stays interrupted
            for record in answered:
                recorder.answered(record)
            tokens = {str(i.interrupt_id): i.token for i in last.interrupts if i.token is not None}
            payloads = {record.interrupt_id: record.answer for record in answered}
            return ChatRequest.resume(last.run_id, payloads, tokens)
        if isinstance(last, NeedToolExecution) and self.external_tools is not None:
            outcomes = []
            for call in last.calls:
                content = self.external_tools(call)
                if inspect.isawaitable(content):
                    content = await content
                outcomes.append(ToolOutcome(call.id, content, name=call.name))
                recorder.external_result(call.id, call.name, content)
            return ChatRequest.tool_results(last.run_id, outcomes)
        return None


def _error_of(error: Exception) -> RunError:
    code = getattr(error, "code", None)
    message = f"{type(error).__name__}: {error}"
    return RunError(code if isinstance(code, str) else "exception", message)
