"""JSON Schema of validators, shaped like pydantic's: titles, `$defs` and `$ref`s,
defaults, descriptions, `anyOf` flattening."""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Callable
from typing import Any, Protocol

from ._dump import jsonable


class Described(Protocol):
    """What a schema is written for: a validator (`schema`, and `titled`)."""

    titled: bool

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        """Its JSON Schema."""


class FieldLike(Protocol):
    """A field: its validator, its `Field(...)` info, and whether it is required."""

    node: Any
    info: Any
    required: bool

_SENTINEL = object()


def title_of(name: str) -> str:
    """pydantic's title for a field name (`"foo_bar"` -> `"Foo Bar"`)."""
    return name.title().replace("_", " ").strip()


def _hashable(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True, default=repr)


def _dedupe(schemas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for schema in schemas:
        seen[_hashable(schema)] = schema
    return list(seen.values())


class SchemaWriter:
    """Writes one JSON Schema; named types (models, dataclasses, TypedDicts, enums) go into
    `$defs` once and are referenced."""

    def __init__(self, by_alias: bool = True) -> None:
        self.by_alias = by_alias
        self.defs: dict[str, dict[str, Any]] = {}
        self._names: dict[Any, str] = {}
        self._refs: dict[str, int] = {}

    def inner(self, node: Described) -> dict[str, Any]:
        """The schema of `node` (a fresh dict)."""
        return node.schema(self)

    def ref(self, cls: type, build: Callable[[SchemaWriter], dict[str, Any]]) -> dict[str, Any]:
        """A `$ref` to `cls`'s definition, written on first use."""
        name = self._names.get(cls)
        if name is None:
            name = cls.__name__
            if name in self.defs and self._names.get(cls) is None:
                from .errors import GuestPydanticUnsupported

                raise GuestPydanticUnsupported(f"two types named {name!r} in one schema")
            self._names[cls] = name
            self.defs[name] = {}
            self.defs[name] = build(self)
        self._refs[name] = self._refs.get(name, 0) + 1
        return {"$ref": f"#/$defs/{name}"}

    def union_of(self, schemas: list[dict[str, Any]]) -> dict[str, Any]:
        """`anyOf` of `schemas`, nested plain `anyOf`s flattened and duplicates dropped."""
        members: list[dict[str, Any]] = []
        for schema in schemas:
            if len(schema) == 1 and "anyOf" in schema:
                members.extend(schema["anyOf"])
            else:
                members.append(schema)
        members = _dedupe(members)
        return members[0] if len(members) == 1 else {"anyOf": members}

    def field(self, spec: FieldLike, key: str) -> dict[str, Any]:
        """The schema of one field: its type's, with default, title, description..."""
        info = spec.info
        out = self.inner(spec.node)
        if not spec.required:
            self._default(spec, out)
        if info.title is not None:
            out["title"] = info.title
        if info.description is not None:
            out["description"] = info.description
        if info.examples is not None:
            out["examples"] = jsonable(info.examples)
        extra = info.json_schema_extra
        if isinstance(extra, dict):
            out.update(extra)
        elif extra is not None:
            extra(out)
        if "title" not in out and spec.node.titled:
            out["title"] = title_of(key)
        return self._without_repeats(out)

    def _default(self, spec: FieldLike, out: dict[str, Any]) -> None:
        info = spec.info
        if info.default_factory is not None or info.default is _SENTINEL:
            return
        from .fields import PydanticUndefined

        default = info.default
        if default is PydanticUndefined:
            return
        if isinstance(default, (set, frozenset)) and len(default) > 1:
            try:
                default = sorted(default)
            except TypeError:
                pass
        try:
            out["default"] = jsonable(default, by_alias=self.by_alias)
        except ValueError:
            import warnings

            warnings.warn(f"Default value {default} is not JSON serializable; excluding "
                          "default from JSON schema [non-serializable-default]", stacklevel=2)

    def _without_repeats(self, out: dict[str, Any]) -> dict[str, Any]:
        """A `$ref` schema without sibling keys equal to the referenced definition's."""
        ref = out.get("$ref")
        if ref is None:
            return out
        target = self.defs.get(ref.rsplit("/", 1)[-1])
        if not target:
            return out
        return {k: v for k, v in out.items() if k == "$ref" or target.get(k, _SENTINEL) != v}

    def document(self, node: Described) -> dict[str, Any]:
        """The whole schema of `node`: the top-level schema with its `$defs`."""
        schema = self.inner(node)
        ref = schema.get("$ref")
        if ref is not None and len(schema) == 1:
            name = ref.rsplit("/", 1)[-1]
            if self._refs.get(name) == 1:
                schema = dict(self.defs.pop(name))
        if self.defs:
            schema["$defs"] = self.defs
        return schema


def description_of(cls: type) -> str | None:
    """A class's description: its own docstring, cleaned (a dataclass's generated
    `Name(field: type, ...)` docstring does not count)."""
    doc = cls.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc:
        return None
    if dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}("):
        return None
    return inspect.cleandoc(doc)
