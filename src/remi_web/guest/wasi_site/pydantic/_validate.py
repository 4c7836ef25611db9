"""Validate Python data (parsed JSON) against a type, the way pydantic's lax mode does."""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
from typing import Any, get_args, get_origin

from ._typing import (
    NONE_TYPE,
    hints,
    is_dataclass_type,
    is_json_value,
    is_literal,
    is_model,
    is_union,
    tag_of,
    unwrap,
)
from .fields import FieldInfo

Loc = tuple[str | int, ...]
_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}
_LISTS = (list, collections.abc.Sequence, collections.abc.MutableSequence, collections.abc.Iterable)
_DICTS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


class Invalid(Exception):
    """Validation failed; `errors` are pydantic-style error dicts."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def fail(kind: str, msg: str, value: Any, loc: Loc, **ctx: Any) -> Invalid:
    """One error, ready to raise."""
    error: dict[str, Any] = {"type": kind, "loc": loc, "msg": msg, "input": value}
    if ctx:
        error["ctx"] = ctx
    return Invalid([error])


def validate(tp: Any, value: Any, loc: Loc = ()) -> Any:
    """`value` checked (and lax-converted) to fit `tp`; raises `Invalid`."""
    tp, info = unwrap(tp)
    if info is not None and info.discriminator and is_union(tp):
        result = _discriminated(tp, info.discriminator, value, loc)
    else:
        result = _validate(tp, value, loc)
    if info is not None:
        check_constraints(info, result, loc)
    return result


def _validate(tp: Any, value: Any, loc: Loc) -> Any:
    if tp is Any or tp is object or is_json_value(tp):
        return value
    if tp is None or tp is NONE_TYPE:
        if value is None:
            return None
        raise fail("none_required", "Input should be None", value, loc)
    if is_union(tp):
        return _union(get_args(tp), value, loc)
    if is_literal(tp):
        for allowed in get_args(tp):
            if value == allowed and type(value) is type(allowed):
                return allowed
        expected = " or ".join(repr(a) for a in get_args(tp))
        raise fail("literal_error", f"Input should be {expected}", value, loc)
    origin = get_origin(tp)
    if origin is not None:
        return _generic(origin, get_args(tp), value, loc)
    if tp in _SCALARS:
        return _SCALARS[tp](value, loc)
    if tp in _LISTS or tp is tuple or tp in (set, frozenset):
        return _generic(tp, (), value, loc)
    if tp in _DICTS:
        return _generic(dict, (), value, loc)
    if is_model(tp):
        if isinstance(value, tp):
            return value
        return tp.model_validate(value, _loc=loc)
    if is_dataclass_type(tp):
        return _dataclass(tp, value, loc)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in tp)
            raise fail("enum", f"Input should be {allowed}", value, loc) from None
    if isinstance(tp, type) and isinstance(value, tp):
        return value
    raise fail("is_instance_of", f"Input should be an instance of {tp!r}", value, loc)


def _generic(origin: Any, args: tuple[Any, ...], value: Any, loc: Loc) -> Any:
    if origin in _DICTS:
        if not isinstance(value, dict):
            raise fail("dict_type", "Input should be a valid dictionary", value, loc)
        key_tp, value_tp = args if len(args) == 2 else (Any, Any)
        out: dict[Any, Any] = {}
        errors: list[dict[str, Any]] = []
        for key, item in value.items():
            try:
                out[validate(key_tp, key, (*loc, key))] = validate(value_tp, item, (*loc, key))
            except Invalid as error:
                errors.extend(error.errors)
        if errors:
            raise Invalid(errors)
        return out
    if origin is type:
        if isinstance(value, type):
            return value
        raise fail("is_subclass_of", "Input should be a type", value, loc)
    if not isinstance(value, (list, tuple, set, frozenset)):
        kind = "tuple" if origin is tuple else "set" if origin in (set, frozenset) else "list"
        raise fail(f"{kind}_type", f"Input should be a valid {kind}", value, loc)
    items = list(value)
    if origin is tuple and args and args[-1] is not Ellipsis:
        if len(items) != len(args):
            raise fail("tuple_type", f"Tuple should have {len(args)} items", value, loc)
        item_types = list(args)
    else:
        item_types = [args[0] if args else Any] * len(items)
    results: list[Any] = []
    errors = []
    for index, (item_tp, item) in enumerate(zip(item_types, items, strict=True)):
        try:
            results.append(validate(item_tp, item, (*loc, index)))
        except Invalid as error:
            errors.extend(error.errors)
    if errors:
        raise Invalid(errors)
    if origin is tuple:
        return tuple(results)
    if origin in (set, frozenset):
        return origin(results)
    return results


def _union(members: tuple[Any, ...], value: Any, loc: Loc) -> Any:
    if value is None and NONE_TYPE in members:
        return None
    options = [m for m in members if m is not NONE_TYPE]
    if len(options) > 1 and all(tag_of(unwrap(m)[0], "type") for m in options):
        return _pick(options, "type", value, loc)
    exact = [m for m in options if _exact(m, value)]
    errors: list[dict[str, Any]] = []
    for member in [*exact, *(m for m in options if m not in exact)]:
        try:
            return validate(member, value, loc)
        except Invalid as error:
            errors.extend(error.errors)
    if NONE_TYPE in members:
        errors.append({"type": "none_required", "loc": loc, "msg": "Input should be None",
                       "input": value})
    raise Invalid(errors)


def _exact(tp: Any, value: Any) -> bool:
    """Whether `value` already is of `tp` (pydantic's smart unions try those first)."""
    base = unwrap(tp)[0]
    origin = get_origin(base) or base
    if origin is bool or origin is int or origin is float:
        return type(value) is origin
    return isinstance(origin, type) and isinstance(value, origin)


def _discriminated(union: Any, key: str, value: Any, loc: Loc) -> Any:
    return _pick([m for m in get_args(union) if m is not NONE_TYPE], key, value, loc)


def _pick(members: list[Any], key: str, value: Any, loc: Loc) -> Any:
    by_tag: dict[str, Any] = {}
    for member in members:
        cls = unwrap(member)[0]
        tag = tag_of(cls, key)
        if tag is not None:
            by_tag[tag] = member
        if isinstance(cls, type) and isinstance(value, cls):
            return value
    if not isinstance(value, dict):
        raise fail("model_attributes_type", "Input should be a valid dictionary or object",
                   value, loc)
    tag = value.get(key)
    member = by_tag.get(tag) if isinstance(tag, str) else None
    if member is None:
        expected = ", ".join(repr(t) for t in by_tag)
        if tag is None:
            raise fail("union_tag_not_found",
                       f"Unable to extract tag using discriminator {key!r}", value, loc)
        raise fail("union_tag_invalid", f"Input tag {tag!r} found using {key!r} does not "
                   f"match any of the expected tags: {expected}", value, loc)
    return validate(member, value, (*loc, str(tag)))


def _dataclass(cls: type, value: Any, loc: Loc) -> Any:
    if isinstance(value, cls):
        return value
    if not isinstance(value, dict):
        raise fail("dataclass_type", f"Input should be a dictionary or an instance of "
                   f"{cls.__name__}", value, loc)
    types_ = hints(cls)
    kwargs: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        if field.name in value:
            try:
                kwargs[field.name] = validate(types_[field.name], value[field.name],
                                              (*loc, field.name))
            except Invalid as error:
                errors.extend(error.errors)
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            errors.append({"type": "missing", "loc": (*loc, field.name),
                           "msg": "Field required", "input": value})
    if errors:
        raise Invalid(errors)
    return cls(**kwargs)


def check_constraints(info: FieldInfo, value: Any, loc: Loc) -> None:
    """Check `ge`, `gt`, `le`, `lt`, `min_length` and `max_length` on a valid value."""
    if value is None:
        return
    for name, kind, words in _BOUNDS:
        bound = getattr(info, name)
        if bound is None or not isinstance(value, (int, float)):
            continue
        ok = {"ge": value >= bound, "gt": value > bound,
              "le": value <= bound, "lt": value < bound}[name]
        if not ok:
            raise fail(kind, f"Input should be {words} {bound}", value, loc, **{name: bound})
    if isinstance(value, (str, list, tuple, dict, set)):
        what = "characters" if isinstance(value, str) else "items"
        if info.min_length is not None and len(value) < info.min_length:
            raise fail("too_short", f"Value should have at least {info.min_length} {what}",
                       value, loc, min_length=info.min_length)
        if info.max_length is not None and len(value) > info.max_length:
            raise fail("too_long", f"Value should have at most {info.max_length} {what}",
                       value, loc, max_length=info.max_length)


def _str(value: Any, loc: Loc) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode()
    raise fail("string_type", "Input should be a valid string", value, loc)


def _int(value: Any, loc: Loc) -> int:
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise fail("int_from_float", "Input should be a valid integer, got a number with a "
                   "fractional part", value, loc)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise fail("int_parsing", "Input should be a valid integer, unable to parse "
                       "string as an integer", value, loc) from None
    raise fail("int_type", "Input should be a valid integer", value, loc)


def _float(value: Any, loc: Loc) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise fail("float_parsing", "Input should be a valid number, unable to parse "
                       "string as a number", value, loc) from None
    raise fail("float_type", "Input should be a valid number", value, loc)


def _bool(value: Any, loc: Loc) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise fail("bool_parsing", "Input should be a valid boolean, unable to interpret input",
               value, loc)


_SCALARS: dict[Any, Any] = {str: _str, int: _int, float: _float, bool: _bool}
_BOUNDS = (("ge", "greater_than_equal", "greater than or equal to"),
           ("gt", "greater_than", "greater than"),
           ("le", "less_than_equal", "less than or equal to"),
           ("lt", "less_than", "less than"))
