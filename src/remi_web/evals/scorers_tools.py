"""`ToolCalled`: did the run call a tool, how often, and with which arguments?"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from ..core.schema_types import JsonValue
from .dataset import EvalCase
from .run_result import RunResult, ToolCallRecord
from .scorer import Score

ArgumentCheck: TypeAlias = "JsonValue | Callable[[JsonValue], bool]"
"""An argument's expected value, or a test of it."""


@dataclass(frozen=True, slots=True)
class ToolCalled:
    """1 when the run called `tool` between `min_times` and `max_times` times with matching
    arguments, else 0. `ToolCalled(tool, max_times=0)` asserts the tool was not called.

    Args:
        tool: the tool's name.
        args: argument name to its expected value (or a test of it); other arguments may
            be anything. None: any arguments.
        min_times: the fewest matching calls (default 1; 0 with `max_times=0`).
        max_times: the most matching calls (None: no most).
        name: the score's name (default `tool:<tool>`).
    """

    tool: str
    args: Mapping[str, ArgumentCheck] | None = None
    min_times: int | None = None
    max_times: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.min_times is None:
            object.__setattr__(self, "min_times", 0 if self.max_times == 0 else 1)
        if self.least < 0 or (self.max_times is not None and self.max_times < self.least):
            raise ValueError(
                f"ToolCalled({self.tool!r}): need 0 <= min_times <= max_times, got "
                f"{self.min_times} and {self.max_times}."
            )
        if not self.name:
            object.__setattr__(self, "name", f"tool:{self.tool}")

    @property
    def least(self) -> int:
        """The fewest matching calls that pass."""
        return self.min_times if self.min_times is not None else 1

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """Whether the tool was called as asserted."""
        calls = [call for call in run.tool_calls if call.name == self.tool]
        matching = [call for call in calls if self._matches(call)]
        count = len(matching)
        passed = count >= self.least and (self.max_times is None or count <= self.max_times)
        least = self.least
        bound = f"{least}+" if self.max_times is None else (
            str(least) if least == self.max_times else f"{least}-{self.max_times}"
        )
        what = "with matching arguments " if self.args is not None else ""
        rationale = f"{self.tool} called {count} time(s) {what}(wanted {bound})"
        if self.args is not None and len(calls) > count:
            rationale += f"; {len(calls) - count} call(s) with other arguments"
        return [Score.check(self.name, passed, rationale)]

    def _matches(self, call: ToolCallRecord) -> bool:
        if self.args is None:
            return True
        given = call.parsed_arguments()
        if given is None:
            return False
        for key, want in self.args.items():
            if key not in given:
                return False
            if callable(want):
                if not want(given[key]):
                    return False
            elif given[key] != want:
                return False
        return True
