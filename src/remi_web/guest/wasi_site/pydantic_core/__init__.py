"""The JSON helpers of `pydantic_core`, in pure Python (a guest-only stand-in)."""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Any


class PydanticSerializationError(ValueError):
    """A value has no JSON form."""


def to_jsonable_python(value: Any, **_: Any) -> Any:
    """`value` as plain JSON-able Python: dataclasses and models become dicts, tuples and
    sets become lists, enums their values."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable_python(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable_python(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return to_jsonable_python(dump())
    if isinstance(value, dict):
        return {_key(k): to_jsonable_python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable_python(item) for item in value]
    if isinstance(value, bytes):
        return value.decode()
    raise PydanticSerializationError(f"Unable to serialize unknown type: {type(value)!r}")


def _key(key: object) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, enum.Enum):
        return str(key.value)
    return str(to_jsonable_python(key))


def to_json(value: Any, **_: Any) -> bytes:
    """`value` as compact UTF-8 JSON bytes."""
    return json.dumps(
        to_jsonable_python(value), ensure_ascii=False, separators=(",", ":")
    ).encode()


def from_json(data: str | bytes | bytearray, **_: Any) -> Any:
    """Parse JSON text (raises `ValueError` when it is not JSON)."""
    return json.loads(data)
