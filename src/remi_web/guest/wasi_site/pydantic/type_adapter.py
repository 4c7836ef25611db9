"""`TypeAdapter`: validate, dump and describe any type (dataclasses, unions, lists...)."""

from __future__ import annotations

import json
from typing import Any, Generic, TypeVar, cast

import pydantic_core

from ._schema import schema_of
from ._validate import Invalid, validate
from .errors import ValidationError

T = TypeVar("T")


class TypeAdapter(Generic[T]):
    """Validation and JSON for one type.

    Args:
        type: the type, e.g. a dataclass or an annotated union of them.
    """

    __slots__ = ("_type",)

    def __init__(self, type: Any, **_: Any) -> None:  # noqa: A002 (pydantic's name)
        self._type = type

    def validate_python(self, obj: Any, **_: Any) -> T:
        """`obj` checked against the type (dicts become dataclasses)."""
        try:
            return cast(T, validate(self._type, obj))
        except Invalid as error:
            raise ValidationError(_title(self._type), error.errors) from None

    def validate_json(self, data: str | bytes | bytearray, **_: Any) -> T:
        """Parse JSON text, then validate it."""
        try:
            parsed = json.loads(data)
        except ValueError as error:
            raise ValidationError(_title(self._type), [{
                "type": "json_invalid", "loc": (), "msg": f"Invalid JSON: {error}",
                "input": data,
            }]) from None
        return self.validate_python(parsed)

    def dump_python(self, obj: T, **_: Any) -> Any:
        """`obj` as plain Python data (dicts, lists, strings, numbers)."""
        return pydantic_core.to_jsonable_python(obj)

    def dump_json(self, obj: T, **_: Any) -> bytes:
        """`obj` as compact UTF-8 JSON."""
        return pydantic_core.to_json(obj)

    def json_schema(self, **_: Any) -> dict[str, Any]:
        """The JSON Schema of the type."""
        defs: dict[str, Any] = {}
        schema = schema_of(self._type, defs)
        if defs:
            schema["$defs"] = defs
        return schema


def _title(tp: Any) -> str:
    return getattr(tp, "__name__", None) or repr(tp)
