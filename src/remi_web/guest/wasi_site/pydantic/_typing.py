"""Reading type hints: Annotated metadata, unions, literals, dataclass and model fields."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from .fields import FieldInfo


class JsonValue:
    """Any JSON value (a marker: values of this type are taken as they are)."""

    __json_value__ = True


def is_json_value(tp: Any) -> bool:
    """Whether `tp` is `JsonValue`: this one, or remi-web's stand-in for pydantic's
    (`remi_web.core.schema_types`), both marked `__json_value__`."""
    return getattr(tp, "__json_value__", False) is True


NONE_TYPE = type(None)
_ALIAS_TYPE: Any = getattr(typing, "TypeAliasType", ())
_hints_cache: dict[type, dict[str, Any]] = {}


def resolve(tp: Any) -> Any:
    """`tp` without `NewType` and `type X = ...` aliases."""
    while True:
        supertype = getattr(tp, "__supertype__", None)
        if supertype is not None:
            tp = supertype
            continue
        if _ALIAS_TYPE and isinstance(tp, _ALIAS_TYPE):
            tp = tp.__value__
            continue
        return tp


def unwrap(tp: Any) -> tuple[Any, FieldInfo | None]:
    """The type inside `Annotated[...]` and the merged `Field(...)` infos attached to it."""
    tp = resolve(tp)
    info: FieldInfo | None = None
    while get_origin(tp) is Annotated:
        base, *metadata = get_args(tp)
        for item in metadata:
            if not isinstance(item, FieldInfo) and isinstance(getattr(item, "discriminator", None), str):
                item = FieldInfo(discriminator=item.discriminator)  # remi-web's `Tagged`
            if isinstance(item, FieldInfo):
                info = item if info is None else info.merged(item)
        tp = resolve(base)
    return tp, info


def is_union(tp: Any) -> bool:
    """Whether `tp` is `X | Y` or `Union[X, Y]` (or `Optional[X]`)."""
    origin = get_origin(tp)
    return origin is Union or origin is types.UnionType


def is_literal(tp: Any) -> bool:
    """Whether `tp` is `Literal[...]`."""
    return get_origin(tp) is Literal


def is_model(tp: Any) -> bool:
    """Whether `tp` is a model class (has `model_validate`)."""
    return isinstance(tp, type) and callable(getattr(tp, "model_validate", None))


def is_dataclass_type(tp: Any) -> bool:
    """Whether `tp` is a dataclass (the class, not an instance)."""
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def hints(cls: type) -> dict[str, Any]:
    """The resolved type hints of a class's fields (cached)."""
    found = _hints_cache.get(cls)
    if found is None:
        found = typing.get_type_hints(cls, include_extras=True)
        _hints_cache[cls] = found
    return found


def tag_of(cls: Any, key: str) -> str | None:
    """The literal value of field `key` of dataclass `cls` (its discriminator), if any."""
    if not is_dataclass_type(cls):
        return None
    hint = hints(cls).get(key)
    if hint is None or not is_literal(hint):
        return None
    values = get_args(hint)
    return values[0] if len(values) == 1 and isinstance(values[0], str) else None
