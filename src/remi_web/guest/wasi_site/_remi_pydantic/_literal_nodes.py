"""Validators of values from a fixed set: `Literal[...]` and Enum classes."""

from __future__ import annotations

import enum
import inspect
from typing import TYPE_CHECKING, Any

from . import _numbers, _text
from ._dump import DumpOptions, dump, jsonable
from ._node import Node
from ._state import LAX, Loc, State, fail

if TYPE_CHECKING:
    from ._schema import SchemaWriter


def literal_lookup(expected: list[Any], value: Any) -> tuple[bool, Any]:
    """Whether `value` is one of `expected`, and which, by pydantic's rules: a bool matches
    bools, an int ints, a str strs; then any equal hashable value (so `1.0` matches `1`),
    looked up as in a dict built from `expected` (the last of equal values wins)."""
    if isinstance(value, bool):
        for item in expected:
            if isinstance(item, bool) and item is value:
                return True, item
    kind = type(value)
    if kind is int or kind is str:
        for item in reversed(expected):
            if type(item) is kind and item == value:
                return True, item
    try:
        hash(value)
    except TypeError:
        return False, None
    others: dict[Any, Any] = {}
    plain: dict[Any, Any] = {}
    for item in expected:
        if isinstance(item, bool) or type(item) not in (int, str):
            try:
                others[item] = item
            except TypeError:
                continue
        if isinstance(item, bool) or type(item) in (int, str):
            plain[item] = item
    for table in (others, plain):
        if value in table:
            return True, table[value]
    return False, None


class LiteralNode(Node):
    """One of a few values."""

    def __init__(self, expected: list[Any]) -> None:
        self.expected = expected

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        found, result = literal_lookup(self.expected, value)
        if found:
            return result
        raise fail("literal_error", f"Input should be {_or_list(self.expected)}", value, loc,
                   expected=_or_list(self.expected))

    def fits(self, value: Any, strict: bool) -> bool:
        return literal_lookup(self.expected, value)[0]

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if options.json and isinstance(value, enum.Enum):
            return dump(value.value, options)
        return value

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        values = [jsonable(v.value if isinstance(v, enum.Enum) else v) for v in self.expected]
        out: dict[str, Any] = {"const": values[0]} if len(values) == 1 else {"enum": values}
        kinds = {type(v) for v in values}
        kind = _JSON_TYPE.get(kinds.pop()) if len(kinds) == 1 else None
        if kind is not None:
            out["type"] = kind
        return out


_JSON_TYPE = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array",
              type(None): "null"}


def _or_list(values: list[Any]) -> str:
    shown = [repr(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


class EnumNode(Node):
    """A member of an Enum: the member, or (lax) its value."""

    strictable = True

    titled = False

    def __init__(self, cls: type[enum.Enum], strict: bool) -> None:
        self.cls = cls
        self.strict = strict
        self.values = [member.value for member in cls]
        self.base = int if issubclass(cls, int) else str if issubclass(cls, str) else None

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        cls = self.cls
        if type(value) is cls:
            return value
        strict = st.strict_or(self.strict)
        if strict and not st.json:
            raise fail("is_instance_of", f"Input should be an instance of {cls.__name__}", value,
                       loc, class_=cls.__name__)
        st.floor(LAX)
        found, result = self._lookup(value, strict)
        if found:
            return cls(result)
        try:
            return cls(value)
        except Exception:
            expected = _or_list(self.values)
            raise fail("enum", f"Input should be {expected}", value, loc,
                       expected=expected) from None

    def _lookup(self, value: Any, strict: bool) -> tuple[bool, Any]:
        """The member value `value` stands for (pydantic's rules per kind of enum)."""
        convert = _numbers.to_int if self.base is int else _text.to_str if self.base is str \
            else None
        if convert is not None:
            try:
                value = convert(value, strict, State(), ())
            except Exception:
                return False, None
            return literal_lookup(self.values, value)
        found = literal_lookup(self.values, value)
        if found[0] or strict:
            return found
        if isinstance(value, str):
            return literal_lookup([v for v in self.values if type(v) is str], str(value))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                number = _numbers.to_int(value, False, State(), ())
            except Exception:
                return False, None
            return literal_lookup([v for v in self.values if type(v) is int], number)
        return False, None

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        return writer.ref(self.cls, self._definition)

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if not isinstance(value, enum.Enum):
            return dump(value, options)
        return dump(value.value, options) if options.json else value

    def fits(self, value: Any, strict: bool) -> bool:
        return type(value) is self.cls if strict else isinstance(value, self.cls)

    def _definition(self, writer: SchemaWriter) -> dict[str, Any]:
        cls = self.cls
        out: dict[str, Any] = {"title": cls.__name__}
        doc = cls.__doc__
        if doc:
            description = inspect.cleandoc(doc)
            if description != "An enumeration.":
                out["description"] = description
        values = [jsonable(member.value) for member in cls]
        out["enum"] = values
        kinds = {type(v) for v in values}
        if issubclass(cls, str) or kinds == {str}:
            out["type"] = "string"
        elif issubclass(cls, int) or kinds == {int}:
            out["type"] = "integer"
        elif issubclass(cls, float) or kinds == {float}:
            out["type"] = "number"
        elif kinds == {bool}:
            out["type"] = "boolean"
        elif kinds == {list}:
            out["type"] = "array"
        return out
