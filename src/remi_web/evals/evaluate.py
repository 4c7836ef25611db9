"""`evaluate`: run a dataset under variants, score every run, and build the report."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.cancel import CancellationToken
from .dataset import EvalCase
from .report import EvalReport, build_report
from .run_result import RunResult
from .runner import EvalRunner
from .scorer import Scorer
from .scoring import ScoredRun, score_runs
from .stats import DEFAULT_CONFIDENCE
from .variant import Variant


@dataclass(frozen=True, slots=True)
class EvalResult:
    """Every scored run and the report comparing the variants."""

    runs: list[ScoredRun]
    report: EvalReport

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data: `{"report": ..., "runs": [...]}`."""
        return {"report": self.report.to_dict(), "runs": [run.to_dict() for run in self.runs]}

    def to_json(self, indent: int | None = None) -> str:
        """The result as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


async def evaluate(
    runner: EvalRunner,
    cases: Sequence[EvalCase],
    variants: Sequence[Variant],
    scorers: Sequence[Scorer] = (),
    *,
    repeats: int = 1,
    confidence: float = DEFAULT_CONFIDENCE,
    cancel: CancellationToken | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> EvalResult:
    """Run each case under each variant `repeats` times with `runner`, score the runs with
    `scorers` (and each case's own specs), and compare the variants.

    Args:
        runner: runs the cases (its agent, concurrency, timeout, interrupt policy...).
        cases: the dataset.
        variants: the conditions to compare.
        scorers: scorers of every run.
        repeats: passes over the dataset (the intervals are over them).
        confidence: the intervals' confidence level.
        cancel: cancels the evaluation (runs in flight end `cancelled`).
        on_result: called with each run's result as it is ready.
    """
    runs = await runner.run(cases, variants, repeats=repeats, cancel=cancel, on_result=on_result)
    scored = await score_runs(cases, runs, scorers, concurrency=runner.concurrency)
    return EvalResult(scored, build_report(scored, variants, confidence=confidence))
