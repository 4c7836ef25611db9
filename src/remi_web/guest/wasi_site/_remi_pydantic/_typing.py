"""Reading type hints: Annotated metadata, unions, literals, and the fields of models,
dataclasses and TypedDicts."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin


NONE_TYPE = type(None)
_ALIAS_TYPE: Any = getattr(typing, "TypeAliasType", ())
_REQUIRED = {"Required", "NotRequired", "ReadOnly"}


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


def unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """The type inside `Annotated[...]` (nested ones flattened) and its metadata, in order."""
    tp = resolve(tp)
    metadata: list[Any] = []
    while get_origin(tp) is Annotated:
        base, *more = get_args(tp)
        metadata.extend(more)
        tp = resolve(base)
    return tp, metadata


def is_union(tp: Any) -> bool:
    """Whether `tp` is `X | Y` or `Union[X, Y]` (or `Optional[X]`)."""
    origin = get_origin(tp)
    return origin is Union or origin is types.UnionType


def is_literal(tp: Any) -> bool:
    """Whether `tp` is `Literal[...]`."""
    return get_origin(tp) is Literal


def is_model(tp: Any) -> bool:
    """Whether `tp` is a model class of this stand-in."""
    return isinstance(tp, type) and hasattr(tp, "__remi_model__")


def is_dataclass_type(tp: Any) -> bool:
    """Whether `tp` is a (standard library) dataclass, the class itself."""
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def is_typeddict(tp: Any) -> bool:
    """Whether `tp` is a TypedDict class (typing's or typing_extensions')."""
    return (isinstance(tp, type) and issubclass(tp, dict)
            and hasattr(tp, "__required_keys__") and hasattr(tp, "__total__"))


def class_hints(cls: type, localns: dict[str, Any] | None = None) -> dict[str, Any]:
    """The resolved type hints of a class's own and inherited fields, with `Annotated`
    (names looked up in each class's module, then in `localns`)."""
    return typing.get_type_hints(cls, localns=localns, include_extras=True)


def is_classvar(hint: Any) -> bool:
    """Whether a hint is `ClassVar[...]`."""
    return hint is ClassVar or get_origin(hint) is ClassVar


def without_required(hint: Any) -> Any:
    """A TypedDict field's hint without `Required[...]`, `NotRequired[...]`, `ReadOnly[...]`."""
    origin = get_origin(hint)
    name = getattr(origin, "_name", None) or getattr(origin, "__name__", None)
    if name in _REQUIRED:
        return without_required(get_args(hint)[0])
    if origin is Annotated:
        base, *metadata = get_args(hint)
        return Annotated[(without_required(base), *metadata)]
    return hint



def typeddict_required(hint: Any) -> bool | None:
    """Whether a TypedDict field is marked `Required[...]` (True) or `NotRequired[...]`
    (False); None when it is not marked."""
    while True:
        origin = get_origin(hint)
        if origin is Annotated:
            hint = get_args(hint)[0]
            continue
        name = getattr(origin, "_name", None) or getattr(origin, "__name__", None)
        if name == "Required":
            return True
        if name == "NotRequired":
            return False
        if name == "ReadOnly":
            hint = get_args(hint)[0]
            continue
        return None
