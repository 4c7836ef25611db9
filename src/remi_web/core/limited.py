"""A run at its `UsageLimits`: it stops resumable (status `limited`, its next step recorded)
and a `Resume(run_id, {})` carrying higher limits goes on where it stopped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .schema_types import JsonValue

from .continuation import Continuation, resume_values
from .errors import UsageLimitExceeded
from .messages import ToolCallRequest
from .requests import RunOverrides
from .run_status import RunStatus
from .state import LoopState
from .usage_limits import UsageLimits

LIMITED: RunStatus = "limited"

_COUNTED = ("requests", "tool_calls")  # counts a step adds to; tokens are only known after


def over_limit(
    state: LoopState, limits: UsageLimits | None, *, next_requests: int = 0,
    next_tool_calls: int = 0,
) -> UsageLimitExceeded | None:
    """The error of the first limit the run's next step would pass (model calls are counted
    by `state.turn`), or None."""
    if limits is None:
        return None
    found = limits.exceeded(
        state.usage, state.turn, state.tool_calls,
        next_requests=next_requests, next_tool_calls=next_tool_calls,
    )
    if found is None:
        return None
    name, value, limit = found
    reached = "would reach" if name in _COUNTED else "reached"
    return UsageLimitExceeded(
        f"Run {state.run_id!r} stopped at a usage limit: {name} {reached} {value}, above the "
        f"limit of {limit}. Resume it (ChatRequest.resume(run_id, {{}})) with a higher "
        "limit in overrides.usage_limits to go on.",
        limit=name, value=value, maximum=limit,
    )


def limits_of(state: LoopState, agent_limits: UsageLimits | None) -> UsageLimits | None:
    """The run's limits: its own (from its request or a resume) or else the agent's."""
    own = state.overrides.usage_limits
    return own if own is not None else agent_limits


def hold_round(
    state: LoopState, calls: list[ToolCallRequest], values: Mapping[str, JsonValue] | None
) -> None:
    """Record the tool round that did not start, to run it on resume."""
    state.round_calls = [call.id for call in calls]
    state.resume_values = dict(values or {})


def raise_limits(state: LoopState, overrides: RunOverrides) -> None:
    """A continuing request's `usage_limits`, if any, replace the run's."""
    if overrides.usage_limits is not None:
        state.overrides = replace(state.overrides, usage_limits=overrides.usage_limits)


def after_limit(state: LoopState, payloads: Mapping[str, JsonValue]) -> Continuation:
    """Continue a `limited` run: the tool round it held back, if any, else the next model
    call. It takes no payloads (an unknown one is an error)."""
    resume_values(state, payloads)  # no interrupt is pending: any payload is unknown
    held = set(state.round_calls)
    calls = [call for call in state.pending_calls if call.id in held]
    values = {k: v for k, v in state.resume_values.items() if k in held}
    state.round_calls, state.resume_values = [], {}
    return Continuation(state, calls, values or None)
