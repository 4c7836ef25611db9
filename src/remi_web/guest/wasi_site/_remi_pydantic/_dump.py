"""Dumping validated values: to plain Python (`mode="python"`), to JSON-able Python
(`mode="json"`) and to JSON text, the way pydantic serializes them."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import math
import uuid
from typing import Any


class PydanticSerializationError(ValueError):
    """A value has no JSON form."""


class DumpOptions:
    """How to dump: JSON-able or not, keys by alias, fields left out."""

    __slots__ = ("json", "by_alias", "exclude_none", "exclude_unset", "exclude_defaults",
                 "nan_to_null")

    def __init__(self, json: bool = False, by_alias: bool = False, exclude_none: bool = False,
                 exclude_unset: bool = False, exclude_defaults: bool = False,
                 nan_to_null: bool = True) -> None:
        self.json = json
        self.by_alias = by_alias
        self.exclude_none = exclude_none
        self.exclude_unset = exclude_unset
        self.exclude_defaults = exclude_defaults
        self.nan_to_null = nan_to_null


def dump(value: Any, options: DumpOptions) -> Any:
    """`value` as pydantic dumps a value of unknown type (inferred from the value): models,
    dataclasses become dicts; with `options.json` also enums their values, dates ISO text,
    sets and tuples lists, and (with `nan_to_null`) infinite and NaN floats None."""
    kind = type(value)
    if kind is float:
        if options.json and options.nan_to_null and (math.isinf(value) or math.isnan(value)):
            return None
        return value
    if value is None or kind is str or kind is int or kind is bool:
        return value
    fields = getattr(kind, "__remi_dump__", None)
    if fields is not None:
        return fields(value, options)
    if isinstance(value, enum.Enum):
        return dump(value.value, options) if options.json else value
    if isinstance(value, (str, int, float)):
        return value
    if isinstance(value, dict):
        return {_key(k, options): dump(v, options) for k, v in value.items()}
    if isinstance(value, list):
        return [dump(item, options) for item in value]
    if isinstance(value, tuple):
        items = [dump(item, options) for item in value]
        return items if options.json else tuple(items)
    if isinstance(value, (set, frozenset)):
        items = [dump(item, options) for item in value]
        return items if options.json else kind(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass(value, options)
    if not options.json:
        return value
    return json_scalar(value)


def json_scalar(value: Any) -> Any:
    """The JSON form of a date, datetime, UUID, Decimal, bytes or secret."""
    kind = type(value)
    if isinstance(value, datetime.datetime):
        return iso_datetime(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError:
            raise PydanticSerializationError("Error serializing to JSON: invalid utf-8 sequence "
                                             "found in bytes") from None
    secret = getattr(value, "get_secret_value", None)
    if callable(secret):
        return "**********" if secret() else ""
    raise PydanticSerializationError(f"Unable to serialize unknown type: {kind!r}")


def _key(key: Any, options: DumpOptions) -> Any:
    if not options.json or isinstance(key, str):
        return key
    if isinstance(key, enum.Enum):
        key = key.value
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "None"
    out = dump(key, options)
    return out if isinstance(out, str) else json.dumps(out)


def _dataclass(value: Any, options: DumpOptions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        if options.exclude_none and item is None:
            continue
        out[field.name] = dump(item, options)
    return out


def iso_datetime(value: datetime.datetime) -> str:
    """ISO 8601 text of a datetime, `Z` for UTC (as pydantic writes it)."""
    text = value.isoformat()
    offset = value.utcoffset()
    if offset is not None and offset == datetime.timedelta(0):
        return text[:-6] + "Z"
    return text


def jsonable(value: Any, *, by_alias: bool = True) -> Any:
    """`value` as JSON-able Python (floats may stay infinite or NaN)."""
    return dump(value, DumpOptions(json=True, by_alias=by_alias))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def to_json_text(data: Any, indent: int | None = None) -> str:
    """Dumped `data` as compact JSON text (infinite and NaN floats as `null`)."""
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=indent,
                          separators=(",", ":") if indent is None else None)
    except ValueError:
        return json.dumps(_finite(data), ensure_ascii=False, indent=indent,
                          separators=(",", ":") if indent is None else None)
