"""`UsageLimits`: a run's budget of model requests, tokens and tool calls."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .usage import Usage


@dataclass(frozen=True, slots=True)
class UsageLimits:
    """The most one run may use, resumes included; None: no limit.

    Checked before each model call and before each tool round against what the run has used
    so far: a run that would pass a limit stops with a `usage_limit_exceeded` error event,
    and `Resume(run_id, {})` with higher limits in its overrides continues it.

    Args:
        requests: model calls.
        input_tokens: prompt tokens, over all model calls.
        output_tokens: completion tokens, over all model calls.
        total_tokens: prompt plus completion tokens.
        tool_calls: local tool calls executed.
    """

    requests: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    tool_calls: int | None = None

    def __post_init__(self) -> None:
        for limit in fields(self):
            value = getattr(self, limit.name)
            if value is not None and value < 0:
                raise ValueError(f"UsageLimits.{limit.name} must be 0 or more, got {value}.")

    def exceeded(
        self, usage: Usage, requests: int, tool_calls: int, *, next_requests: int = 0,
        next_tool_calls: int = 0,
    ) -> tuple[str, int, int] | None:
        """The first limit the run would pass, as `(name, value, limit)`, or None.

        A request or tool-call limit is passed when what was used plus what the next step
        adds (`next_requests`, `next_tool_calls`) is above it; a token limit when the tokens
        used so far are above it (the next call's tokens are not known before it is made).
        """
        counts = (
            ("requests", requests + next_requests, self.requests),
            ("input_tokens", usage.prompt_tokens, self.input_tokens),
            ("output_tokens", usage.completion_tokens, self.output_tokens),
            ("total_tokens", usage.total_tokens, self.total_tokens),
            ("tool_calls", tool_calls + next_tool_calls, self.tool_calls),
        )
        for name, value, limit in counts:
            if limit is not None and value > limit:
                return name, value, limit
        return None
