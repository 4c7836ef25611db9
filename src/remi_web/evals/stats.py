"""Means and Student-t confidence intervals (what a report shows per variant and scorer)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .student_t import t_quantile

DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean and its confidence interval (`low`, `high`: None with fewer than 2 values)."""

    mean: float
    low: float | None
    high: float | None
    n: int
    confidence: float = DEFAULT_CONFIDENCE

    @property
    def half_width(self) -> float | None:
        """Half the interval's width (None without an interval)."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2.0


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean (None for no values)."""
    return math.fsum(values) / len(values) if values else None


def sample_stdev(values: Sequence[float]) -> float | None:
    """The sample standard deviation (n - 1 in the denominator; None below 2 values)."""
    center = mean(values)
    if center is None or len(values) < 2:
        return None
    return math.sqrt(math.fsum((v - center) ** 2 for v in values) / (len(values) - 1))


def t_interval(values: Sequence[float], confidence: float = DEFAULT_CONFIDENCE) -> Interval | None:
    """The mean of `values` with its two-sided Student-t confidence interval:
    mean +- t(1 - (1 - confidence) / 2, n - 1) * s / sqrt(n). None for no values."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence is between 0 and 1 (e.g. 0.95), not {confidence}.")
    center = mean(values)
    if center is None:
        return None
    spread = sample_stdev(values)
    if spread is None:
        return Interval(center, None, None, len(values), confidence)
    n = len(values)
    half = t_quantile(1.0 - (1.0 - confidence) / 2.0, n - 1) * spread / math.sqrt(n)
    return Interval(center, center - half, center + half, n, confidence)
