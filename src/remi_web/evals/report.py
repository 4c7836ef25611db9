"""`EvalReport`: the comparison of variants: for each variant and scorer the mean score with
its confidence interval over repeats, and for each variant how its runs ended, their mean
latency, time to first token and tokens. JSON-ready dataclasses.

The interval of a (variant, scorer) cell is a Student-t interval over the repeats: each
repeat (one pass over the dataset) gives the mean of its scores, and the interval's
half-width comes from those per-repeat means, around the mean of all the cell's scores.
With one repeat there is a mean and no interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.schema_types import LazyAdapter
from .scoring import ScoredRun
from .stats import DEFAULT_CONFIDENCE, mean, t_interval
from .variant import Variant

OVERALL = "overall"
"""The name of a variant's summary of run totals (each run's mean score)."""


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """One cell of the comparison: a variant's scores of one name.

    Args:
        variant_id: the variant.
        scorer: the score's name (`overall` for the runs' totals).
        mean: the mean of the scores (None: no score has a value).
        low: the lower end of the confidence interval (None: fewer than 2 repeats).
        high: its upper end.
        count: scores with a value.
        errors: scores whose scorer failed.
        repeats: repeats the interval is computed over.
    """

    variant_id: str
    scorer: str
    mean: float | None
    low: float | None = None
    high: float | None = None
    count: int = 0
    errors: int = 0
    repeats: int = 0

    @property
    def half_width(self) -> float | None:
        """Half the interval's width (None without an interval)."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2.0


@dataclass(frozen=True, slots=True)
class VariantSummary:
    """How a variant's runs went: how they ended (`ends`: end to count), their means
    (seconds, tokens; None without any), and the summary of their totals (`overall`)."""

    variant_id: str
    label: str
    runs: int
    ends: dict[str, int]
    mean_latency: float | None
    mean_ttft: float | None
    mean_tokens: float | None
    overall: ScoreSummary


@dataclass(frozen=True, slots=True)
class EvalReport:
    """The comparison of variants over a dataset.

    Args:
        variants: one summary per variant, in the experiment's order.
        scores: one cell per variant and score name (variant-major, names in the order met).
        scorers: the score names.
        cases: cases in the dataset.
        repeats: passes over it.
        confidence: the intervals' confidence level.
    """

    variants: list[VariantSummary]
    scores: list[ScoreSummary]
    scorers: list[str]
    cases: int
    repeats: int
    confidence: float = DEFAULT_CONFIDENCE
    metadata: dict[str, Any] = field(default_factory=dict)

    def cell(self, variant_id: str, scorer: str) -> ScoreSummary | None:
        """The summary of `scorer` for `variant_id` (`overall` for the totals), if any."""
        if scorer == OVERALL:
            return next((v.overall for v in self.variants if v.variant_id == variant_id), None)
        return next(
            (s for s in self.scores if s.variant_id == variant_id and s.scorer == scorer), None
        )

    def variant(self, variant_id: str) -> VariantSummary | None:
        """The summary of one variant, if it is in the report."""
        return next((v for v in self.variants if v.variant_id == variant_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        data: dict[str, Any] = REPORT_ADAPTER().dump_python(self, mode="json")
        return data

    def to_json(self) -> str:
        """The report as JSON text (`from_json` reads it back)."""
        return REPORT_ADAPTER().dump_json(self).decode()

    @staticmethod
    def from_json(text: str | bytes) -> EvalReport:
        """A report from the JSON text `to_json` wrote."""
        return REPORT_ADAPTER().validate_json(text)


def build_report(
    scored: Sequence[ScoredRun],
    variants: Sequence[Variant] | None = None,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    metadata: dict[str, Any] | None = None,
) -> EvalReport:
    """The report of scored runs (`variants` give the order and labels; by default the
    order the runs name them in)."""
    labels = {v.id: v.label for v in variants or ()}
    order = [v.id for v in variants or ()]
    for item in scored:
        if item.run.variant_id not in labels:
            labels[item.run.variant_id] = item.run.variant_label
            order.append(item.run.variant_id)
    names: list[str] = []
    for item in scored:
        for score in item.scores:
            if score.name not in names:
                names.append(score.name)
    summaries: list[VariantSummary] = []
    cells: list[ScoreSummary] = []
    for variant_id in order:
        runs = [item for item in scored if item.run.variant_id == variant_id]
        for name in names:
            entries = [
                (item.run.repeat, s.value) for item in runs for s in item.scores if s.name == name
            ]
            cells.append(_summary(variant_id, name, entries, confidence))
        totals = [(item.run.repeat, item.total) for item in runs]
        summaries.append(_variant(variant_id, labels[variant_id], runs, _summary(
            variant_id, OVERALL, totals, confidence, count_errors=False
        )))
    return EvalReport(
        summaries, cells, names,
        cases=len({item.run.case_id for item in scored}),
        repeats=len({item.run.repeat for item in scored}),
        confidence=confidence,
        metadata=dict(metadata or {}),
    )


def _summary(
    variant_id: str,
    name: str,
    entries: Sequence[tuple[int, float | None]],
    confidence: float,
    *,
    count_errors: bool = True,
) -> ScoreSummary:
    values = [value for _, value in entries if value is not None]
    errors = len(entries) - len(values) if count_errors else 0
    center = mean(values)
    by_repeat: dict[int, list[float]] = {}
    for repeat, value in entries:
        if value is not None:
            by_repeat.setdefault(repeat, []).append(value)
    repeat_means = [m for r in sorted(by_repeat) if (m := mean(by_repeat[r])) is not None]
    interval = t_interval(repeat_means, confidence)
    half = interval.half_width if interval is not None else None
    if center is None or half is None:
        low = high = None
    else:
        low, high = center - half, center + half
    return ScoreSummary(variant_id, name, center, low, high, len(values), errors, len(repeat_means))


def _variant(
    variant_id: str, label: str, runs: Sequence[ScoredRun], overall: ScoreSummary
) -> VariantSummary:
    ends: dict[str, int] = {}
    for item in runs:
        ends[item.run.end] = ends.get(item.run.end, 0) + 1
    ttfts = [item.run.ttft for item in runs if item.run.ttft is not None]
    return VariantSummary(
        variant_id, label, len(runs), ends,
        mean([item.run.latency for item in runs]),
        mean(ttfts),
        mean([float(item.run.usage.total_tokens) for item in runs]),
        overall,
    )


REPORT_ADAPTER = LazyAdapter[EvalReport](EvalReport)
"""Turns an `EvalReport` into JSON and back."""
