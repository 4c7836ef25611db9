"""Constraints of a field (`ge`, `gt`, `le`, `lt`, `multiple_of`, lengths, `pattern`): how
they are checked and how they show in JSON Schema."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import _numbers
from ._state import Loc, fail


class Constraints:
    """A field's bounds (`ge`, `gt`, `le`, `lt`, `multiple_of`), lengths and pattern."""

    __slots__ = ("ge", "gt", "le", "lt", "multiple_of", "min_length", "max_length", "pattern",
                 "allow_inf_nan", "_regex")

    ge: Any
    gt: Any
    le: Any
    lt: Any
    multiple_of: Any
    min_length: int | None
    max_length: int | None
    pattern: str | None
    allow_inf_nan: bool | None

    def __init__(self, **given: Any) -> None:
        for name in self.__slots__[:-1]:
            setattr(self, name, given.get(name))
        self._regex = re.compile(_rust_dollar(self.pattern)) if self.pattern is not None else None

    def any(self) -> bool:
        """Whether any constraint is set."""
        return any(getattr(self, name) is not None for name in self.__slots__[:-1])

    def check_number(self, number: Any, value: Any, loc: Loc, is_float: bool) -> None:
        """Raise if `number` is out of bounds or no multiple of `multiple_of`."""
        step = self.multiple_of
        if step is not None:
            if is_float:
                bad = abs(number - _numbers.rust_round(number / step) * step) > 1e-9
            else:
                bad = number % step != 0
            if bad:
                raise fail("multiple_of", f"Input should be a multiple of {step}", value, loc,
                           multiple_of=step)
        for name, kind, words in _BOUNDS:
            bound = getattr(self, name)
            if bound is not None and not _OPS[name](number, bound):
                raise fail(kind, f"Input should be {words} {bound}", value, loc, **{name: bound})

    def check_length(self, size: int, value: Any, loc: Loc, what: str) -> None:
        """Raise if `size` is out of `min_length`/`max_length`."""
        kind, unit = _LENGTH_WORDS[what]
        low, high = self.min_length, self.max_length
        if low is not None and size < low:
            raise fail(f"{kind}_too_short", f"{what} should have at least {low} "
                       f"{unit}{'' if low == 1 else 's'}", value, loc, min_length=low)
        if high is not None and size > high:
            raise fail(f"{kind}_too_long", f"{what} should have at most {high} "
                       f"{unit}{'' if high == 1 else 's'}", value, loc, max_length=high)

    def check_pattern(self, text: str, value: Any, loc: Loc) -> None:
        """Raise if `text` does not match `pattern` (searched anywhere, as Rust's regex)."""
        if self._regex is not None and self._regex.search(text) is None:
            raise fail("string_pattern_mismatch", f"String should match pattern '{self.pattern}'",
                       value, loc, pattern=self.pattern)

    def number_schema(self, out: dict[str, Any], as_float: bool = False) -> dict[str, Any]:
        """`out` with the JSON Schema keywords of the bounds."""
        for name, keyword in _BOUND_KEYWORDS:
            bound = getattr(self, name)
            if bound is not None:
                out[keyword] = float(bound) if as_float else bound
        return out

    def length_schema(self, out: dict[str, Any], prefix: str) -> dict[str, Any]:
        """`out` with `min<prefix>`/`max<prefix>` (Length, Items, Properties)."""
        if self.min_length is not None:
            out[f"min{prefix}"] = self.min_length
        if self.max_length is not None:
            out[f"max{prefix}"] = self.max_length
        return out


def _rust_dollar(pattern: str) -> str:
    """`pattern` with `$` meaning the end of the text only, as in Rust's regex."""
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return "".join(out)


_BOUNDS = (("le", "less_than_equal", "less than or equal to"),
           ("lt", "less_than", "less than"),
           ("ge", "greater_than_equal", "greater than or equal to"),
           ("gt", "greater_than", "greater than"))
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "le": lambda a, b: a <= b, "lt": lambda a, b: a < b,
    "ge": lambda a, b: a >= b, "gt": lambda a, b: a > b,
}
_BOUND_KEYWORDS = (("multiple_of", "multipleOf"), ("ge", "minimum"), ("gt", "exclusiveMinimum"),
                   ("le", "maximum"), ("lt", "exclusiveMaximum"))
_LENGTH_WORDS = {"String": ("string", "character"), "Data": ("bytes", "byte"),
                 "List": ("too", "item"), "Tuple": ("too", "item"), "Set": ("too", "item"),
                 "Dictionary": ("too", "item")}
NO_CONSTRAINTS = Constraints()
