"""`SecretStr` (a string that does not show itself) and `JsonValue` (any JSON value)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._dump import DumpOptions
from ._node import Node
from ._state import Loc, State
from ._text import to_str

if TYPE_CHECKING:
    from ._schema import SchemaWriter


class JsonValue:
    """Any JSON value: None, bools, numbers, strings, lists and str-keyed dicts of them."""

    __json_value__ = True


class SecretStr:
    """A secret string; `get_secret_value()` gives it, `str`/`repr` never do."""

    __slots__ = ("_secret_value",)

    def __init__(self, secret_value: str) -> None:
        self._secret_value = secret_value

    def get_secret_value(self) -> str:
        """The secret."""
        return self._secret_value

    def __repr__(self) -> str:
        return f"SecretStr('{self}')"

    def __str__(self) -> str:
        return "**********" if self._secret_value else ""

    def __len__(self) -> int:
        return len(self._secret_value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._secret_value == self._secret_value

    def __hash__(self) -> int:
        return hash(self._secret_value)

    @classmethod
    def __remi_node__(cls, strict: bool) -> Node:
        return _SecretNode(strict)


class _SecretNode(Node):

    strictable = True
    def __init__(self, strict: bool) -> None:
        self.strict = strict

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        if isinstance(value, SecretStr):
            return value
        return SecretStr(to_str(value, st.strict_or(self.strict), st, loc))

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        return {"format": "password", "type": "string", "writeOnly": True}

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if options.json and isinstance(value, SecretStr):
            return str(value)
        return value

    def fits(self, value: Any, strict: bool) -> bool:
        return isinstance(value, SecretStr)
