"""`Field` and `FieldInfo`: a field's default, alias, documentation and constraints.

Only the arguments listed in `SUPPORTED` exist here; any other argument of pydantic's
`Field` raises `GuestPydanticUnsupported` where the field is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import GuestPydanticUnsupported


class _Undefined:
    """The default of a required field (`Field(...)` or no default at all)."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "PydanticUndefined"

    def __reduce__(self) -> str:
        return "PydanticUndefined"


PydanticUndefined: Any = _Undefined()

NUMBER_BOUNDS = ("ge", "gt", "le", "lt", "multiple_of")
"""Constraints of numbers (int, float, Decimal)."""

LENGTHS = ("min_length", "max_length")
"""Constraints of lengths (str, bytes, lists, tuples, sets, dicts)."""

CONSTRAINTS = (*NUMBER_BOUNDS, *LENGTHS, "pattern", "allow_inf_nan", "strict")
"""Every constraint a field can carry."""

SUPPORTED = (
    "default", "default_factory", "alias", "title", "description", "examples",
    "json_schema_extra", "discriminator", "frozen", "exclude", "repr", *CONSTRAINTS,
)
"""The arguments of `Field(...)` this stand-in has (each behaves as in pydantic)."""

_SLOTS = tuple(name for name in SUPPORTED if name != "default")


class FieldInfo:
    """What `Field(...)` returns: a field's default and metadata."""

    __slots__ = ("default", *_SLOTS, "_set")

    default: Any
    default_factory: Callable[[], Any] | None
    alias: str | None
    title: str | None
    description: str | None
    examples: list[Any] | None
    json_schema_extra: dict[str, Any] | Callable[[dict[str, Any]], None] | None
    discriminator: str | None
    frozen: bool | None
    exclude: bool | None
    repr: bool | None
    ge: Any
    gt: Any
    le: Any
    lt: Any
    multiple_of: Any
    min_length: int | None
    max_length: int | None
    pattern: str | None
    allow_inf_nan: bool | None
    strict: bool | None
    _set: frozenset[str]

    def __init__(self, default: Any = PydanticUndefined, **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - set(_SLOTS))
        if unknown:
            raise GuestPydanticUnsupported(
                f"Field({unknown[0]}=...)",
                f"Field(...) here takes: {', '.join(SUPPORTED)}.",
            )
        if default is Ellipsis:
            default = PydanticUndefined
        if default is not PydanticUndefined and kwargs.get("default_factory") is not None:
            raise TypeError("cannot specify both default and default_factory")
        self.default = default
        for name in _SLOTS:
            setattr(self, name, kwargs.get(name))
        self._set = frozenset(kwargs) | ({"default"} if default is not PydanticUndefined else set())

    @property
    def is_set(self) -> frozenset[str]:
        """The names of the arguments given explicitly."""
        return self._set

    def is_required(self) -> bool:
        """Whether the field has no default."""
        return self.default is PydanticUndefined and self.default_factory is None

    @property
    def required(self) -> bool:
        """Whether the field has no default (kept for older callers)."""
        return self.is_required()

    def get_default(self, *, call_default_factory: bool = True) -> Any:
        """The field's default value (a fresh one from `default_factory`)."""
        if self.default_factory is not None:
            return self.default_factory() if call_default_factory else None
        return self.default

    def merged(self, other: FieldInfo) -> FieldInfo:
        """This info with `other`'s explicitly given arguments on top."""
        out = FieldInfo.__new__(FieldInfo)
        out.default = other.default if "default" in other._set else self.default
        for name in _SLOTS:
            setattr(out, name, getattr(other if name in other._set else self, name))
        out._set = self._set | other._set
        return out

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in ("default", *_SLOTS)
                          if name in self._set)
        return f"FieldInfo({shown})"


def Field(  # noqa: N802 (pydantic's name)
    default: Any = PydanticUndefined,
    *,
    default_factory: Callable[[], Any] | None = None,
    **kwargs: Any,
) -> Any:
    """A field's default, alias, title, description, examples, discriminator, constraints
    (`ge`, `gt`, `le`, `lt`, `multiple_of`, `min_length`, `max_length`, `pattern`), and
    `strict`, `frozen`, `exclude`, `allow_inf_nan`, `json_schema_extra`."""
    if default_factory is not None:
        kwargs["default_factory"] = default_factory
    return FieldInfo(default, **kwargs)


__all__ = ["CONSTRAINTS", "Field", "FieldInfo", "PydanticUndefined", "SUPPORTED"]
