"""The validator of one type, made once when a model, dataclass or adapter is defined:
`validate` checks and converts input, `schema` writes its JSON Schema (pydantic's shape)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._dump import DumpOptions, dump
from ._state import STRICT, Loc, State

if TYPE_CHECKING:
    from ._schema import SchemaWriter


class Node:
    """A compiled validator. `titled` says whether a field of this type gets a title from
    its name in JSON Schema (not for types that have their own, named in `$defs`)."""


    titled = True
    strict = False
    strictable = False
    """Whether `Field(strict=...)` can be put on this type (it then sets `strict`)."""

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        """`value` checked and converted; raises `Invalid`."""
        raise NotImplementedError

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        """The JSON Schema of valid input."""
        raise NotImplementedError

    def dump(self, value: Any, options: DumpOptions) -> Any:
        """A valid value as pydantic dumps one of this type (by default, inferred from it)."""
        return dump(value, options)

    def fits(self, value: Any, strict: bool) -> bool:
        """Whether `value` is of this type (how a union picks the member that dumps it)."""
        return True


class AnyNode(Node):
    """Anything, unchanged (in a smart union, a strict match: an exact one beats it)."""

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        st.floor(STRICT)
        return value

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        return {}
