"""Text scorers: exact match, contains, regular expression, on the run's final answer.

Each compares with its own expectation when given one, else with the case's `expected`
(and does not apply to a case that expects nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dataset import EvalCase
from .expected import expected_texts, shown
from .run_result import RunResult
from .scorer import Score


@dataclass(frozen=True, slots=True)
class ExactMatch:
    """1 when the answer equals the expected text (one of them, for a list), else 0.

    Args:
        expected: the text(s) to match (default: the case's `expected`).
        name: the score's name.
        ignore_case: compare case-insensitively.
        strip: ignore leading and trailing white space.
    """

    expected: str | list[str] | None = None
    name: str = "exact"
    ignore_case: bool = False
    strip: bool = True

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """Whether the answer is one of the expected texts."""
        wanted = expected_texts(self.expected, case.expected)
        if wanted is None:
            return []
        answer = self._norm(run.final_text)
        for text in wanted:
            if self._norm(text) == answer:
                return [Score.check(self.name, True, f"the answer is {shown(text)}")]
        options = " or ".join(shown(t) for t in wanted)
        return [Score.check(self.name, False, f"expected {options}, got {shown(run.final_text)}")]

    def _norm(self, text: str) -> str:
        text = text.strip() if self.strip else text
        return text.casefold() if self.ignore_case else text


@dataclass(frozen=True, slots=True)
class Contains:
    """The share of the expected texts the answer contains (1: all of them).

    Args:
        expected: the text(s) to find (default: the case's `expected`).
        name: the score's name.
        ignore_case: search case-insensitively.
    """

    expected: str | list[str] | None = None
    name: str = "contains"
    ignore_case: bool = False

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """How many of the expected texts occur in the answer."""
        wanted = expected_texts(self.expected, case.expected)
        if wanted is None:
            return []
        answer = run.final_text.casefold() if self.ignore_case else run.final_text
        missing = [t for t in wanted if (t.casefold() if self.ignore_case else t) not in answer]
        found = len(wanted) - len(missing)
        if not missing:
            return [Score(self.name, 1.0, f"contains {', '.join(shown(t) for t in wanted)}")]
        return [Score(
            self.name, found / len(wanted),
            f"missing {', '.join(shown(t) for t in missing)} in {shown(run.final_text)}",
        )]


@dataclass(frozen=True, slots=True)
class RegexMatch:
    """1 when the regular expression matches somewhere in the answer (`re.search`), else 0.

    Args:
        pattern: the expression (default: the case's `expected`, a string).
        name: the score's name.
        ignore_case: match case-insensitively.
    """

    pattern: str | None = None
    name: str = "regex"
    ignore_case: bool = False

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """Whether the pattern occurs in the answer."""
        wanted = expected_texts(self.pattern, case.expected)
        if wanted is None:
            return []
        try:
            compiled = re.compile(wanted[0], re.IGNORECASE if self.ignore_case else 0)
        except re.error as error:
            raise ValueError(f"{wanted[0]!r} is not a regular expression: {error}") from None
        found = compiled.search(run.final_text)
        if found is None:
            missing = f"/{wanted[0]}/ not found in {shown(run.final_text)}"
            return [Score.check(self.name, False, missing)]
        return [Score.check(self.name, True, f"/{wanted[0]}/ matched {shown(found.group(0))}")]
