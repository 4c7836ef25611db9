"""`remi serve --auto-approve TOOL`: the served agent's interrupt policy from the command line,
for headless deployments (an agent can also be built with its own `InterruptRouter`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..builder import AgentBuilder
from ..core.errors import ConfigurationError
from ..core.interrupt_router import InterruptRouter
from ..core.loop import AgentLoop
from ..core.store import Store
from .agent_source import AgentSource, ServedAgent


def auto_approving(source: AgentSource, tools: Sequence[str]) -> AgentSource:
    """`source` with the approvals of `tools` answered by policy (before any rule of the
    agent's own router, whose budgets still apply); other interrupts still go to a human."""
    router = InterruptRouter().approve(tool=tuple(tools), kind="approval")
    if isinstance(source, AgentBuilder):
        own = getattr(source, "_interrupt_router", None)
        return source.interrupt_router(_merged(router, own))
    if isinstance(source, AgentLoop):
        return replace(source, interrupt_router=_merged(router, source.interrupt_router))
    if callable(source) and not hasattr(source, "chat") and not hasattr(source, "build"):
        factory = source

        def approving(store: Store) -> ServedAgent:
            agent = auto_approving(factory(store), tools)
            assert isinstance(agent, AgentLoop)
            return agent

        return approving
    raise ConfigurationError(
        f"--auto-approve needs an AgentLoop, an AgentBuilder or a factory of AgentLoops, not "
        f"{type(source).__name__}; give the agent an InterruptRouter in code instead."
    )


def _merged(first: InterruptRouter, then: InterruptRouter | None) -> InterruptRouter:
    if then is None:
        return first
    return InterruptRouter((*first.rules, *then.rules), (*first.budgets, *then.budgets))
