"""`EvalReport`: per variant and scorer the mean and its t-interval over repeats (computed
here by hand), how runs ended, their means; its JSON round trip and the text table."""

from __future__ import annotations

import math

import pytest

from remi_web.core.usage import Usage
from remi_web.evals import (
    EvalReport,
    RunResult,
    Score,
    ScoredRun,
    Variant,
    build_report,
    render_table,
)

pytestmark = pytest.mark.pyodide

T_975_2 = 4.302652730  # t(0.975, 2 degrees of freedom)


def scored(variant: str, case: str, repeat: int, *scores: Score, end: str = "done",
           latency: float = 1.0, ttft: float | None = 0.5, tokens: int = 10) -> ScoredRun:
    run = RunResult(case, variant, variant.upper(), repeat, end, latency=latency, ttft=ttft,  # type: ignore[arg-type]
                    usage=Usage(tokens, 0))
    return ScoredRun(run, list(scores))


def sample() -> list[ScoredRun]:
    """Variant a: 3 repeats of 2 cases; `exact` per repeat averages 0.5, 1.0, 0.75."""
    exact = {(0, "x"): 0.0, (0, "y"): 1.0, (1, "x"): 1.0, (1, "y"): 1.0, (2, "x"): 0.5, (2, "y"): 1.0}
    runs = [
        scored("a", case, repeat, Score("exact", value), Score("judge", None, error="JudgeError: no verdict")
               if (repeat, case) == (1, "y") else Score("judge", 1.0), latency=float(repeat + 1))
        for (repeat, case), value in exact.items()
    ]
    runs.append(scored("b", "x", 0, Score("exact", 1.0), end="error", ttft=None, tokens=4))
    runs.append(scored("b", "y", 0, end="interrupted", ttft=None, tokens=6))
    return runs


def test_cells_have_means_and_intervals_over_repeats() -> None:
    report = build_report(sample(), [Variant("a", "Variant A"), Variant("b")])
    assert (report.cases, report.repeats, report.scorers) == (2, 3, ["exact", "judge"])
    exact = report.cell("a", "exact")
    assert exact is not None
    assert exact.mean == pytest.approx(0.75) and (exact.count, exact.errors, exact.repeats) == (6, 0, 3)
    half = T_975_2 * 0.25 / math.sqrt(3)  # the repeat means 0.5, 1.0, 0.75 have s = 0.25
    assert exact.low == pytest.approx(0.75 - half) and exact.high == pytest.approx(0.75 + half)
    judge = report.cell("a", "judge")
    assert judge is not None and (judge.mean, judge.count, judge.errors) == (1.0, 5, 1)
    assert (judge.low, judge.high) == (1.0, 1.0)
    only_once = report.cell("b", "exact")
    assert only_once is not None and (only_once.mean, only_once.low, only_once.high, only_once.repeats) == (1.0, None, None, 1)
    assert report.cell("b", "judge") is not None and report.cell("b", "judge").mean is None  # type: ignore[union-attr]
    assert report.cell("c", "exact") is None


def test_variant_summaries_count_ends_and_average_latency_tokens_and_totals() -> None:
    report = build_report(sample(), [Variant("a", "Variant A"), Variant("b")])
    a, b = report.variants
    assert (a.variant_id, a.label, a.runs, a.ends) == ("a", "Variant A", 6, {"done": 6})
    assert a.mean_latency == pytest.approx(2.0) and a.mean_ttft == 0.5 and a.mean_tokens == 10.0
    # run totals (mean of each run's values): repeat 0: 0.5, 1.0; repeat 1: 1.0, 1.0; repeat 2: 0.75, 1.0
    assert a.overall.mean == pytest.approx((0.5 + 1.0 + 1.0 + 1.0 + 0.75 + 1.0) / 6)
    assert a.overall.repeats == 3 and a.overall.errors == 0 and a.overall.low is not None
    assert (b.ends, b.mean_ttft, b.mean_tokens) == ({"error": 1, "interrupted": 1}, None, 5.0)
    assert (b.overall.mean, b.overall.count) == (1.0, 1)  # the run with no scores has no total
    assert report.variant("b") is b


def test_variants_come_in_the_given_order_or_as_the_runs_name_them() -> None:
    runs = sample()
    assert [v.variant_id for v in build_report(runs, [Variant("b"), Variant("a")]).variants] == ["b", "a"]
    named = build_report(runs)
    assert [(v.variant_id, v.label) for v in named.variants] == [("a", "A"), ("b", "B")]
    with_extra = build_report(runs, [Variant("z", "Not run")])
    assert [v.variant_id for v in with_extra.variants] == ["z", "a", "b"]
    assert with_extra.variants[0].runs == 0 and with_extra.variants[0].mean_latency is None


def test_the_report_round_trips_through_json() -> None:
    report = build_report(sample(), confidence=0.9, metadata={"dataset": "demo.jsonl"})
    back = EvalReport.from_json(report.to_json())
    assert back == report
    assert report.to_dict()["scores"][0]["scorer"] == "exact"
    assert back.confidence == 0.9 and back.metadata == {"dataset": "demo.jsonl"}


def test_the_table_shows_means_intervals_and_failures() -> None:
    report = build_report(sample(), [Variant("a", "Variant A"), Variant("b")])
    half = T_975_2 * 0.25 / math.sqrt(3)
    lines = render_table(report).splitlines()
    assert lines[0].split() == ["variant", "runs", "done", "errors", "latency", "exact", "judge", "overall"]
    assert set(lines[1]) <= {"-", " "}
    overall_half = T_975_2 * 0.125 / math.sqrt(3)  # repeat means of the totals: 0.75, 1.0, 0.875
    assert lines[2].split() == [
        "Variant", "A", "6", "6", "0", "2.00s", "0.75", f"±{half:.2f}", "1.00", "±0.00", "(1", "failed)",
        "0.88", f"±{overall_half:.2f}",
    ]
    assert "1.00 ±0.00 (1 failed)" in lines[2]
    assert lines[3].split()[:5] == ["b", "2", "0", "1", "1.00s"] and lines[3].split()[5:] == ["1.00", "-", "1.00"]
    assert lines[-1] == "± is half the 95% t-interval over 3 repeats of 2 case(s)."
    single = render_table(build_report([scored("a", "x", 0, Score("exact", 1.0))]))
    assert single.splitlines()[-1] == "1 case(s), 1 repeat: no intervals (run more repeats)."
    assert single.splitlines()[2].split()[-2:] == ["1.00", "1.00"]
