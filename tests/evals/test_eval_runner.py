"""`EvalRunner` on `ScriptedModel`: what a run did (answer, reasoning, tool calls and results,
usage, turns), how it ended (done, interrupted, answered by a router or a function, cancelled,
error, timeout, awaiting tools), latency and time to first token from an injected clock, and
the concurrency bound; one run's failure never stops the others."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from remi_web import (
    AgentBuilder,
    ChatCtx,
    ChatRequest,
    Done,
    InterruptRouter,
    RunResumed,
    ScriptedModel,
    ToolCall,
    tool,
)
from remi_web.core.cancel import CancellationToken
from remi_web.core.errors import ConfigurationError
from remi_web.core.events import AgentEvent, InterruptInfo
from remi_web.core.messages import ToolCallRequest
from remi_web.core.model_io import ToolDefinition
from remi_web.core.usage import Usage
from remi_web.evals import (
    DatasetError,
    EvalCase,
    EvalRunner,
    InterruptRecord,
    RunResult,
    SessionCapture,
    ToolCallRecord,
    ToolResultRecord,
    Variant,
)
from remi_web.testing.scripted_model import Thinking

pytestmark = pytest.mark.pyodide

BASE = Variant.baseline()


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


class Outbox:
    """What the email tool really sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

        @tool(requires_approval=True)
        def send_email(to: str) -> str:
            """Send an email (a human approves it first)."""
            self.sent.append(to)
            return f"sent to {to}"

        self.tool = send_email


def email_agent(outbox: Outbox, router: InterruptRouter | None = None):  # type: ignore[no-untyped-def]
    model = ScriptedModel([[ToolCall("send_email", {"to": "ann@example.com"})], ["Handled."]])
    return AgentBuilder().model(model).tools(outbox.tool).interrupt_router(router).build()


async def test_a_finished_run_records_its_answer_reasoning_tools_and_usage() -> None:
    model = ScriptedModel(
        [[Thinking("I should multiply."), "Let me compute. ", ToolCall("multiply", {"a": 6, "b": 7})],
         [Thinking("Now I answer."), "6 x 7 = ", "42."]],
        model="scripted-1",
    )
    agent = AgentBuilder().model(model).tools(multiply).build()
    result = await EvalRunner(agent).run_one(EvalCase.user("mul", "What is 6 x 7?"), BASE)
    assert (result.case_id, result.variant_id, result.variant_label, result.repeat) == ("mul", "baseline", "Baseline", 0)
    assert result.end == "done" and result.error is None
    assert result.final_text == "6 x 7 = 42."
    assert result.reasoning == "I should multiply.\nNow I answer."  # one line per model call
    assert result.tool_calls == [ToolCallRecord("call_0_0", "multiply", '{"a": 6, "b": 7}')]
    assert result.tool_results == [ToolResultRecord("call_0_0", "multiply", "42.0")]
    done = result.events[-1]
    assert isinstance(done, Done)
    assert result.usage == done.usage and result.usage.total_tokens > 0  # the loop's own total
    assert result.run_id == done.run_id
    assert (result.turns, result.model) == (2, "scripted-1")
    assert result.ttft is not None and 0 <= result.ttft <= result.latency


async def test_latency_and_time_to_first_token_come_from_the_injected_clock() -> None:
    clock = FakeClock()

    @tool
    def slow_lookup(word: str) -> str:
        """Look a word up (2.5 s on the fake clock)."""
        clock.now += 2.5
        return f"{word}: a word"

    model = ScriptedModel([
        [ToolCall("slow_lookup", {"word": "cat"})],
        ["Found it. ", ToolCall("slow_lookup", {"word": "dog"})],
        ["Both are words."],
    ])
    agent = AgentBuilder().model(model).tools(slow_lookup).build()
    result = await EvalRunner(agent, clock=clock).run_one(EvalCase.user("c", "look up cat and dog"), BASE)
    assert result.end == "done"
    assert result.ttft == 2.5  # the first text came after the first lookup
    assert result.latency == 5.0
    no_text = await EvalRunner(AgentBuilder().model(ScriptedModel([[]])).build(), clock=clock).run_one(
        EvalCase.user("quiet", "say nothing"), BASE
    )
    assert no_text.end == "done" and no_text.ttft is None


async def test_an_interrupt_without_a_policy_ends_the_run_interrupted() -> None:
    outbox = Outbox()
    result = await EvalRunner(email_agent(outbox)).run_one(EvalCase.user("mail", "email ann"), BASE)
    assert result.end == "interrupted"
    assert [(i.tool_name, i.kind) for i in result.pending_interrupts] == [("send_email", "approval")]
    assert result.interrupts == [] and outbox.sent == []


async def test_an_interrupt_router_answers_and_the_same_run_goes_on() -> None:
    outbox = Outbox()
    runner = EvalRunner(email_agent(outbox), interrupts=InterruptRouter().approve(tool="send_email", name="mail ok"))
    result = await runner.run_one(EvalCase.user("mail", "email ann"), BASE)
    assert result.end == "done" and result.final_text == "Handled."
    assert outbox.sent == ["ann@example.com"]
    [record] = result.interrupts
    assert (record.tool_name, record.decision, record.answer, record.rule, record.by) == (
        "send_email", "approve", {"approved": True}, "mail ok", "runner"
    )
    resumed = [e for e in result.events if isinstance(e, RunResumed)]
    assert [e.run_id for e in resumed] == [result.run_id]
    assert result.pending_interrupts == []


async def test_a_router_denial_reaches_the_tool_and_escalation_leaves_it_to_a_human() -> None:
    outbox = Outbox()
    deny = InterruptRouter().deny(tool="send_email", reason="no mail on Sundays")
    denied = await EvalRunner(email_agent(outbox), interrupts=deny).run_one(EvalCase.user("m", "email ann"), BASE)
    assert denied.end == "done" and outbox.sent == []
    assert denied.interrupts[0].decision == "deny"
    assert "no mail on Sundays" in denied.tool_results[0].content
    escalate = InterruptRouter().approve(tool="read_file")  # does not cover send_email
    waiting = await EvalRunner(email_agent(outbox), interrupts=escalate).run_one(EvalCase.user("m", "email ann"), BASE)
    assert waiting.end == "interrupted" and waiting.interrupts == [] and outbox.sent == []


async def test_a_function_answers_interrupts_sync_or_async() -> None:
    outbox = Outbox()
    asked: list[InterruptInfo] = []

    async def approve_ours(info: InterruptInfo) -> dict[str, bool] | None:
        asked.append(info)
        return {"approved": True} if "example.com" in info.arguments else None

    result = await EvalRunner(email_agent(outbox), interrupts=approve_ours).run_one(EvalCase.user("m", "email ann"), BASE)
    assert result.end == "done" and outbox.sent == ["ann@example.com"]
    assert [(r.decision, r.rule, r.by) for r in result.interrupts] == [("answer", "approve_ours", "runner")]
    assert asked[0].tool_name == "send_email"

    def never(info: InterruptInfo) -> None:
        return None

    left = await EvalRunner(email_agent(outbox), interrupts=never).run_one(EvalCase.user("m", "email ann"), BASE)
    assert left.end == "interrupted" and outbox.sent == ["ann@example.com"]


async def test_an_agents_own_router_answers_are_recorded_too() -> None:
    outbox = Outbox()
    agent = email_agent(outbox, InterruptRouter().approve(tool="send_email"))
    result = await EvalRunner(agent).run_one(EvalCase.user("m", "email ann"), BASE)
    assert result.end == "done" and outbox.sent == ["ann@example.com"]
    assert [(r.tool_name, r.decision, r.by) for r in result.interrupts] == [("send_email", "approve", "agent")]


async def test_cancelling_stops_the_run_in_flight_and_skips_the_rest() -> None:
    stop = CancellationToken()
    made: list[str] = []

    @tool
    def press_stop() -> str:
        """The user presses stop."""
        stop.cancel()
        return "stopping"

    def factory(case: EvalCase, variant: Variant):  # type: ignore[no-untyped-def]
        made.append(case.id)
        model = ScriptedModel([["Working. ", ToolCall("press_stop")], ["never said"]])
        return AgentBuilder().model(model).tools(press_stop).build()

    cases = [EvalCase.user(f"c{i}", "go") for i in range(3)]
    results = await EvalRunner(factory, concurrency=1).run(cases, [BASE], cancel=stop)
    assert [r.end for r in results] == ["cancelled", "cancelled", "cancelled"]
    assert made == ["c0"]  # the others never started
    assert results[0].final_text == "Working. "  # what was streamed before the stop
    assert [c.name for c in results[0].tool_calls] == ["press_stop"]


async def test_errors_are_recorded_and_never_stop_the_other_runs() -> None:
    def factory(case: EvalCase, variant: Variant):  # type: ignore[no-untyped-def]
        if case.id == "broken-factory":
            raise ValueError("no agent for this case")
        turns = [] if case.id == "exhausted" else [["fine"]]
        return AgentBuilder().model(ScriptedModel(turns)).build()

    cases = [EvalCase.user(name, "hi") for name in ("first", "exhausted", "broken-factory", "last")]
    results = await EvalRunner(factory, concurrency=2).run(cases, [BASE])
    by_case = {r.case_id: r for r in results}
    assert by_case["first"].end == by_case["last"].end == "done"
    exhausted = by_case["exhausted"]
    assert exhausted.end == "error" and exhausted.error is not None
    assert exhausted.error.code == "script_exhausted"
    broken = by_case["broken-factory"]
    assert broken.end == "error" and broken.error is not None
    assert (broken.error.code, broken.error.message) == ("exception", "ValueError: no agent for this case")


async def test_an_exception_before_the_first_event_is_an_error_result() -> None:
    class Refusing:
        async def chat(self, request: ChatRequest, ctx: ChatCtx) -> AsyncIterator[AgentEvent]:
            from remi_web.core.errors import RequestError

            raise RequestError("this agent refuses every request")
            yield  # pragma: no cover

    result = await EvalRunner(Refusing()).run_one(EvalCase.user("c", "hi"), BASE)
    assert result.end == "error" and result.error is not None
    assert result.error.code == "bad_request" and "refuses" in result.error.message


async def test_a_run_past_its_timeout_is_stopped_and_recorded() -> None:
    def factory(case: EvalCase, variant: Variant):  # type: ignore[no-untyped-def]
        delay = 3600.0 if case.id == "stuck" else 0.0
        return AgentBuilder().model(ScriptedModel([["a ", "b"]], chunk_delay=delay)).build()

    cases = [EvalCase.user("stuck", "hi"), EvalCase.user("quick", "hi")]
    stuck, quick = await EvalRunner(factory, timeout=0.05).run(cases, [BASE])
    assert stuck.end == "error" and stuck.error is not None and stuck.error.code == "timeout"
    assert "0.05 s" in stuck.error.message
    assert quick.end == "done" and quick.final_text == "a b"


async def test_tools_the_caller_runs_end_the_run_or_are_answered() -> None:
    lookup = ToolDefinition("lookup", "Look a word up.", {"type": "object", "properties": {"word": {"type": "string"}}})
    case = EvalCase("c", SessionCapture.user("define cat", tools=[lookup]))

    def factory(case: EvalCase, variant: Variant):  # type: ignore[no-untyped-def]
        model = ScriptedModel([[ToolCall("lookup", {"word": "cat"})], ["A cat is a small animal."]])
        return AgentBuilder().model(model).build()

    waiting = await EvalRunner(factory).run_one(case, BASE)
    assert waiting.end == "awaiting_tools"
    assert [c.name for c in waiting.tool_calls] == ["lookup"] and waiting.tool_results == []

    asked: list[ToolCallRequest] = []

    async def dictionary(call: ToolCallRequest) -> str:
        asked.append(call)
        return "cat: a small animal"

    answered = await EvalRunner(factory, external_tools=dictionary).run_one(case, BASE)
    assert answered.end == "done" and answered.final_text == "A cat is a small animal."
    assert answered.tool_results == [ToolResultRecord(asked[0].id, "lookup", "cat: a small animal")]


async def test_runs_are_bounded_ordered_and_reported_as_they_finish() -> None:
    in_flight, peak, started = 0, 0, []

    class Counting:
        async def chat(self, request: ChatRequest, ctx: ChatCtx) -> AsyncIterator[AgentEvent]:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            started.append(request.metadata["case"])
            for _ in range(5):
                await asyncio.sleep(0)
            in_flight -= 1
            yield Done("run", "ok", Usage(1, 1))

    cases = [EvalCase("c" + str(i), SessionCapture.user("hi", metadata={"case": str(i)})) for i in range(6)]
    variants = [Variant("a"), Variant("b")]
    seen: list[RunResult] = []
    results = await EvalRunner(Counting(), concurrency=2).run(cases, variants, repeats=2, on_result=seen.append)
    assert peak == 2
    assert len(results) == len(seen) == 24
    assert [(r.repeat, r.case_id, r.variant_id) for r in results] == [
        (rep, c.id, v.id) for rep in range(2) for c in cases for v in variants
    ]
    assert sorted(id(r) for r in seen) == sorted(id(r) for r in results)
    started.clear()
    peak = 0
    await EvalRunner(Counting(), concurrency=1).run(cases, [Variant("a")])
    assert peak == 1 and started == [str(i) for i in range(6)]  # one after another, in order


async def test_a_run_result_round_trips_through_json() -> None:
    outbox = Outbox()
    runner = EvalRunner(email_agent(outbox), interrupts=InterruptRouter().approve(tool="send_email"))
    result = await runner.run_one(EvalCase.user("mail", "email ann"), Variant("v", "V"), repeat=3)
    data = result.to_dict()
    assert "events" not in data and data["repeat"] == 3
    back = RunResult.from_dict(data)
    assert back == result and back.events == []
    assert back.interrupts == [InterruptRecord(
        result.interrupts[0].interrupt_id, result.interrupts[0].call_id, "send_email", "approval",
        "approve", {"approved": True}, "approve tool=send_email",
    )]


async def test_bad_settings_and_datasets_are_refused() -> None:
    agent = AgentBuilder().model(ScriptedModel([])).build()
    with pytest.raises(ConfigurationError, match="concurrency"):
        EvalRunner(agent, concurrency=0)
    with pytest.raises(ConfigurationError, match="timeout"):
        EvalRunner(agent, timeout=0)
    with pytest.raises(ConfigurationError, match="repeats"):
        await EvalRunner(agent).run([EvalCase.user("a", "hi")], [BASE], repeats=0)
    with pytest.raises(DatasetError, match="'a'"):
        await EvalRunner(agent).run([EvalCase.user("a", "hi"), EvalCase.user("a", "ho")], [BASE])

