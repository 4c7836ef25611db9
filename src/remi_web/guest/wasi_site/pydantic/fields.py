"""`Field` and `FieldInfo`: defaults, aliases, descriptions, discriminators and number or
length constraints (the subset of pydantic's that remi-web's guests use)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PydanticUndefined: Any = Ellipsis
"""The default of a required field (pydantic writes it `...`)."""

CONSTRAINTS = ("ge", "gt", "le", "lt", "min_length", "max_length")
"""The constraints this stand-in checks and puts in JSON Schema."""


class FieldInfo:
    """What `Field(...)` returns: a field's default and metadata."""

    __slots__ = (
        "default", "default_factory", "alias", "description", "discriminator", "title",
        "examples", "ge", "gt", "le", "lt", "min_length", "max_length", "json_schema_extra",
    )

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        default_factory: Callable[[], Any] | None = None,
        alias: str | None = None,
        description: str | None = None,
        discriminator: str | None = None,
        title: str | None = None,
        examples: list[Any] | None = None,
        ge: float | None = None,
        gt: float | None = None,
        le: float | None = None,
        lt: float | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        json_schema_extra: dict[str, Any] | Callable[[dict[str, Any]], None] | None = None,
        **unsupported: Any,
    ) -> None:
        if unsupported:
            from .errors import PydanticUserError

            names = ", ".join(sorted(unsupported))
            raise PydanticUserError(
                f"Field({names}=...) is not supported inside a WebAssembly component "
                f"(the guest's pydantic stand-in knows default, alias, description, "
                f"discriminator, examples, json_schema_extra and {', '.join(CONSTRAINTS)})."
            )
        self.default = default
        self.default_factory = default_factory
        self.alias = alias
        self.description = description
        self.discriminator = discriminator
        self.title = title
        self.examples = examples
        self.ge, self.gt, self.le, self.lt = ge, gt, le, lt
        self.min_length, self.max_length = min_length, max_length
        self.json_schema_extra = json_schema_extra

    @property
    def required(self) -> bool:
        """Whether the field has no default."""
        return self.default is PydanticUndefined and self.default_factory is None

    def get_default(self) -> Any:
        """The field's default value (a fresh one from `default_factory`)."""
        if self.default_factory is not None:
            return self.default_factory()
        return self.default

    def merged(self, other: FieldInfo) -> FieldInfo:
        """This info with `other`'s non-empty settings on top."""
        out = FieldInfo.__new__(FieldInfo)
        for name in FieldInfo.__slots__:
            mine, theirs = getattr(self, name), getattr(other, name)
            keep_mine = theirs is None or (name == "default" and theirs is PydanticUndefined)
            setattr(out, name, mine if keep_mine else theirs)
        return out


def Field(default: Any = PydanticUndefined, **kwargs: Any) -> Any:  # noqa: N802 (pydantic's name)
    """Describe a field: default, alias, description, discriminator, constraints."""
    return FieldInfo(default, **kwargs)


__all__ = ["CONSTRAINTS", "Field", "FieldInfo", "PydanticUndefined"]
