"""How the runner answers a run's interrupts without a human: an `InterruptRouter` (the same
policy an agent can carry) or a function of the `InterruptInfo`.

An interrupt the policy leaves unanswered (the router escalates it, the function returns
None) ends the run as `interrupted`, with its interrupts pending.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TypeAlias, cast

from ..core.events import InterruptInfo
from ..core.interrupt_router import InterruptRouter
from ..core.schema_types import JsonValue
from .run_result import InterruptRecord

InterruptAnswerer: TypeAlias = Callable[[InterruptInfo], "JsonValue | Awaitable[JsonValue]"]
"""Answers an interrupt (sync or async): the payload the tool is resumed with; None: leave
it to a human (the run ends interrupted)."""

InterruptPolicy: TypeAlias = InterruptRouter | InterruptAnswerer
"""What answers interrupts during an evaluation."""


class PolicySession:
    """A policy at work in one run: it keeps the run's automatic approvals (for the
    router's `deny_after` budgets)."""

    def __init__(self, policy: InterruptPolicy) -> None:
        self.policy = policy
        self.approved: dict[str, dict[str, int]] = {}

    async def answer(self, info: InterruptInfo) -> InterruptRecord | None:
        """The answer to `info`, or None when a human must give it."""
        if isinstance(self.policy, InterruptRouter):
            decided = await self.policy.decide(info, self.approved)
            if decided is None:
                return None
            if decided.decision == "approve":
                by_tool = self.approved.setdefault(info.kind, {})
                by_tool[info.tool_name] = by_tool.get(info.tool_name, 0) + 1
            return self._record(info, decided.decision, decided.answer, decided.rule)
        value = self.policy(info)
        if inspect.isawaitable(value):
            value = await value
        if value is None:
            return None
        rule = getattr(self.policy, "__name__", "answer")
        return self._record(info, "answer", cast(JsonValue, value), rule)

    @staticmethod
    def _record(
        info: InterruptInfo, decision: str, answer: JsonValue, rule: str
    ) -> InterruptRecord:
        return InterruptRecord(
            info.interrupt_id, info.call_id, info.tool_name, info.kind, decision, answer, rule
        )
