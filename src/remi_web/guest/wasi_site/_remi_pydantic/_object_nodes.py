"""Validators of objects with named fields: models, dataclasses and TypedDicts."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._dump import DumpOptions, dump
from ._node import Node
from ._state import STRICT, Invalid, Loc, State, fail
from .fields import FieldInfo, PydanticUndefined

if TYPE_CHECKING:
    from ._schema import SchemaWriter


class FieldSpec:
    """One field: its attribute name, the key it is read from, its validator and info."""

    __slots__ = ("name", "alias", "node", "info", "required", "init")

    def __init__(self, name: str, node: Node, info: FieldInfo, required: bool,
                 init: bool = True) -> None:
        self.name = name
        self.alias = info.alias
        self.node = node
        self.info = info
        self.required = required
        self.init = init

    def keys(self, by_alias: bool, by_name: bool) -> tuple[str, ...]:
        """The input keys this field is read from, in order."""
        if self.alias is None:
            return (self.name,)
        if by_alias and by_name:
            return (self.alias, self.name)
        return (self.alias,) if by_alias else (self.name,)

    def default(self) -> Any:
        """A default value: the factory's, or a copy of the default when it is mutable."""
        info = self.info
        if info.default_factory is not None:
            return info.default_factory()
        value = info.default
        try:
            hash(value)
        except TypeError:
            return copy.deepcopy(value)
        return value


def read_fields(fields: list[FieldSpec], data: Mapping[str, Any], st: State, loc: Loc,
                by_alias: bool, by_name: bool, errors: list[dict[str, Any]],
                ) -> tuple[dict[str, Any], set[str], set[str]]:
    """Each field's validated value (or default), the names given, and the keys used."""
    values: dict[str, Any] = {}
    given: set[str] = set()
    used: set[str] = set()
    for spec in fields:
        if not spec.init:
            if not spec.required:
                values[spec.name] = spec.default()
            continue
        for key in spec.keys(by_alias, by_name):
            if key in data:
                used.add(key)
                try:
                    values[spec.name] = spec.node.validate(data[key], st, (*loc, key))
                except Invalid as error:
                    errors.extend(error.errors)
                else:
                    given.add(spec.name)
                break
        else:
            if spec.required:
                key = spec.keys(by_alias, by_name)[0]
                errors.append({"type": "missing", "loc": (*loc, key), "msg": "Field required",
                               "input": data})
            else:
                default = spec.default()
                if default is not PydanticUndefined:
                    values[spec.name] = default
    return values, given, used


class ObjectNode(Node):
    """What models, dataclasses and TypedDicts share: fields, `extra`, strictness."""

    titled = False

    def __init__(self, cls: type, config: dict[str, Any]) -> None:
        self.cls = cls
        self.config = config
        self.fields: list[FieldSpec] = []
        self.extra = config.get("extra", "ignore")
        self.strict = bool(config.get("strict", False))
        self.by_alias = config.get("validate_by_alias", True) is not False
        self.by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))

    def schema(self, writer: SchemaWriter) -> dict[str, Any]:
        return writer.ref(self.cls, self.definition)

    def fits(self, value: Any, strict: bool) -> bool:
        return type(value) is self.cls if strict else isinstance(value, self.cls)

    def dump_fields(self, values: Mapping[str, Any], options: DumpOptions,
                    given: set[str] | None = None) -> dict[str, Any]:
        """The fields of an object, dumped by their validators."""
        out: dict[str, Any] = {}
        for spec in self.fields:
            name = spec.name
            if name not in values or spec.info.exclude:
                continue
            value = values[name]
            if options.exclude_none and value is None:
                continue
            if options.exclude_unset and given is not None and name not in given:
                continue
            if options.exclude_defaults and not spec.required and value == spec.default():
                continue
            key = spec.alias if options.by_alias and spec.alias is not None else name
            out[key] = spec.node.dump(value, options)
        return out

    def definition(self, writer: SchemaWriter) -> dict[str, Any]:
        """The object's schema, as it stands in `$defs` (pydantic's shape)."""
        from ._schema import description_of

        properties: dict[str, Any] = {}
        required: list[str] = []
        for spec in self.fields:
            if not spec.init:
                continue
            aliased = writer.by_alias and self.by_alias and spec.alias is not None
            key = spec.alias if aliased and spec.alias is not None else spec.name
            properties[key] = writer.field(spec, key)
            if spec.required:
                required.append(key)
        out: dict[str, Any] = {"properties": properties, "type": "object"}
        if required:
            out["required"] = required
        is_model = isinstance(self, ModelNode)
        title = self.config.get("title") if is_model else None
        out["title"] = title if title is not None else self.cls.__name__
        description = description_of(self.cls)
        if description:
            out["description"] = description
        if self.extra == "allow":
            out["additionalProperties"] = True
        elif self.extra == "forbid":
            out["additionalProperties"] = False
        extra = self.config.get("json_schema_extra") if is_model else None
        if isinstance(extra, dict):
            out.update(extra)
        return out


class ModelNode(ObjectNode):
    """A model: an instance as it is, or a dict validated into a new one."""

    def dump(self, value: Any, options: DumpOptions) -> Any:
        return dump(value, options)

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        cls = self.cls
        if isinstance(value, cls):
            return value
        st.floor(STRICT)
        values, given, extra = self.read(value, st, loc)
        return cls.__remi_new__(values, given, extra)  # type: ignore[attr-defined]

    def read(self, value: Any, st: State, loc: Loc,
             ) -> tuple[dict[str, Any], set[str], dict[str, Any] | None]:
        """The field values of a model from a dict, the names given, and the extra keys."""
        strict = st.strict_or(self.strict)
        if not isinstance(value, dict) and (strict or not isinstance(value, Mapping)):
            raise fail("model_type", f"Input should be a valid dictionary or instance of "
                       f"{self.cls.__name__}", value, loc, class_name=self.cls.__name__)
        errors: list[dict[str, Any]] = []
        values, given, used = read_fields(self.fields, value, st, loc, self.by_alias,
                                          self.by_name, errors)
        extra: dict[str, Any] | None = {} if self.extra == "allow" else None
        if len(used) < len(value):
            for key, item in value.items():
                if key in used:
                    continue
                if self.extra == "forbid":
                    errors.append({"type": "extra_forbidden", "loc": (*loc, key),
                                   "msg": "Extra inputs are not permitted", "input": item})
                elif extra is not None:
                    extra[key] = item
        if errors:
            raise Invalid(errors)
        st.add_fields_set(len(given))
        if extra:
            given |= set(extra)
        return values, given, extra


class DataclassNode(ObjectNode):
    """A standard library dataclass: an instance as it is, or a dict of its arguments."""

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if not isinstance(value, self.cls):
            return dump(value, options)
        return self.dump_fields({spec.name: getattr(value, spec.name) for spec in self.fields},
                                options)

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        cls = self.cls
        if isinstance(value, cls):
            return value
        if st.strict_or(self.strict) and not st.json:
            raise fail("dataclass_exact_type", f"Input should be an instance of {cls.__name__}",
                       value, loc, class_name=cls.__name__)
        if not isinstance(value, dict):
            raise fail("dataclass_type", f"Input should be a dictionary or an instance of "
                       f"{cls.__name__}", value, loc, class_name=cls.__name__)
        errors: list[dict[str, Any]] = []
        values, given, used = read_fields(self.fields, value, st, loc, self.by_alias,
                                          self.by_name, errors)
        extra: dict[str, Any] = {}
        for key, item in value.items():
            if key in used:
                continue
            if self.extra == "forbid":
                errors.append({"type": "unexpected_keyword_argument", "loc": (*loc, key),
                               "msg": "Unexpected keyword argument", "input": item})
            elif self.extra == "allow":
                extra[key] = item
        if errors:
            raise Invalid(errors)
        st.add_fields_set(len(given) + sum(1 for spec in self.fields
                                           if not spec.init and not spec.required))
        st.floor(STRICT)
        made: Any = object.__new__(cls)
        for name, item in values.items():
            object.__setattr__(made, name, item)
        for name, item in extra.items():
            object.__setattr__(made, name, item)
        post_init = getattr(cls, "__post_init__", None)
        if post_init is not None:
            post_init(made)
        return made


class TypedDictNode(ObjectNode):
    """A TypedDict: a dict with these keys."""

    def dump(self, value: Any, options: DumpOptions) -> Any:
        if not isinstance(value, dict):
            return dump(value, options)
        out = self.dump_fields(value, options)
        known = {spec.name for spec in self.fields}
        for key, item in value.items():
            if key not in known and not (options.exclude_none and item is None):
                out[key] = dump(item, options)
        return out

    def fits(self, value: Any, strict: bool) -> bool:
        if not isinstance(value, dict):
            return False
        known = {spec.name for spec in self.fields}
        required = {spec.name for spec in self.fields if spec.required}
        return required <= set(value) and (self.extra == "allow" or set(value) <= known)

    def validate(self, value: Any, st: State, loc: Loc) -> Any:
        strict = st.strict_or(self.strict)
        if not isinstance(value, dict) and (strict or not isinstance(value, Mapping)):
            raise fail("dict_type", "Input should be a valid dictionary", value, loc)
        errors: list[dict[str, Any]] = []
        values, given, used = read_fields(self.fields, value, st, loc, self.by_alias,
                                          self.by_name, errors)
        for key, item in value.items():
            if key in used:
                continue
            if self.extra == "forbid":
                errors.append({"type": "extra_forbidden", "loc": (*loc, key),
                               "msg": "Extra inputs are not permitted", "input": item})
            elif self.extra == "allow":
                values[key] = item
        if errors:
            raise Invalid(errors)
        st.add_fields_set(len(given))
        return values


def required_of(info: FieldInfo) -> bool:
    """Whether a field without a value in the input is an error."""
    return info.default is PydanticUndefined and info.default_factory is None
