"""`Scorer`: judges one run of a case and returns named scores (0 to 1, higher is better),
each with a rationale. `scorer` turns a function into one."""

from __future__ import annotations

import inspect
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from .dataset import EvalCase
from .run_result import RunResult


@dataclass(frozen=True, slots=True)
class Score:
    """One named score of a run: `value` (usually 0 to 1; None when the scorer failed,
    then `error` says why) and a `rationale`."""

    name: str
    value: float | None
    rationale: str | None = None
    error: str | None = None

    @staticmethod
    def check(name: str, passed: bool, rationale: str | None = None) -> Score:
        """A pass (1.0) or a fail (0.0)."""
        return Score(name, 1.0 if passed else 0.0, rationale)


class Scorer(Protocol):
    """Scores runs. `name` names the scorer (a failing scorer's score carries it)."""

    @property
    def name(self) -> str:
        """The scorer's name."""
        ...

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """The scores of `run` (empty when the scorer does not apply to `case`)."""
        ...


ScoreValue: TypeAlias = "float | bool | Score | Sequence[Score] | None"
"""What a scoring function may return: a number, a pass/fail, a score, scores, or None (it
does not apply)."""

ScoreFunction: TypeAlias = Callable[[EvalCase, RunResult], "ScoreValue | Awaitable[ScoreValue]"]
"""A function scoring a run (sync or async)."""


@dataclass(frozen=True, slots=True)
class FunctionScorer:
    """A `Scorer` made of a function (see `scorer`)."""

    name: str
    function: ScoreFunction

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """The function's scores, named after the scorer when it returns a bare value."""
        value = self.function(case, run)
        if inspect.isawaitable(value):
            value = await value
        return as_scores(self.name, value)


def scorer(name: str) -> Callable[[ScoreFunction], FunctionScorer]:
    """Make a scorer of a function of `(case, run)`:

    ```python
    @scorer("short")
    def short(case: EvalCase, run: RunResult) -> bool:
        return len(run.final_text) < 200
    ```
    """

    def wrap(function: ScoreFunction) -> FunctionScorer:
        return FunctionScorer(name, function)

    return wrap


def as_scores(name: str, value: ScoreValue) -> list[Score]:
    """A scoring function's return value as scores."""
    if value is None:
        return []
    if isinstance(value, Score):
        return [value]
    if isinstance(value, bool):
        return [Score.check(name, value)]
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"Scorer {name!r} returned {value!r}; a score is a finite number.")
        return [Score(name, number)]
    if isinstance(value, Sequence) and all(isinstance(s, Score) for s in value):
        return list(value)
    raise TypeError(
        f"Scorer {name!r} returned {type(value).__name__}; return a number, a bool, a Score, "
        "a list of Scores or None."
    )
