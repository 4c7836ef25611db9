"""Which of a server's tools an agent gets (`allowed`), and which calls wait for a human
(`requires_approval`): by tool name, or by a function."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TypeAlias

from ..core.errors import ConfigurationError
from ..core.schema_types import JsonValue

ApprovalPolicy: TypeAlias = (
    bool | Collection[str] | Callable[[str, Mapping[str, JsonValue]], bool]
)
"""Which calls ask a human first: all (`True`), none (`False`), those of the tools named (a
set of the server's tool names), or those a function of `(tool name, arguments)` picks."""

ToolFilter: TypeAlias = Collection[str] | Callable[[str], bool] | None
"""Which of a server's tools to offer: the names given, those a function of the name picks,
or all (`None`)."""


def check_policies(allowed: ToolFilter, requires_approval: ApprovalPolicy) -> None:
    """Refuse a bare string where a collection of names is meant (`{"name"}` was meant)."""
    for label, value in (("allowed", allowed), ("requires_approval", requires_approval)):
        if isinstance(value, str):
            raise ConfigurationError(
                f"{label}={value!r} is one string; give a collection of tool names, "
                f"e.g. {label}={{{value!r}}}."
            )


def is_allowed(allowed: ToolFilter, name: str) -> bool:
    """Whether the server's tool `name` is offered."""
    if allowed is None:
        return True
    if callable(allowed):
        return bool(allowed(name))
    return name in allowed


def needs_approval(policy: ApprovalPolicy, name: str, arguments: Mapping[str, JsonValue]) -> bool:
    """Whether a call of the server's tool `name` with `arguments` waits for a human."""
    if isinstance(policy, bool):
        return policy
    if callable(policy):
        return bool(policy(name, arguments))
    return name in policy
