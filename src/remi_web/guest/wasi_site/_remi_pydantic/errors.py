"""The errors: `ValidationError` (bad input), `PydanticUserError` (a bad type or field),
and `GuestPydanticUnsupported` (something real pydantic has and this stand-in has not)."""

from __future__ import annotations

from typing import Any

DOCS = "docs/wasm.md, 'Why a stand-in'"
"""Where the stand-in and its limits are explained."""


class PydanticUserError(TypeError):
    """A type, field or setting that cannot be used (raised where it is defined)."""


class PydanticSchemaGenerationError(PydanticUserError):
    """No validator can be made for a type."""


class GuestPydanticUnsupported(PydanticUserError, ImportError):
    """A pydantic feature the guest's stand-in does not have, raised where it is named or
    defined (an import, a class, a `Field(...)`), never at validation time: a component's
    code either behaves as with real pydantic or fails to build."""

    def __init__(self, feature: str, hint: str = "") -> None:
        self.feature = feature
        message = (
            f"{feature} is not supported by remi-web's guest pydantic stand-in (real "
            f"pydantic-core is a Rust extension that cannot run in a WASI guest; see {DOCS})."
        )
        super().__init__(f"{message} {hint}".strip())


class ValidationError(ValueError):
    """Input that does not fit its type; `errors()` lists each problem with its location."""

    def __init__(self, title: str, errors: list[dict[str, Any]]) -> None:
        self.title = title
        self._errors = errors
        count = len(errors)
        lines = [f"{count} validation error{'' if count == 1 else 's'} for {title}"]
        for error in errors:
            where = ".".join(str(part) for part in error["loc"])
            if where:
                lines.append(where)
            shown = error.get("input")
            lines.append(f"  {error['msg']} [type={error['type']}, input_value={shown!r}, "
                         f"input_type={type(shown).__name__}]")
        super().__init__("\n".join(lines))

    @classmethod
    def from_exception_data(cls, title: str, line_errors: list[dict[str, Any]]) -> ValidationError:
        """A `ValidationError` from error dicts (pydantic-core's constructor)."""
        return cls(title, line_errors)

    def errors(self, *, include_url: bool = True, include_context: bool = True,
               include_input: bool = True) -> list[dict[str, Any]]:
        """Each problem: `type`, `loc`, `msg`, `input` (and `ctx`, `url`)."""
        out: list[dict[str, Any]] = []
        for error in self._errors:
            item = {k: v for k, v in error.items()
                    if (k != "ctx" or include_context) and (k != "input" or include_input)}
            if include_url:
                item["url"] = f"https://errors.pydantic.dev/2/v/{error['type']}"
            out.append(item)
        return out

    def error_count(self) -> int:
        """How many problems were found."""
        return len(self._errors)
