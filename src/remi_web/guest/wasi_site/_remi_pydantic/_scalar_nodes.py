"""Validators of single values: numbers, text, bytes, UUIDs, dates, None, JSON values and
instances of arbitrary classes."""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _numbers, _temporal, _text
from ._constraints import NO_CONSTRAINTS, Constraints
from ._dump import DumpOptions, dump, json_scalar
from ._node import Node
from ._state import STRICT, Loc, State, fail

if TYPE_CHECKING:
    from ._schema import SchemaWriter

Convert = Callable[[Any, bool, State, Loc], Any]


class ScalarNode(Node):
    """A value converted by one function, then checked against constraints."""

    strictable = True

    def __init__(self, kind: type, convert: Convert, strict: bool,
                 constraints: Constraints = NO_CONSTRAINTS) -> None:
        self.kind = kind
        self.convert = convert
        self.strict = strict
        self.constraints = constraints

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        result = self.convert(value, st.strict_or(self.strict), st, loc)
        limits = self.constraints
        if limits is not NO_CONSTRAINTS:
            self._check(result, value, loc, limits)
        return result

    def _check(self, result: Any, value: Any, loc: Loc, limits: Constraints) -> None:
        kind = self.kind
        if kind is float:
            if not (limits.allow_inf_nan is None or limits.allow_inf_nan) and \
                    (math.isinf(result) or math.isnan(result)):
                raise fail("finite_number", "Input should be a finite number", value, loc)
            limits.check_number(result, value, loc, True)
        elif kind is int:
            limits.check_number(result, value, loc, False)
        elif kind is decimal.Decimal:
            limits.check_number(result, value, loc, False)
        elif kind is str:
            limits.check_length(len(result), value, loc, "String")
            limits.check_pattern(result, value, loc)
        elif kind is bytes:
            limits.check_length(len(result), value, loc, "Data")

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if not isinstance(value, self.kind):
            return dump(value, options)
        if not options.json or self.kind in (int, float, str, bool):
            return value
        return json_scalar(value)

    def fits(self, value: Any, strict: bool) -> bool:
        return type(value) is self.kind if strict else isinstance(value, self.kind)

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        kind, limits = self.kind, self.constraints
        if kind is int:
            return limits.number_schema({"type": "integer"})
        if kind is float:
            return limits.number_schema({"type": "number"})
        if kind is bool:
            return {"type": "boolean"}
        if kind is str:
            out = limits.length_schema({"type": "string"}, "Length")
            if limits.pattern is not None:
                out["pattern"] = limits.pattern
            return out
        if kind is bytes:
            return limits.length_schema({"format": "binary", "type": "string"}, "Length")
        if kind is decimal.Decimal:
            return {"anyOf": [limits.number_schema({"type": "number"}, as_float=True),
                              {"type": "string"}]}
        return dict(_FORMATS[kind])


def _finite_decimal(value: Any, strict: bool, st: State, loc: Loc) -> decimal.Decimal:
    result = _numbers.to_decimal(value, strict, st, loc)
    if not result.is_finite():
        raise fail("finite_number", "Input should be a finite number", value, loc)
    return result


_FORMATS: dict[Any, dict[str, Any]] = {
    datetime.datetime: {"format": "date-time", "type": "string"},
    datetime.date: {"format": "date", "type": "string"},
    uuid.UUID: {"format": "uuid", "type": "string"},
}

CONVERTERS: dict[Any, Convert] = {
    str: _text.to_str, int: _numbers.to_int, float: _numbers.to_float, bool: _numbers.to_bool,
    bytes: _text.to_bytes, decimal.Decimal: _finite_decimal, uuid.UUID: _text.to_uuid,
    datetime.datetime: _temporal.to_datetime, datetime.date: _temporal.to_date,
}
"""The scalar types, each with its conversion."""

NUMBER_TYPES = (int, float, decimal.Decimal)
LENGTH_TYPES = (str, bytes)


class NoneNode(Node):
    """Only None."""

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        if value is None:
            return None
        raise fail("none_required", "Input should be None", value, loc)

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        return {"type": "null"}

    def fits(self, value: Any, strict: bool) -> bool:
        return value is None


class JsonValue:
    """The name JSON values go by in `$defs` (pydantic's `JsonValue`)."""


class JsonValueNode(Node):
    """Any JSON value: None, bools, numbers, strings, lists and str-keyed dicts of them."""

    titled = False

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        _check_json(value, loc)
        if st.json:
            st.floor(STRICT)
        return value

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        return writer.ref(JsonValue, lambda _: {})

    def dump(self, value: Any, options: DumpOptions) -> Any:
        return dump(value, DumpOptions(options.json, options.by_alias, nan_to_null=False))


def _check_json(value: Any, loc: Loc) -> None:
    if value is None or isinstance(value, (str, bool, int, float)):
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, (*loc, index))
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise fail("string_type", "Input should be a valid string", key, loc)
            _check_json(item, (*loc, key))
        return
    raise fail("invalid-json-value", "input was not a valid JSON value", value, loc)


class IsInstanceNode(Node):
    """An arbitrary class (`arbitrary_types_allowed`): instances only; no JSON Schema."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def fits(self, value: Any, strict: bool) -> bool:
        return isinstance(value, self.cls)

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        if isinstance(value, self.cls):
            return value
        name = self.cls.__name__
        raise fail("is_instance_of", f"Input should be an instance of {name}", value, loc,
                   class_=name)

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        from .errors import PydanticUserError

        raise PydanticUserError(f"Cannot generate a JsonSchema for {self.cls!r}")
