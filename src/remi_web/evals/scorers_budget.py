"""Budget scorers: did the run stay within a latency or token budget?"""

from __future__ import annotations

from dataclasses import dataclass

from .dataset import EvalCase
from .run_result import RunResult
from .scorer import Score


@dataclass(frozen=True, slots=True)
class LatencyBudget:
    """1 per bound the run stayed within, else 0: `<name>` for the whole run (seconds, as
    the runner's clock measured it), `<name>_ttft` for the time to the first text delta (a
    run that streamed no text fails it).

    Args:
        max_seconds: the most the run may take (None: not checked).
        max_ttft: the most the first text delta may take (None: not checked).
        name: the scores' name.
    """

    max_seconds: float | None = None
    max_ttft: float | None = None
    name: str = "latency"

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """The run's latency checked against the budget."""
        scores: list[Score] = []
        if self.max_seconds is not None:
            scores.append(Score.check(
                self.name, run.latency <= self.max_seconds,
                f"{run.latency:.3f} s (budget {self.max_seconds:g} s)",
            ))
        if self.max_ttft is not None:
            if run.ttft is None:
                scores.append(Score.check(f"{self.name}_ttft", False, "no text was streamed"))
            else:
                scores.append(Score.check(
                    f"{self.name}_ttft", run.ttft <= self.max_ttft,
                    f"first text after {run.ttft:.3f} s (budget {self.max_ttft:g} s)",
                ))
        return scores


@dataclass(frozen=True, slots=True)
class UsageBudget:
    """1 when the run's tokens (all its model calls) stay within every bound given, else 0.

    Args:
        max_total_tokens: prompt plus completion tokens.
        max_prompt_tokens: prompt tokens.
        max_completion_tokens: completion tokens.
        name: the score's name.
    """

    max_total_tokens: int | None = None
    max_prompt_tokens: int | None = None
    max_completion_tokens: int | None = None
    name: str = "usage"

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """The run's usage checked against the budget."""
        usage = run.usage
        checks = [
            ("total", usage.total_tokens, self.max_total_tokens),
            ("prompt", usage.prompt_tokens, self.max_prompt_tokens),
            ("completion", usage.completion_tokens, self.max_completion_tokens),
        ]
        over = [
            f"{what} {used} > {limit}"
            for what, used, limit in checks
            if limit is not None and used > limit
        ]
        if not any(limit is not None for _, _, limit in checks):
            return []
        if over:
            return [Score.check(self.name, False, "over budget: " + ", ".join(over))]
        return [Score.check(
            self.name, True,
            f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens",
        )]
