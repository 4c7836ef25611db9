"""Means and Student-t intervals computed without scipy, against published table values,
closed forms of the distribution, and the normal limit (the standard library's NormalDist)."""

from __future__ import annotations

import math
from statistics import NormalDist, stdev

import pytest

from remi_web.evals import Interval, mean, sample_stdev, t_cdf, t_interval, t_quantile
from remi_web.evals.student_t import regularized_beta

pytestmark = pytest.mark.pyodide

# Two-sided critical values of Student's t (NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
TABLE = [
    (0.975, 1, 12.706), (0.975, 2, 4.303), (0.975, 4, 2.776), (0.975, 5, 2.571),
    (0.975, 10, 2.228), (0.975, 30, 2.042), (0.95, 30, 1.697), (0.995, 4, 4.604),
    (0.99, 10, 2.764), (0.975, 100, 1.984),
]


@pytest.mark.parametrize(("p", "df", "value"), TABLE)
def test_quantiles_match_the_published_table(p: float, df: int, value: float) -> None:
    assert t_quantile(p, df) == pytest.approx(value, abs=5e-4)
    assert t_quantile(1 - p, df) == pytest.approx(-value, abs=5e-4)  # symmetric


@pytest.mark.parametrize("t", [-30.0, -2.5, -0.3, 0.0, 0.7, 1.5, 12.0])
def test_the_cdf_matches_the_closed_forms_of_one_and_two_degrees_of_freedom(t: float) -> None:
    assert t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, abs=1e-12)  # Cauchy
    assert t_cdf(t, 2) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)), abs=1e-12)


def test_quantiles_invert_the_cdf_and_tend_to_the_normal() -> None:
    for df in (1, 3, 7.5, 40):
        for p in (0.6, 0.9, 0.975, 0.999):
            assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-10)
    assert t_quantile(0.5, 3) == 0.0
    normal = NormalDist().inv_cdf(0.975)
    assert t_quantile(0.975, 1e7) == pytest.approx(normal, abs=1e-5)
    assert t_quantile(0.975, 1000) > normal  # heavier tails than the normal
    with pytest.raises(ValueError, match="between 0 and 1"):
        t_quantile(1.0, 3)
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile(0.9, 0)


@pytest.mark.parametrize("x", [0.0, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0])
def test_the_incomplete_beta_matches_its_closed_forms(x: float) -> None:
    assert regularized_beta(x, 1, 1) == pytest.approx(x, abs=1e-12)
    assert regularized_beta(x, 3.5, 1) == pytest.approx(x**3.5, abs=1e-12)
    assert regularized_beta(x, 1, 2.5) == pytest.approx(1 - (1 - x) ** 2.5, abs=1e-12)
    assert regularized_beta(x, 2, 5) + regularized_beta(1 - x, 5, 2) == pytest.approx(1.0, abs=1e-12)


def test_the_t_interval_of_known_values() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    interval = t_interval(values)
    assert interval is not None
    half = 2.776445105 * math.sqrt(2.5) / math.sqrt(5)  # t(0.975, 4) s / sqrt(n); s^2 = 2.5
    assert (interval.mean, interval.n, interval.confidence) == (3.0, 5, 0.95)
    assert interval.low == pytest.approx(3.0 - half, abs=1e-9)
    assert interval.high == pytest.approx(3.0 + half, abs=1e-9)
    assert interval.half_width == pytest.approx(half, abs=1e-9)
    ninety = t_interval(values, 0.90)
    assert ninety is not None and ninety.half_width == pytest.approx(2.131846786 * math.sqrt(2.5) / math.sqrt(5), abs=1e-9)


def test_means_and_deviations_and_the_edges() -> None:
    assert mean([0.5, 1.0, 0.75]) == 0.75 and mean([]) is None
    assert sample_stdev([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]) == pytest.approx(stdev([2, 4, 4, 4, 5, 5, 7, 9]))
    assert sample_stdev([1.0]) is None
    assert t_interval([]) is None
    assert t_interval([0.4]) == Interval(0.4, None, None, 1)  # one value: a mean, no interval
    same = t_interval([1.0, 1.0, 1.0])
    assert same is not None and (same.low, same.high) == (1.0, 1.0)
    with pytest.raises(ValueError, match="confidence"):
        t_interval([1.0, 2.0], 95)
