"""Types to validators, once, where a model, dataclass or adapter is defined. Whatever the
stand-in cannot do exactly as pydantic does raises `GuestPydanticUnsupported` here."""

from __future__ import annotations

import copy
import dataclasses
import enum
from typing import Any, get_args, get_origin

from ._constraints import Constraints
from ._container_nodes import DictNode, FixedTupleNode, SequenceNode
from ._literal_nodes import EnumNode, LiteralNode
from ._node import AnyNode, Node
from ._object_nodes import DataclassNode, FieldSpec, ObjectNode, TypedDictNode, required_of
from ._scalar_nodes import (
    CONVERTERS,
    LENGTH_TYPES,
    NUMBER_TYPES,
    IsInstanceNode,
    JsonValueNode,
    NoneNode,
    ScalarNode,
)
from ._typing import (
    NONE_TYPE,
    class_hints,
    is_classvar,
    is_dataclass_type,
    is_literal,
    is_model,
    is_typeddict,
    is_union,
    resolve,
    typeddict_required,
    unwrap,
    without_required,
)
from ._union_nodes import NullableNode, TaggedUnionNode, UnionNode
from .errors import GuestPydanticUnsupported
from .fields import CONSTRAINTS, LENGTHS, NUMBER_BOUNDS, FieldInfo, PydanticUndefined

_INHERITED = ("extra", "strict", "populate_by_name", "validate_by_name", "validate_by_alias",
              "arbitrary_types_allowed")
_CONTAINERS = {list: list, tuple: tuple, set: set, frozenset: frozenset}
_objects: dict[Any, ObjectNode] = {}


def field_node(hint: Any, outer: FieldInfo | None, config: dict[str, Any], owner: str,
               ) -> tuple[Node, FieldInfo]:
    """The validator of a field typed `hint` whose default is (or carries) `outer`, and its
    merged `Field(...)` info."""
    tp, metadata = unwrap(hint)
    infos = _infos(metadata, owner)
    if outer is not None:
        infos.append(outer)
    info = _merged(infos, owner)
    return _finish(tp, info, config, owner), info


def type_node(hint: Any, config: dict[str, Any], owner: str) -> Node:
    """The validator of any type (`Annotated[...]` included)."""
    tp, metadata = unwrap(hint)
    info = _merged(_infos(metadata, owner), owner)
    return _finish(tp, info, config, owner)


def _infos(metadata: list[Any], owner: str) -> list[FieldInfo]:
    infos: list[FieldInfo] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            infos.append(item)
        elif isinstance(getattr(item, "discriminator", None), str):  # remi-web's `Tagged`
            infos.append(FieldInfo(discriminator=item.discriminator))
        else:
            raise GuestPydanticUnsupported(f"Annotated metadata {item!r} (in {owner})",
                                           "Only Field(...) is understood in Annotated[...].")
    return infos


def _merged(infos: list[FieldInfo], owner: str) -> FieldInfo:
    merged = FieldInfo()
    for info in infos:
        for name in CONSTRAINTS:
            if name in info.is_set and name in merged.is_set \
                    and getattr(merged, name) != getattr(info, name):
                raise GuestPydanticUnsupported(
                    f"giving {name} twice with different values (in {owner})")
        merged = merged.merged(info)
    return merged


def _finish(tp: Any, info: FieldInfo, config: dict[str, Any], owner: str) -> Node:
    discriminator = info.discriminator
    node = _build(tp, config, owner, discriminator)
    if info.strict is not None:
        node = _with_strict(node, info.strict, tp, owner)
    limits = {name: getattr(info, name) for name in CONSTRAINTS
              if name != "strict" and getattr(info, name) is not None}
    if limits:
        node = _constrained(node, limits, tp, owner)
    return node


def _with_strict(node: Node, strict: bool, tp: Any, owner: str) -> Node:
    if isinstance(node, NullableNode):
        return NullableNode(_with_strict(node.inner, strict, tp, owner))
    if node.strictable:
        made = copy.copy(node)
        made.strict = strict
        return made
    raise GuestPydanticUnsupported(f"Field(strict=...) on {_name(tp)} (in {owner})")


def _constrained(node: Node, limits: dict[str, Any], tp: Any, owner: str) -> Node:
    if isinstance(node, NullableNode):
        return NullableNode(_constrained(node.inner, limits, tp, owner))
    names = set(limits)
    allowed: set[str] = set()
    if isinstance(node, ScalarNode) and node.kind in NUMBER_TYPES:
        allowed = set(NUMBER_BOUNDS) | ({"allow_inf_nan"} if node.kind is float else set())
        if node.kind is int and not all(type(v) is int for k, v in limits.items() if k in allowed):
            allowed = set()
        if node.kind is float and not all(type(v) in (int, float) for k, v in limits.items()
                                          if k in NUMBER_BOUNDS):
            allowed = set()
        if node.kind is not float and "multiple_of" in names and node.kind is not int:
            allowed = set()
    elif isinstance(node, ScalarNode) and node.kind in LENGTH_TYPES:
        allowed = set(LENGTHS) | ({"pattern"} if node.kind is str else set())
        if "pattern" in limits and not _plain_pattern(limits["pattern"]):
            allowed = set()
    elif isinstance(node, (SequenceNode, DictNode)):
        allowed = set(LENGTHS)
    if not names <= allowed:
        shown = ", ".join(f"{k}={limits[k]!r}" for k in sorted(names))
        raise GuestPydanticUnsupported(f"Field({shown}) on {_name(tp)} (in {owner})")
    made = copy.copy(node)
    made.constraints = Constraints(**limits)  # type: ignore[attr-defined]
    return made


def _plain_pattern(pattern: Any) -> bool:
    """Whether a regex means the same to Python's `re` and Rust's `regex`."""
    if not isinstance(pattern, str):
        return False
    return "(?" not in pattern.replace("(?:", "") and not any(
        f"\\{d}" in pattern for d in "123456789") and "\\Z" not in pattern and "\\A" not in pattern


def _name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or repr(tp)


def _build(tp: Any, config: dict[str, Any], owner: str, discriminator: str | None = None,
           ) -> Node:
    strict = bool(config.get("strict", False))
    tp = resolve(tp)
    if discriminator is not None and not is_union(tp):
        raise GuestPydanticUnsupported(f"a discriminator on {_name(tp)} (in {owner})",
                                       "Put Field(discriminator=...) on a union.")
    if tp is Any or tp is object:
        return AnyNode()
    if tp is None or tp is NONE_TYPE:
        return NoneNode()
    if getattr(tp, "__json_value__", False) is True:
        return JsonValueNode()
    if isinstance(tp, type) and tp in CONVERTERS:
        return ScalarNode(tp, CONVERTERS[tp], strict)
    if is_union(tp):
        return _union(tp, config, owner, discriminator)
    if is_literal(tp):
        return _literal(tp, owner)
    origin = get_origin(tp)
    if origin is not None or tp in _CONTAINERS or tp is dict:
        return _generic(origin or tp, get_args(tp), config, owner, strict)
    if is_model(tp):
        return tp.__remi_node__()  # type: ignore[no-any-return]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum(tp, strict, owner)
    if is_dataclass_type(tp):
        return _dataclass(tp, config, owner)
    if is_typeddict(tp):
        return _typeddict(tp, config, owner)
    special = getattr(tp, "__remi_node__", None)
    if callable(special):
        return special(strict)  # type: ignore[no-any-return]
    if isinstance(tp, type) and config.get("arbitrary_types_allowed"):
        return IsInstanceNode(tp)
    raise GuestPydanticUnsupported(f"the type {_name(tp)} (in {owner})",
                                   "Supported: " + SUPPORTED_TYPES + ".")


SUPPORTED_TYPES = (
    "str, int, float, bool, bytes, None, Any, JsonValue, SecretStr, datetime, date, UUID, "
    "Decimal, Literal, Enum, list, tuple, set, frozenset, dict[str, ...], unions and "
    "Optional, BaseModel subclasses, dataclasses and TypedDicts"
)
"""What fields may be (for error messages)."""


def _union(tp: Any, config: dict[str, Any], owner: str, discriminator: str | None) -> Node:
    members = list(get_args(tp))
    nullable = NONE_TYPE in members
    others = [m for m in members if m is not NONE_TYPE]
    node: Node
    if discriminator is not None:
        node = _tagged(others, discriminator, config, owner)
    elif len(others) == 1:
        node = type_node(others[0], config, owner)
    else:
        node = UnionNode([type_node(member, config, owner) for member in others])
    return NullableNode(node) if nullable else node


def _tagged(members: list[Any], key: str, config: dict[str, Any], owner: str) -> Node:
    choices: list[tuple[Any, Node]] = []
    for member in members:
        node = type_node(member, config, owner)
        if not isinstance(node, ObjectNode):
            raise GuestPydanticUnsupported(
                f"a discriminated union member {_name(member)} (in {owner})",
                "Its members must be models, dataclasses or TypedDicts.")
        tags = _tags(node, key, owner)
        choices.extend((tag, node) for tag in tags)
    seen = [tag for tag, _ in choices]
    if len(set(seen)) != len(seen):
        raise GuestPydanticUnsupported(f"a tag used twice in a discriminated union (in {owner})")
    return TaggedUnionNode(key, choices)


def _tags(node: ObjectNode, key: str, owner: str) -> list[Any]:
    for spec in node.fields:
        if spec.name == key:
            if spec.alias is not None or not isinstance(spec.node, LiteralNode):
                break
            if not all(type(v) is str for v in spec.node.expected):
                break
            return list(spec.node.expected)
    raise GuestPydanticUnsupported(
        f"discriminator {key!r} on {node.cls.__name__} (in {owner})",
        f"Each member needs a field {key!r} typed Literal['...'] (without an alias).")


def _literal(tp: Any, owner: str) -> Node:
    values: list[Any] = []
    for value in get_args(tp):
        if is_literal(value):
            values.extend(get_args(value))
        else:
            values.append(value)
    for value in values:
        if not (value is None or type(value) in (str, int, bool) or isinstance(value, enum.Enum)):
            raise GuestPydanticUnsupported(f"Literal[{value!r}] (in {owner})")
    return LiteralNode(values)


def _enum(cls: type[enum.Enum], strict: bool, owner: str) -> Node:
    kinds = {type(member.value) for member in cls}
    if issubclass(cls, float) or not kinds <= {str, int} or (
            not issubclass(cls, (int, str)) and len(kinds) > 1):
        raise GuestPydanticUnsupported(f"the enum {cls.__name__} (in {owner})",
                                       "Enum values here must all be str or all int.")
    return EnumNode(cls, strict)


def _generic(origin: Any, args: tuple[Any, ...], config: dict[str, Any], owner: str,
             strict: bool) -> Node:
    if origin is list or origin is set or origin is frozenset:
        item = type_node(args[0], config, owner) if args else AnyNode()
        return SequenceNode(origin, item, strict)
    if origin is tuple:
        if not args:
            return SequenceNode(tuple, AnyNode(), strict)
        if len(args) == 2 and args[1] is Ellipsis:
            return SequenceNode(tuple, type_node(args[0], config, owner), strict)
        if Ellipsis in args:
            raise GuestPydanticUnsupported(f"tuple{list(args)!r} (in {owner})")
        if args == ((),):
            return FixedTupleNode([], strict)
        return FixedTupleNode([type_node(a, config, owner) for a in args], strict)
    if origin is dict:
        key_tp = args[0] if args else Any
        if resolve(key_tp) not in (str, Any):
            raise GuestPydanticUnsupported(f"dict keys of type {_name(key_tp)} (in {owner})",
                                           "Use dict[str, ...].")
        keys = type_node(key_tp, config, owner)
        values = type_node(args[1], config, owner) if len(args) == 2 else AnyNode()
        return DictNode(keys, values, strict)
    raise GuestPydanticUnsupported(f"the type {origin!r}{list(args)!r} (in {owner})",
                                   "Supported: " + SUPPORTED_TYPES + ".")


def inherited(config: dict[str, Any]) -> dict[str, Any]:
    """The settings a dataclass or TypedDict without its own takes from its model."""
    return {k: v for k, v in config.items() if k in _INHERITED}


def _cached(cls: type, config: dict[str, Any], make: Any) -> ObjectNode:
    own = getattr(cls, "__pydantic_config__", None)
    if own is not None:
        raise GuestPydanticUnsupported(f"__pydantic_config__ on {cls.__name__}")
    settings = inherited(config)
    key = (cls, tuple(sorted(settings.items())))
    node = _objects.get(key)
    if node is None:
        node = make(cls, settings)
        _objects[key] = node
        try:
            node.fields = _object_fields(node, settings)
        except BaseException:
            del _objects[key]
            raise
    return node


def _dataclass(cls: type, config: dict[str, Any], owner: str) -> Node:
    return _cached(cls, config, DataclassNode)


def _typeddict(cls: type, config: dict[str, Any], owner: str) -> Node:
    return _cached(cls, config, TypedDictNode)


def _object_fields(node: ObjectNode, config: dict[str, Any]) -> list[FieldSpec]:
    cls = node.cls
    owner = cls.__name__
    hints = class_hints(cls)
    specs: list[FieldSpec] = []
    if isinstance(node, DataclassNode):
        for field in dataclasses.fields(cls):
            if field.default is not dataclasses.MISSING and isinstance(field.default, FieldInfo):
                raise GuestPydanticUnsupported(f"Field(...) as a dataclass default ({owner}.{field.name})",
                                               "Use Annotated[type, Field(...)].")
            built, info = field_node(hints[field.name], None, config, f"{owner}.{field.name}")
            if info.alias is not None or info.default is not PydanticUndefined or \
                    info.default_factory is not None:
                raise GuestPydanticUnsupported(f"Field(alias/default) in a dataclass ({owner})")
            info = _with_default(info, field)
            specs.append(FieldSpec(field.name, built, info, required_of(info), field.init))
        return specs
    required_keys: frozenset[str] = getattr(cls, "__required_keys__", frozenset())
    for name, hint in hints.items():
        if is_classvar(hint):
            continue
        built, info = field_node(without_required(hint), None, config, f"{owner}.{name}")
        if info.alias is not None or "default" in info.is_set or info.default_factory is not None:
            raise GuestPydanticUnsupported(f"Field(alias/default) in a TypedDict ({owner})")
        marked = typeddict_required(hint)
        specs.append(FieldSpec(name, built, info, name in required_keys if marked is None else marked))
    return specs


def _with_default(info: FieldInfo, field: dataclasses.Field[Any]) -> FieldInfo:
    if field.default is not dataclasses.MISSING:
        return info.merged(FieldInfo(field.default))
    if field.default_factory is not dataclasses.MISSING:
        return info.merged(FieldInfo(default_factory=field.default_factory))
    return info
