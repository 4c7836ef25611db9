"""`InterruptRouter`: answers a run's interrupts by policy (kind, tool, arguments), so that
only the rest wait for a human; every automatic answer is an `interrupt_answered` event.

Rules are tried in order; the first that matches decides: approve, deny, answer (a function
of the interrupt) or escalate. An interrupt no rule takes is escalated: it ends the stream
as today. Budgets (`deny_after`) turn an approval into a denial once as many automatic
approvals were given in the run, whatever the order of the rules. The counts live in the
run's checkpoint (`LoopState.tool_state`, under a key no tool name can have).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, cast

from .continuation import UNCERTAIN_OUTCOME, answer_interrupts
from .events import InterruptAnswered, InterruptInfo
from .messages import ToolCallRequest
from .schema_types import JsonValue
from .state import LoopState

Decision: TypeAlias = Literal["approve", "deny", "answer", "escalate"]
"""What a rule does with an interrupt it matches."""

Reply: TypeAlias = Callable[[InterruptInfo], "JsonValue | Awaitable[JsonValue]"]
"""Computes the answer to an interrupt (sync or async); None passes it on to a human."""

ArgumentTest: TypeAlias = Callable[[JsonValue], bool]
"""Tests one argument of the interrupted call."""

ROUTER_STATE = "remi:interrupt_router"
"""Where a run's automatic approval counts are kept in `LoopState.tool_state` (a tool name
cannot contain ':')."""

MAX_ANSWERS_PER_CALL = 8
"""Automatic answers one tool call may get in one run segment; a tool that keeps pausing
after that goes to a human (no endless loop between a tool and a policy)."""

DEFAULT_DENIAL = "an interrupt policy of this agent does not allow it"


@dataclass(frozen=True, slots=True)
class _Match:
    """Which interrupts a rule or budget applies to (None: any)."""

    kind: str | None = None
    tools: frozenset[str] | None = None
    args: Mapping[str, JsonValue | ArgumentTest] | None = None
    when: Callable[[InterruptInfo], bool] | None = None

    def __call__(self, info: InterruptInfo) -> bool:
        if self.kind is not None and info.kind != self.kind:
            return False
        if self.tools is not None and info.tool_name not in self.tools:
            return False
        if self.args is not None and not _arguments_match(info.arguments, self.args):
            return False
        return self.when is None or bool(self.when(info))

    def describe(self) -> str:
        parts = [] if self.kind is None else [f"kind={self.kind}"]
        if self.tools is not None:
            parts.append("tool=" + "|".join(sorted(self.tools)))
        if self.args is not None:
            parts.append("args=" + ",".join(sorted(self.args)))
        if self.when is not None:
            parts.append("when=" + getattr(self.when, "__name__", "test"))
        return " ".join(parts) or "any"


@dataclass(frozen=True, slots=True)
class _Rule:
    decision: Decision
    match: _Match
    name: str
    reason: str | None = None
    reply: Reply | JsonValue = None


@dataclass(frozen=True, slots=True)
class _Budget:
    limit: int
    match: _Match
    name: str
    then: Literal["deny", "escalate"]
    reason: str | None


@dataclass(frozen=True, slots=True)
class RouterAnswer:
    """A router's answer to one interrupt: the payload the tool is resumed with, and why."""

    decision: Literal["approve", "deny", "answer"]
    answer: JsonValue
    rule: str


@dataclass(frozen=True, slots=True)
class InterruptRouter:
    """Answers interrupts by policy; the rest go to a human. Each method returns a new router.

    ```python
    router = (
        InterruptRouter()
        .approve(tool=["read_file", "list_dir"])        # read-only tools: always fine
        .deny_after(3, tool="search")                    # the 4th search is denied
        .approve(tool="search")
        .deny(tool="send_email", args={"to": lambda to: not str(to).endswith("@ours.com")})
    )                                                    # anything else: a human decides
    agent = AgentBuilder().model(model).tools(...).interrupt_router(router).build()
    ```

    Matching (every method): `kind` (the interrupt's kind: "approval", "uncertain_outcome"
    or a tool's own; None: any), `tool` (a name or names), `args` (argument name to the
    value it must have, or a test of it), `when` (a test of the `InterruptInfo`).
    """

    rules: tuple[_Rule, ...] = ()
    budgets: tuple[_Budget, ...] = ()

    def approve(
        self,
        *,
        tool: str | Collection[str] | None = None,
        kind: str | None = None,
        args: Mapping[str, JsonValue | ArgumentTest] | None = None,
        when: Callable[[InterruptInfo], bool] | None = None,
        name: str | None = None,
    ) -> InterruptRouter:
        """Approve matching interrupts: an approval is answered `{"approved": True}` (what
        `@tool(requires_approval=True)` reads), an uncertain outcome `{"action": "rerun"}`."""
        return self._rule("approve", _match(kind, tool, args, when), name)

    def deny(
        self,
        *,
        tool: str | Collection[str] | None = None,
        kind: str | None = None,
        args: Mapping[str, JsonValue | ArgumentTest] | None = None,
        when: Callable[[InterruptInfo], bool] | None = None,
        reason: str | None = None,
        name: str | None = None,
    ) -> InterruptRouter:
        """Deny matching interrupts: `{"approved": False, "reason": reason}` (the model reads
        the reason), or for an uncertain outcome `{"action": "skip", "result": reason}`."""
        return self._rule("deny", _match(kind, tool, args, when), name, reason=reason)

    def answer(
        self,
        kind: str | None,
        reply: Reply | JsonValue,
        *,
        tool: str | Collection[str] | None = None,
        args: Mapping[str, JsonValue | ArgumentTest] | None = None,
        when: Callable[[InterruptInfo], bool] | None = None,
        name: str | None = None,
    ) -> InterruptRouter:
        """Answer matching interrupts with `reply`: a JSON value, or a function of the
        `InterruptInfo` (sync or async) returning one; None passes it on to a human."""
        return self._rule("answer", _match(kind, tool, args, when), name, reply=reply)

    def escalate(
        self,
        *,
        tool: str | Collection[str] | None = None,
        kind: str | None = None,
        args: Mapping[str, JsonValue | ArgumentTest] | None = None,
        when: Callable[[InterruptInfo], bool] | None = None,
        name: str | None = None,
    ) -> InterruptRouter:
        """Send matching interrupts to a human (what happens to any no rule takes); use it
        before broader rules."""
        return self._rule("escalate", _match(kind, tool, args, when), name)

    def deny_after(
        self,
        budget: int,
        *,
        tool: str | Collection[str] | None = None,
        kind: str | None = None,
        reason: str | None = None,
        then: Literal["deny", "escalate"] = "deny",
        name: str | None = None,
    ) -> InterruptRouter:
        """Once `budget` automatic approvals of matching interrupts were given in the run,
        deny the next ones a rule would approve (or, with `then="escalate"`, ask a human)."""
        if budget < 0:
            raise ValueError(f"deny_after needs a budget of 0 or more, got {budget}.")
        match = _match(kind, tool, None, None)
        label = name or f"deny_after {budget} {match.describe()}"
        budgets = (*self.budgets, _Budget(budget, match, label, then, reason))
        return InterruptRouter(self.rules, budgets)

    async def decide(
        self, info: InterruptInfo, approved: Mapping[str, Mapping[str, int]] | None = None
    ) -> RouterAnswer | None:
        """The answer to `info`, or None to escalate it. `approved` counts the run's
        automatic approvals so far by kind, then tool name."""
        for rule in self.rules:
            if not rule.match(info):
                continue
            if rule.decision == "escalate":
                return None
            if rule.decision == "deny":
                return RouterAnswer("deny", _denial(info, rule.reason), rule.name)
            if rule.decision == "answer":
                reply = rule.reply
                value = reply(info) if callable(reply) else reply
                if inspect.isawaitable(value):
                    value = await value
                if value is None:
                    return None
                return RouterAnswer("answer", cast(JsonValue, value), rule.name)
            for budget in self.budgets:
                if budget.match(info) and _count(approved or {}, budget.match) >= budget.limit:
                    if budget.then == "escalate":
                        return None
                    return RouterAnswer("deny", _denial(info, budget.reason), budget.name)
            return RouterAnswer("approve", _approval(info), rule.name)
        return None

    def session(self) -> RouterSession:
        """The router's memory for one run segment (what it was asked already)."""
        return RouterSession(self)

    def _rule(
        self,
        decision: Decision,
        match: _Match,
        name: str | None,
        *,
        reason: str | None = None,
        reply: Reply | JsonValue = None,
    ) -> InterruptRouter:
        rule = _Rule(decision, match, name or f"{decision} {match.describe()}", reason, reply)
        return InterruptRouter((*self.rules, rule), self.budgets)


@dataclass(slots=True)
class RoutedAnswers:
    """What a router settled after a tool round: the calls to re-run with their answers
    (as a `Resume` would), a failure it chose (an uncertain outcome answered `fail`), and the
    events that record each answer."""

    calls: list[ToolCallRequest]
    values: dict[str, JsonValue]
    failure: str | None
    events: list[InterruptAnswered]


@dataclass(slots=True)
class RouterSession:
    """An `InterruptRouter` at work in one run segment: each interrupt is asked about once."""

    router: InterruptRouter
    asked: set[str] = field(default_factory=set)
    answers_per_call: dict[str, int] = field(default_factory=dict)

    async def settle(self, state: LoopState) -> RoutedAnswers | None:
        """Answer what the router can of the run's new pending interrupts. The answered ones
        leave `state.pending_interrupts` and their calls are set up as the next tool round
        (`round_calls`, `resume_values`: checkpoint before running them); None if the router
        answered none."""
        answers: dict[str, JsonValue] = {}
        events: list[InterruptAnswered] = []
        for info in state.pending_interrupts:
            if info.interrupt_id in self.asked:
                continue
            self.asked.add(info.interrupt_id)
            if self.answers_per_call.get(info.call_id, 0) >= MAX_ANSWERS_PER_CALL:
                continue
            approved = _approved_counts(state)
            answer = await self.router.decide(info, approved)
            if answer is None:
                continue
            if answer.decision == "approve":
                by_tool = approved.setdefault(info.kind, {})
                by_tool[info.tool_name] = by_tool.get(info.tool_name, 0) + 1
                state.tool_state[ROUTER_STATE] = {"approved": cast(JsonValue, approved)}
            self.answers_per_call[info.call_id] = self.answers_per_call.get(info.call_id, 0) + 1
            answers[info.interrupt_id] = answer.answer
            events.append(InterruptAnswered(
                state.run_id, info.interrupt_id, info.call_id, info.tool_name, info.kind,
                answer.decision, answer.answer, answer.rule,
            ))
        if not answers:
            return None
        rest = [i for i in state.pending_interrupts if i.interrupt_id not in answers]
        state.pending_interrupts = [i for i in state.pending_interrupts if i.interrupt_id in answers]
        plan = answer_interrupts(state, answers)  # exactly what a Resume with them does
        state.pending_interrupts = rest
        values = plan.values or {}
        state.round_calls, state.resume_values = [call.id for call in plan.calls], dict(values)
        return RoutedAnswers(plan.calls, values, plan.failure, events)


def _match(
    kind: str | None,
    tool: str | Collection[str] | None,
    args: Mapping[str, JsonValue | ArgumentTest] | None,
    when: Callable[[InterruptInfo], bool] | None,
) -> _Match:
    tools = None if tool is None else frozenset([tool] if isinstance(tool, str) else tool)
    return _Match(kind, tools, args, when)


def _arguments_match(arguments: str, expected: Mapping[str, JsonValue | ArgumentTest]) -> bool:
    try:
        given = json.loads(arguments or "{}")
    except ValueError:
        return False
    if not isinstance(given, dict):
        return False
    for key, want in expected.items():
        if key not in given:
            return False
        value = given[key]
        if callable(want):
            if not want(value):
                return False
        elif value != want:
            return False
    return True


def _approval(info: InterruptInfo) -> JsonValue:
    return {"action": "rerun"} if info.kind == UNCERTAIN_OUTCOME else {"approved": True}


def _denial(info: InterruptInfo, reason: str | None) -> JsonValue:
    text = reason or DEFAULT_DENIAL
    if info.kind == UNCERTAIN_OUTCOME:
        return {"action": "skip", "result": f"Not run: {text}."}
    return {"approved": False, "reason": text}


def _approved_counts(state: LoopState) -> dict[str, dict[str, int]]:
    """The run's automatic approvals so far, by kind then tool name (a fresh copy)."""
    kept = state.tool_state.get(ROUTER_STATE)
    approved = kept.get("approved") if isinstance(kept, dict) else None
    counts: dict[str, dict[str, int]] = {}
    if isinstance(approved, dict):
        for kind, by_tool in approved.items():
            if isinstance(by_tool, dict):
                counts[kind] = {t: n for t, n in by_tool.items() if isinstance(n, int)}
    return counts


def _count(approved: Mapping[str, Mapping[str, int]], match: _Match) -> int:
    return sum(
        n
        for kind, by_tool in approved.items()
        if match.kind is None or kind == match.kind
        for tool, n in by_tool.items()
        if match.tools is None or tool in match.tools
    )
