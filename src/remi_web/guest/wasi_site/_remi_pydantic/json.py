"""The JSON helpers of `pydantic_core`: `to_json`, `to_jsonable_python`, `from_json`."""

from __future__ import annotations

import json as _json
from typing import Any

from ._dump import DumpOptions, PydanticSerializationError, dump, to_json_text
from .partial_json import parse_partial


def to_jsonable_python(value: Any, *, by_alias: bool = True, exclude_none: bool = False,
                       **_: Any) -> Any:
    """`value` as plain JSON-able Python: models and dataclasses become dicts, tuples and
    sets lists, enums their values, dates ISO text."""
    return dump(value, DumpOptions(True, by_alias, exclude_none, nan_to_null=False))


def to_json(value: Any, *, indent: int | None = None, by_alias: bool = True,
            exclude_none: bool = False, **_: Any) -> bytes:
    """`value` as compact UTF-8 JSON bytes."""
    options = DumpOptions(True, by_alias, exclude_none, nan_to_null=False)
    return to_json_text(dump(value, options), indent).encode()


def from_json(data: str | bytes | bytearray, *, allow_inf_nan: bool = True,
              cache_strings: Any = True, allow_partial: bool | str = False) -> Any:
    """Parse JSON text (raises `ValueError` when it is not JSON). With `allow_partial` (True,
    "on" or "trailing-strings"), text cut short is read as far as it goes."""
    if allow_partial in (False, "off"):
        return _json.loads(data)
    if allow_partial not in (True, "on", "trailing-strings"):
        raise ValueError(f"Invalid partial mode {allow_partial!r}")
    text = data.decode() if isinstance(data, (bytes, bytearray)) else data
    return parse_partial(text, allow_partial == "trailing-strings")


__all__ = ["PydanticSerializationError", "from_json", "to_json", "to_jsonable_python"]
