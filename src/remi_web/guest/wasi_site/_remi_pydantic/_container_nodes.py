"""Validators of collections: lists, tuples, sets and dicts."""

from __future__ import annotations

import collections
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from ._dump import DumpOptions, dump
from ._node import Node
from ._constraints import NO_CONSTRAINTS, Constraints
from ._state import LAX, STRICT, Invalid, Loc, State, fail

if TYPE_CHECKING:
    from ._schema import SchemaWriter

_ITERABLES: tuple[type, ...] = (tuple, list, set, frozenset, collections.deque, type({}.keys()),
                                 type({}.values()))
_TYPE_ERRORS: dict[type, tuple[str, str]] = {
    list: ("list_type", "Input should be a valid list"),
    tuple: ("tuple_type", "Input should be a valid tuple"),
    set: ("set_type", "Input should be a valid set"),
    frozenset: ("frozen_set_type", "Input should be a valid frozenset"),
}
_NAMES: dict[type, str] = {list: "List", tuple: "Tuple", set: "Set", frozenset: "Set"}


def _items(value: Any, kind: type, strict: bool, st: State, loc: Loc) -> list[Any]:
    """The items of a sequence given for a `kind` (list, tuple, set, frozenset)."""
    items = cast(Iterable[Any], value)
    if isinstance(value, kind):
        return list(items)
    if st.json and isinstance(value, list):
        st.floor(STRICT)  # a JSON array is exactly a list, strictly a tuple or a set
        return list(items)
    if not strict and isinstance(value, _ITERABLES):
        st.floor(LAX)
        return list(items)
    code, message = _TYPE_ERRORS[kind]
    raise fail(code, message, value, loc)


def _each(node: Node, items: list[Any], st: State, loc: Loc) -> list[Any]:
    results: list[Any] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            results.append(node.validate(item, st, (*loc, index)))
        except Invalid as error:
            errors.extend(error.errors)
    if errors:
        raise Invalid(errors)
    return results


class SequenceNode(Node):
    """`list[X]`, `tuple[X, ...]`, `set[X]`, `frozenset[X]`."""

    strictable = True

    def __init__(self, kind: type, item: Node, strict: bool,
                 constraints: Constraints = NO_CONSTRAINTS) -> None:
        self.kind = kind
        self.item = item
        self.strict = strict
        self.constraints = constraints

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        items = _items(value, self.kind, st.strict_or(self.strict), st, loc)
        results = _each(self.item, items, st, loc)
        out = results if self.kind is list else self.kind(results)
        if self.constraints is not NO_CONSTRAINTS:
            size = len(out)
            name = _NAMES[self.kind]
            self.constraints.check_length(size, value, loc, name)
        return out

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if not isinstance(value, self.kind):
            return dump(value, options)
        items = [self.item.dump(item, options) for item in cast(Iterable[Any], value)]
        return items if options.json or self.kind is list else self.kind(items)

    def fits(self, value: Any, strict: bool) -> bool:
        return isinstance(value, self.kind) and all(
            self.item.fits(v, strict) for v in cast(Iterable[Any], value))

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        out: dict[str, Any] = {"items": writer.inner(self.item), "type": "array"}
        if self.kind in (set, frozenset):
            out["uniqueItems"] = True
        return self.constraints.length_schema(out, "Items")


class FixedTupleNode(Node):
    """`tuple[X, Y, Z]`: exactly these items."""

    strictable = True

    def __init__(self, items: list[Node], strict: bool) -> None:
        self.items = items
        self.strict = strict

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        given = _items(value, tuple, st.strict_or(self.strict), st, loc)
        errors: list[dict[str, Any]] = []
        results: list[Any] = []
        for index, node in enumerate(self.items):
            if index >= len(given):
                errors.append({"type": "missing", "loc": (*loc, index), "msg": "Field required",
                               "input": value})
                continue
            try:
                results.append(node.validate(given[index], st, (*loc, index)))
            except Invalid as error:
                errors.extend(error.errors)
        if len(given) > len(self.items):
            errors.append({"type": "too_long", "loc": loc, "input": value,
                           "msg": f"Tuple should have at most {len(self.items)} items after "
                                  f"validation, not {len(given)}"})
        if errors:
            raise Invalid(errors)
        return tuple(results)

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if not isinstance(value, tuple) or len(value) != len(self.items):
            return dump(value, options)
        items = [node.dump(item, options) for node, item in zip(self.items, value)]
        return items if options.json else tuple(items)

    def fits(self, value: Any, strict: bool) -> bool:
        return isinstance(value, tuple) and len(value) == len(self.items) and all(
            node.fits(item, strict) for node, item in zip(self.items, value))

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array"}
        if self.items:
            out["prefixItems"] = [writer.inner(node) for node in self.items]
        out["minItems"] = out["maxItems"] = len(self.items)
        return out


class DictNode(Node):
    """`dict[K, V]`."""

    strictable = True

    def __init__(self, key: Node, value: Node, strict: bool,
                 constraints: Constraints = NO_CONSTRAINTS) -> None:
        self.key = key
        self.value = value
        self.strict = strict
        self.constraints = constraints

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        strict = st.strict_or(self.strict)
        if not isinstance(value, dict):
            if strict or not isinstance(value, Mapping):
                raise fail("dict_type", "Input should be a valid dictionary", value, loc)
        out: dict[Any, Any] = {}
        errors: list[dict[str, Any]] = []
        for key, item in value.items():
            try:
                new_key = self.key.validate(key, st, (*loc, key))
            except Invalid as error:
                for problem in error.errors:
                    problem["loc"] = (*problem["loc"], "[key]")
                errors.extend(error.errors)
                continue
            try:
                out[new_key] = self.value.validate(item, st, (*loc, key))
            except Invalid as error:
                errors.extend(error.errors)
        if errors:
            raise Invalid(errors)
        if self.constraints is not NO_CONSTRAINTS:
            self.constraints.check_length(len(out), value, loc, "Dictionary")
        return out

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if not isinstance(value, dict):
            return dump(value, options)
        return {self.key.dump(k, options): self.value.dump(v, options) for k, v in value.items()}

    def fits(self, value: Any, strict: bool) -> bool:
        return isinstance(value, dict) and all(
            self.key.fits(k, strict) and self.value.fits(v, strict) for k, v in value.items())

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        values = writer.inner(self.value)
        out: dict[str, Any] = {"additionalProperties": values if values else True,
                               "type": "object"}
        keys = writer.inner(self.key)
        if keys and keys != {"type": "string"}:
            out["propertyNames"] = keys
        return self.constraints.length_schema(out, "Properties")
