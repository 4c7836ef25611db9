"""JSON Schema of a type, shaped like pydantic's (titles, `$defs` and `$ref` included)."""

from __future__ import annotations

import dataclasses
import enum
import inspect
from typing import Any, get_args, get_origin

import pydantic_core

from ._typing import (
    NONE_TYPE,
    hints,
    is_dataclass_type,
    is_json_value,
    is_literal,
    is_model,
    is_union,
    unwrap,
)
from .errors import PydanticUserError
from .fields import FieldInfo, PydanticUndefined

_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}
_JSON_KINDS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def title_of(name: str) -> str:
    """pydantic's title for a field name: words capitalised, underscores as spaces."""
    return " ".join(part.capitalize() for part in name.split("_") if part) or name


def schema_of(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of `tp`; named types go into `defs` and are referenced."""
    tp, info = unwrap(tp)
    schema = _schema(tp, defs)
    if info is not None:
        schema.update(constraints(info, tp))
        extras(info, schema)
    return schema


def extras(info: FieldInfo, schema: dict[str, Any]) -> None:
    """Apply a field's `examples` and `json_schema_extra` to its schema."""
    if info.examples is not None:
        schema["examples"] = list(info.examples)
    extra = info.json_schema_extra
    if isinstance(extra, dict):
        schema.update(extra)
    elif extra is not None:
        extra(schema)


def constraints(info: FieldInfo, tp: Any) -> dict[str, Any]:
    """The JSON Schema keywords of a field's constraints."""
    out: dict[str, Any] = {}
    for name, keyword in (("ge", "minimum"), ("gt", "exclusiveMinimum"),
                          ("le", "maximum"), ("lt", "exclusiveMaximum")):
        if getattr(info, name) is not None:
            out[keyword] = getattr(info, name)
    text = tp is str
    if info.min_length is not None:
        out["minLength" if text else "minItems"] = info.min_length
    if info.max_length is not None:
        out["maxLength" if text else "maxItems"] = info.max_length
    return out


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Any or tp is object or is_json_value(tp):
        return {}
    if tp is None or tp is NONE_TYPE:
        return {"type": "null"}
    if tp in _SCALARS:
        return {"type": _SCALARS[tp]}
    if is_union(tp):
        return {"anyOf": [schema_of(member, defs) for member in get_args(tp)]}
    if is_literal(tp):
        values = list(get_args(tp))
        kinds = {_JSON_KINDS.get(type(v)) for v in values}
        out: dict[str, Any] = {"const": values[0]} if len(values) == 1 else {"enum": values}
        if len(kinds) == 1 and None not in kinds:
            out["type"] = kinds.pop()
        return out
    origin = get_origin(tp) or tp
    args = get_args(tp)
    if origin in (list, set, frozenset) or (origin is tuple and args[-1:] == (Ellipsis,)):
        items = schema_of(args[0], defs) if args else {}
        out = {"items": items, "type": "array"}
        if origin in (set, frozenset):
            out["uniqueItems"] = True
        return out
    if origin is tuple:
        return {"maxItems": len(args), "minItems": len(args),
                "prefixItems": [schema_of(a, defs) for a in args], "type": "array"}
    if origin is dict:
        value_tp = args[1] if len(args) == 2 else Any
        extra: Any = schema_of(value_tp, defs)
        return {"additionalProperties": extra if extra else True, "type": "object"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        values = [member.value for member in tp]
        entry: dict[str, Any] = {"enum": values, "title": tp.__name__}
        kinds = {_JSON_KINDS.get(type(v)) for v in values}
        if len(kinds) == 1 and None not in kinds:
            entry["type"] = kinds.pop()
        return _ref(tp.__name__, _described(tp, entry), defs)
    if is_model(tp):
        return _ref(tp.__name__, _described(tp, tp.__pydantic_object_schema__(defs)), defs)
    if is_dataclass_type(tp):
        return _ref(tp.__name__, _described(tp, _dataclass_schema(tp, defs)), defs)
    raise PydanticUserError(
        f"Cannot generate a JSON schema for {tp!r} inside a WebAssembly component; use "
        "str, int, float, bool, lists, dicts, Literal, Enum, dataclasses or models."
    )


def _ref(name: str, entry: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    defs[name] = entry
    return {"$ref": f"#/$defs/{name}"}


def description_of(cls: type) -> str | None:
    """A class's own docstring (not an inherited or a dataclass-generated one)."""
    doc = cls.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        return None
    if dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}("):
        return None
    return inspect.cleandoc(doc)


def _described(cls: type, entry: dict[str, Any]) -> dict[str, Any]:
    description = description_of(cls)
    if description:
        entry["description"] = description
    return entry


def object_schema(
    title: str, fields: list[tuple[str, Any, FieldInfo]], defs: dict[str, Any],
    forbid_extra: bool = False,
) -> dict[str, Any]:
    """The schema of an object with `fields` (name, type, info), pydantic-style."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, tp, info in fields:
        prop = schema_of(tp, defs)
        base, inner = unwrap(tp)
        prop.update(constraints(info, base))
        extras(info, prop)
        description = info.description or (inner.description if inner is not None else None)
        if description:
            prop["description"] = description
        prop["title"] = info.title or title_of(name)
        if info.required:
            required.append(name)
        elif info.default_factory is None:
            try:
                prop["default"] = pydantic_core.to_jsonable_python(info.default)
            except ValueError:
                pass
        properties[name] = prop
    out: dict[str, Any] = {}
    if forbid_extra:
        out["additionalProperties"] = False
    out["properties"] = properties
    if required:
        out["required"] = required
    out["title"] = title
    out["type"] = "object"
    return out


def _dataclass_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    types_ = hints(cls)
    fields: list[tuple[str, Any, FieldInfo]] = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        default = PydanticUndefined if field.default is dataclasses.MISSING else field.default
        factory = None if field.default_factory is dataclasses.MISSING else field.default_factory
        fields.append((field.name, types_[field.name], FieldInfo(default, default_factory=factory)))
    return object_schema(cls.__name__, fields, defs)
