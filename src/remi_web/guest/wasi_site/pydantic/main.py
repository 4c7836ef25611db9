"""`BaseModel` and `create_model`: models with validated, aliased fields and a JSON Schema."""

from __future__ import annotations

import json
import typing
from typing import Any, ClassVar, TypedDict, TypeVar

import pydantic_core

from ._schema import object_schema
from ._validate import Invalid, Loc, fail, validate
from .errors import ValidationError
from .fields import FieldInfo

M = TypeVar("M", bound="BaseModel")


class ConfigDict(TypedDict, total=False):
    """Model settings: `extra` ("ignore", "forbid" or "allow"), `title`, `populate_by_name`."""

    extra: str
    title: str
    populate_by_name: bool
    arbitrary_types_allowed: bool
    frozen: bool


class BaseModel:
    """A class whose annotated attributes are validated fields."""

    model_config: ClassVar[ConfigDict] = {}
    __pydantic_fields__: ClassVar[dict[str, tuple[Any, FieldInfo]] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__pydantic_fields__" not in cls.__dict__:
            cls.__pydantic_fields__ = None

    def __init__(self, **data: Any) -> None:
        try:
            values = type(self)._validated(data, ())
        except Invalid as error:
            raise ValidationError(type(self).__name__, error.errors) from None
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @classmethod
    def _fields(cls) -> dict[str, tuple[Any, FieldInfo]]:
        found = cls.__dict__.get("__pydantic_fields__")
        if found is None:
            found = {}
            for name, hint in typing.get_type_hints(cls, include_extras=True).items():
                if name.startswith(("_", "model_")) or typing.get_origin(hint) is ClassVar:
                    continue
                default = cls.__dict__.get(name, getattr(cls, name, ...))
                info = default if isinstance(default, FieldInfo) else FieldInfo(default)
                found[name] = (hint, info)
            cls.__pydantic_fields__ = found
        return found

    @classmethod
    def _validated(cls, data: Any, loc: Loc) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise fail("model_type", f"Input should be a valid dictionary or instance of "
                       f"{cls.__name__}", data, loc)
        config = cls.model_config
        by_name = bool(config.get("populate_by_name"))
        values: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        used: set[str] = set()
        for name, (hint, info) in cls._fields().items():
            key = info.alias or name
            if key not in data and by_name and name in data:
                key = name
            if key in data:
                used.add(key)
                try:
                    values[name] = validate(hint, data[key], (*loc, key))
                except Invalid as error:
                    errors.extend(error.errors)
            elif info.required:
                errors.append({"type": "missing", "loc": (*loc, key), "msg": "Field required",
                               "input": data})
            else:
                values[name] = info.get_default()
        extra = config.get("extra", "ignore")
        for key in data:
            if key in used:
                continue
            if extra == "forbid":
                errors.append({"type": "extra_forbidden", "loc": (*loc, key),
                               "msg": "Extra inputs are not permitted", "input": data[key]})
            elif extra == "allow":
                values[key] = data[key]
        if errors:
            raise Invalid(errors)
        return values

    @classmethod
    def model_validate(cls: type[M], obj: Any, *, _loc: Loc | None = None, **_: Any) -> M:
        """Validate a dict (by alias) into a model; raises `ValidationError`."""
        if isinstance(obj, cls):
            return obj
        try:
            values = cls._validated(obj, _loc or ())
        except Invalid as error:
            if _loc is not None:
                raise
            raise ValidationError(cls.__name__, error.errors) from None
        model = cls.__new__(cls)
        for name, value in values.items():
            object.__setattr__(model, name, value)
        return model

    @classmethod
    def model_validate_json(cls: type[M], data: str | bytes, **_: Any) -> M:
        """Parse JSON, then validate it."""
        return cls.model_validate(json.loads(data))

    @classmethod
    def model_json_schema(cls, **_: Any) -> dict[str, Any]:
        """The JSON Schema of the model's input (properties by alias)."""
        defs: dict[str, Any] = {}
        schema = cls.__pydantic_object_schema__(defs)
        if defs:
            schema["$defs"] = defs
        return schema

    @classmethod
    def __pydantic_object_schema__(cls, defs: dict[str, Any]) -> dict[str, Any]:
        fields = [(info.alias or name, hint, info) for name, (hint, info) in cls._fields().items()]
        title = cls.model_config.get("title") or cls.__name__
        return object_schema(title, fields, defs, cls.model_config.get("extra") == "forbid")

    @property
    def model_fields_set(self) -> set[str]:
        """The names of the fields that have values."""
        return set(type(self)._fields())

    def model_dump(self, *, mode: str = "python", by_alias: bool = False, **_: Any) -> dict[str, Any]:
        """The fields as a dict (JSON-able values with `mode="json"`)."""
        out: dict[str, Any] = {}
        for name, (_hint, info) in type(self)._fields().items():
            value = getattr(self, name)
            out[(info.alias or name) if by_alias else name] = (
                pydantic_core.to_jsonable_python(value) if mode == "json" else value
            )
        return out

    def model_dump_json(self, **kwargs: Any) -> str:
        """The fields as JSON text."""
        return pydantic_core.to_json(self.model_dump(**kwargs)).decode()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.model_dump() == other.model_dump()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.model_dump().items())
        return f"{type(self).__name__}({fields})"


def create_model(
    model_name: str,
    /,
    *,
    __config__: ConfigDict | None = None,
    __module__: str | None = None,
    __base__: type[BaseModel] | None = None,
    __doc__: str | None = None,
    **fields: Any,
) -> type[BaseModel]:
    """A new model class; each field is `(type, default or Field(...))` or a type."""
    namespace: dict[str, Any] = {
        "__module__": __module__ or __name__,
        "__doc__": __doc__,
        "model_config": dict(__config__ or {}),
    }
    model: type[BaseModel] = type(model_name, (__base__ or BaseModel,), namespace)
    defined: dict[str, tuple[Any, FieldInfo]] = {}
    for name, spec in fields.items():
        hint, default = spec if isinstance(spec, tuple) else (spec, ...)
        defined[name] = (hint, default if isinstance(default, FieldInfo) else FieldInfo(default))
    model.__pydantic_fields__ = defined
    return model
