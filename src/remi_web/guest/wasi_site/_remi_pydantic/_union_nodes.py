"""Validators of choices: `X | None`, smart unions, and unions told apart by a tag field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._dump import DumpOptions, dump
from ._node import Node
from ._literal_nodes import literal_lookup
from ._state import EXACT, Invalid, Loc, State, fail

if TYPE_CHECKING:
    from ._schema import SchemaWriter


class NullableNode(Node):
    """`X | None`: None, or an X."""

    def __init__(self, inner: Node) -> None:
        self.inner = inner
        self.titled = inner.titled

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        if value is None:
            return None
        return self.inner.validate(value, st, loc)

    def dump(self, value: Any, options: DumpOptions) -> Any:
        return None if value is None else self.inner.dump(value, options)

    def fits(self, value: Any, strict: bool) -> bool:
        return value is None or self.inner.fits(value, strict)

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        inner = writer.inner(self.inner)
        null = {"type": "null"}
        if inner == null:
            return null
        return writer.union_of([inner, null])


class UnionNode(Node):
    """`X | Y | ...` in pydantic's smart mode: the most exact match wins (then the one that
    set the most fields, then the first)."""

    def __init__(self, choices: list[Node]) -> None:
        self.choices = choices

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        outer_exactness, outer_fields = st.exactness, st.fields_set
        best: tuple[Any, int, int | None] | None = None
        errors: list[dict[str, Any]] = []
        for choice in self.choices:
            st.exactness, st.fields_set = EXACT, None
            try:
                result = choice.validate(value, st, loc)
            except Invalid as error:
                if best is None:
                    errors.extend(error.errors)
                continue
            if st.exactness == EXACT and st.fields_set is None:
                st.exactness, st.fields_set = outer_exactness, outer_fields
                return result
            if best is None or _better(best, st.exactness, st.fields_set):
                best = (result, st.exactness, st.fields_set)
        st.exactness, st.fields_set = outer_exactness, outer_fields
        if best is None:
            raise Invalid(errors)
        result, exactness, fields = best
        st.floor(exactness)
        if fields is not None:
            st.add_fields_set(fields)
        return result

    def dump(self, value: Any, options: DumpOptions) -> Any:
        for strict in (True, False):
            for choice in self.choices:
                if choice.fits(value, strict):
                    return choice.dump(value, options)
        return dump(value, options)

    def fits(self, value: Any, strict: bool) -> bool:
        return any(choice.fits(value, strict) for choice in self.choices)

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        generated = [writer.inner(choice) for choice in self.choices]
        return generated[0] if len(generated) == 1 else writer.union_of(generated)


def _better(best: tuple[Any, int, int | None], exactness: int, fields: int | None) -> bool:
    _, best_exactness, best_fields = best
    if best_fields is not None and fields is not None and best_fields != fields:
        return best_fields < fields
    return best_exactness < exactness


class TaggedUnionNode(Node):
    """A union of models, dataclasses or TypedDicts told apart by the value of one field
    (`Field(discriminator=...)`)."""

    def __init__(self, key: str, choices: list[tuple[Any, Node]]) -> None:
        self.key = key
        self.choices = choices
        self.tags = [tag for tag, _ in choices]

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        key = self.key
        if isinstance(value, dict):
            if key not in value:
                raise self._not_found(value, loc)
            tag = value[key]
        elif type(value).__module__ not in ("builtins", "datetime", "collections") \
                and hasattr(value, key):
            tag = getattr(value, key)
        elif type(value).__module__ not in ("builtins", "datetime", "collections"):
            raise self._not_found(value, loc)
        else:
            raise fail("model_attributes_type", "Input should be a valid dictionary or object "
                       "to extract fields from", value, loc)
        found, matched = literal_lookup(self.tags, tag)
        if not found:
            expected = ", ".join(repr(t) for t in self.tags)
            raise fail("union_tag_invalid", f"Input tag '{tag}' found using '{key}' does not "
                       f"match any of the expected tags: {expected}", value, loc,
                       discriminator=repr(key), tag=str(tag), expected_tags=expected)
        node = self._node(matched)
        return node.validate(value, st, (*loc, str(matched)))

    def _node(self, tag: Any) -> Node:
        for known, node in self.choices:
            if known == tag and type(known) is type(tag):
                return node
        raise KeyError(tag)

    def dump(self, value: Any, options: DumpOptions) -> Any:
        tag = value.get(self.key) if isinstance(value, dict) else getattr(value, self.key, None)
        found, matched = literal_lookup(self.tags, tag)
        if found:
            return self._node(matched).dump(value, options)
        return dump(value, options)

    def fits(self, value: Any, strict: bool) -> bool:
        return any(node.fits(value, strict) for _, node in self.choices)

    def _not_found(self, value: Any, loc: Loc) -> Invalid:
        return fail("union_tag_not_found", f"Unable to extract tag using discriminator "
                    f"'{self.key}'", value, loc, discriminator=repr(self.key))

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        generated: dict[str, dict[str, Any]] = {}
        for tag, node in self.choices:
            generated[str(tag)] = writer.inner(node)
        one_of: list[dict[str, Any]] = []
        for item in generated.values():
            if item not in one_of:
                one_of.append(item)
        return {
            "discriminator": {
                "mapping": {tag: item.get("$ref", item) for tag, item in generated.items()},
                "propertyName": self.key,
            },
            "oneOf": one_of,
        }
