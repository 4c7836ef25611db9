"""One validation pass: how exact a match is (pydantic's smart unions compare it), the
fields it set, strictness, and whether the input came from JSON text."""

from __future__ import annotations

from typing import Any

Loc = tuple[str | int, ...]

LAX, STRICT, EXACT = 0, 1, 2
"""How closely an input fits a type: converted (lax), allowed in strict mode, or exactly it."""


class Invalid(Exception):
    """Validation failed; `errors` are pydantic-style error dicts (type, loc, msg, input)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def fail(kind: str, msg: str, value: Any, loc: Loc, **ctx: Any) -> Invalid:
    """One error, ready to raise."""
    error: dict[str, Any] = {"type": kind, "loc": loc, "msg": msg, "input": value}
    if ctx:
        error["ctx"] = ctx
    return Invalid([error])


class State:
    """The mutable part of one validation: exactness and fields set (for unions), the
    strictness asked for by the caller (None: each type's own), and JSON input."""

    __slots__ = ("exactness", "fields_set", "strict", "json")

    def __init__(self, strict: bool | None = None, json: bool = False) -> None:
        self.exactness = EXACT
        self.fields_set: int | None = None
        self.strict = strict
        self.json = json

    def floor(self, level: int) -> None:
        """Lower the exactness of the current match to at most `level`."""
        if level < self.exactness:
            self.exactness = level

    def add_fields_set(self, count: int) -> None:
        """Count fields set by a model, dataclass or TypedDict in the current match."""
        self.fields_set = count + (self.fields_set or 0)

    def strict_or(self, default: bool) -> bool:
        """The caller's strictness, else `default` (the type's own)."""
        return default if self.strict is None else self.strict
