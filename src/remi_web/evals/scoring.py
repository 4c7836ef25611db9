"""Scoring runs: each run of a case gets the scores of the given scorers plus those of its
case's own specs; a scorer that fails gives a score without a value and with the error."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.schema_types import LazyAdapter
from .dataset import EvalCase
from .errors import ScorerSpecError
from .run_result import RunResult
from .scorer import Score, Scorer
from .scorer_specs import scorer_from_spec


@dataclass(frozen=True, slots=True)
class ScoredRun:
    """A run and its scores."""

    run: RunResult
    scores: list[Score] = field(default_factory=list)

    @property
    def total(self) -> float | None:
        """The mean of the run's score values (None: no score has one)."""
        values = [s.value for s in self.scores if s.value is not None]
        return sum(values) / len(values) if values else None

    def value(self, name: str) -> float | None:
        """The value of the score called `name` (None: none, or it failed)."""
        return next((s.value for s in self.scores if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The scored run as JSON-ready data (the run without its events)."""
        scores: list[dict[str, Any]] = SCORES_ADAPTER().dump_python(self.scores, mode="json")
        return {"run": self.run.to_dict(), "scores": scores, "total": self.total}


async def score_run(case: EvalCase, run: RunResult, scorers: Sequence[Scorer] = ()) -> ScoredRun:
    """`run` scored by `scorers` and by its case's specs (in that order)."""
    scores: list[Score] = []
    for scorer in [*scorers, *case_scorers(case)]:
        try:
            scores.extend(await scorer.score(case, run))
        except Exception as error:
            scores.append(Score(scorer.name, None, error=f"{type(error).__name__}: {error}"))
    return ScoredRun(run, scores)


async def score_runs(
    cases: Sequence[EvalCase],
    runs: Sequence[RunResult],
    scorers: Sequence[Scorer] = (),
    *,
    concurrency: int = 4,
) -> list[ScoredRun]:
    """Every run scored (at most `concurrency` runs at once: a judge calls a model), in
    the order of `runs`. Each run's case is found by its `case_id`."""
    by_id = {case.id: case for case in cases}
    unknown = sorted({run.case_id for run in runs} - by_id.keys())
    if unknown:
        raise ValueError(f"Runs of unknown case(s) {', '.join(unknown)}: give their cases too.")
    for case in cases:
        case_scorers(case)  # a bad spec fails before anything is scored
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(run: RunResult) -> ScoredRun:
        async with gate:
            return await score_run(by_id[run.case_id], run, scorers)

    return list(await asyncio.gather(*(one(run) for run in runs)))


def case_scorers(case: EvalCase) -> list[Scorer]:
    """The scorers of a case's specs (`ScorerSpecError` naming the case if one is bad)."""
    try:
        return [scorer_from_spec(spec) for spec in case.scorers]
    except ScorerSpecError as error:
        raise ScorerSpecError(f"Case {case.id!r}: {error}") from None


SCORES_ADAPTER = LazyAdapter[list[Score]](list[Score])
"""Turns scores into JSON and back."""
