"""`ValidationError` and `PydanticUserError`, as pydantic reports them."""

from __future__ import annotations

from typing import Any


class PydanticUserError(TypeError):
    """A type or field the stand-in cannot handle (raised when a model is defined)."""


class ValidationError(ValueError):
    """Input that does not fit its type; `errors()` lists each problem with its location."""

    def __init__(self, title: str, errors: list[dict[str, Any]]) -> None:
        self.title = title
        self._errors = errors
        lines = [f"{len(errors)} validation error(s) for {title}"]
        for error in errors:
            where = ".".join(str(part) for part in error["loc"]) or "value"
            lines.append(f"{where}\n  {error['msg']} [type={error['type']}]")
        super().__init__("\n".join(lines))

    def errors(self, *, include_url: bool = True, **_: Any) -> list[dict[str, Any]]:
        """Each problem: `type`, `loc`, `msg` and `input`."""
        return [dict(error) for error in self._errors]

    def error_count(self) -> int:
        """How many problems were found."""
        return len(self._errors)
