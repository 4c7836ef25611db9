"""`BaseModel` and `create_model`: classes whose annotated attributes are validated fields."""

from __future__ import annotations

import copy
import json
import sys
import typing
from typing import Any, ClassVar, TypeVar

from . import config as _config
from ._compile import field_node
from ._dump import DumpOptions, dump, to_json_text
from ._object_nodes import FieldSpec, ModelNode, required_of
from ._schema import SchemaWriter
from ._state import Invalid, State
from ._typing import class_hints, is_classvar
from .config import ConfigDict
from .errors import GuestPydanticUnsupported, PydanticUserError, ValidationError
from .fields import FieldInfo, PydanticUndefined

M = TypeVar("M", bound="BaseModel")

_PYDANTIC_HOOKS = (
    "__get_pydantic_core_schema__", "__get_pydantic_json_schema__", "model_serializer",
    "__pydantic_init_subclass__", "model_computed_fields",
)


class BaseModel:
    """A class whose annotated attributes are validated fields (pydantic's `BaseModel`, the
    part this stand-in has: see `remi_web.guest.wasi_site`)."""

    __slots__ = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__")

    model_config: ClassVar[ConfigDict] = {}
    model_fields: ClassVar[dict[str, FieldInfo]] = {}
    __remi_model__: ClassVar[bool] = True
    __remi_config__: ClassVar[dict[str, Any]] = {}
    __remi_built__: ClassVar[ModelNode | None] = None
    __remi_localns__: ClassVar[dict[str, Any] | None] = None
    __pydantic_fields_set__: set[str]
    __pydantic_extra__: dict[str, Any] | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if kwargs:
            raise GuestPydanticUnsupported(f"class keyword arguments {sorted(kwargs)} "
                                           f"(on {cls.__name__})", "Use model_config.")
        super().__init_subclass__()
        if getattr(cls, "__parameters__", ()):
            raise GuestPydanticUnsupported(f"generic models ({cls.__name__})")
        for hook in _PYDANTIC_HOOKS:
            if hook in cls.__dict__:
                raise GuestPydanticUnsupported(f"{hook} (on {cls.__name__})")
        merged: dict[str, Any] = {}
        for base in reversed(cls.__mro__[1:]):
            merged.update(base.__dict__.get("__remi_config__", {}))
        merged.update(_config.checked(cls.__dict__.get("model_config"), cls.__name__))
        cls.__remi_config__ = merged
        cls.model_config = typing.cast(ConfigDict, dict(merged))
        cls.__remi_built__ = None
        frame = sys._getframe(1)
        local = frame.f_locals is not frame.f_globals and frame.f_code is not _CREATE_CODE
        cls.__remi_localns__ = dict(frame.f_locals) if local else None
        try:
            cls.__remi_node__()
        except NameError:
            pass  # a forward reference: built on first use (or by model_rebuild())

    @classmethod
    def __remi_node__(cls) -> ModelNode:
        """The class's validator (built once; raises if a field's type is unsupported)."""
        built = cls.__dict__.get("__remi_built__")
        if built is not None:
            return built  # type: ignore[no-any-return]
        node = ModelNode(cls, cls.__remi_config__)
        cls.__remi_built__ = node
        try:
            node.fields = cls.__remi_fields__(node)
        except BaseException:
            cls.__remi_built__ = None
            raise
        cls.model_fields = {spec.name: spec.info for spec in node.fields}
        return node

    @classmethod
    def __remi_fields__(cls, node: ModelNode) -> list[FieldSpec]:
        hints = class_hints(cls, cls.__remi_localns__)
        specs: list[FieldSpec] = []
        for name, hint in hints.items():
            if name.startswith("_") or name == "model_config" or is_classvar(hint):
                continue
            default = _default_of(cls, name)
            outer = default if isinstance(default, FieldInfo) else FieldInfo(default)
            owner = f"{cls.__name__}.{name}"
            built, info = field_node(hint, outer, node.config, owner)
            specs.append(FieldSpec(name, built, info, required_of(info)))
        return specs

    @classmethod
    def model_rebuild(cls, **_: Any) -> bool:
        """Build the validator now that forward references can be resolved."""
        cls.__remi_built__ = None
        cls.__remi_node__()
        return True

    @classmethod
    def __remi_new__(cls: type[M], values: dict[str, Any], given: set[str],
                     extra: dict[str, Any] | None) -> M:
        model = cls.__new__(cls)
        model.__dict__.update(values)
        object.__setattr__(model, "__pydantic_fields_set__", given)
        object.__setattr__(model, "__pydantic_extra__", extra)
        post_init = getattr(model, "model_post_init", None)
        if post_init is not None:
            post_init(None)
        return model

    def __init__(self, /, **data: Any) -> None:
        cls = type(self)
        node = _node(cls)
        try:
            values, given, extra = node.read(data, State(), ())
        except Invalid as error:
            raise ValidationError(cls.__name__, error.errors) from None
        self.__dict__.update(values)
        object.__setattr__(self, "__pydantic_fields_set__", given)
        object.__setattr__(self, "__pydantic_extra__", extra)
        post_init = getattr(self, "model_post_init", None)
        if post_init is not None:
            post_init(None)

    @classmethod
    def model_validate(cls: type[M], obj: Any, *, strict: bool | None = None,
                       from_attributes: bool | None = None, context: Any = None,
                       **unsupported: Any) -> M:
        """Validate a dict (or an instance) into a model; raises `ValidationError`."""
        if from_attributes or unsupported:
            raise GuestPydanticUnsupported("model_validate(from_attributes/by_alias/by_name=...)")
        try:
            return _node(cls).validate(obj, State(strict), ())  # type: ignore[no-any-return]
        except Invalid as error:
            raise ValidationError(cls.__name__, error.errors) from None

    @classmethod
    def model_validate_json(cls: type[M], json_data: str | bytes | bytearray, *,
                            strict: bool | None = None, context: Any = None) -> M:
        """Parse JSON text, then validate it (JSON's own strict-mode rules)."""
        parsed = parse_json(json_data, cls.__name__)
        try:
            return _node(cls).validate(parsed, State(strict, json=True), ())  # type: ignore[no-any-return]
        except Invalid as error:
            raise ValidationError(cls.__name__, error.errors) from None

    @classmethod
    def model_construct(cls: type[M], _fields_set: set[str] | None = None, **values: Any) -> M:
        """A model from trusted values, without validation (defaults filled in)."""
        node = _node(cls)
        out: dict[str, Any] = {}
        for spec in node.fields:
            key = spec.alias if spec.alias is not None and spec.alias in values else spec.name
            if key in values:
                out[spec.name] = values[key]
            elif not spec.required:
                out[spec.name] = spec.default()
        given = set(values) if _fields_set is None else set(_fields_set)
        return cls.__remi_new__(out, given & set(out), None)

    @classmethod
    def model_json_schema(cls, by_alias: bool = True, ref_template: str | None = None,
                          mode: str = "validation", **unsupported: Any) -> dict[str, Any]:
        """The JSON Schema of the model's input (properties by alias)."""
        if ref_template is not None or mode != "validation" or unsupported:
            raise GuestPydanticUnsupported("model_json_schema(ref_template/mode/schema_generator=...)")
        return SchemaWriter(by_alias).document(_node(cls))

    @property
    def model_fields_set(self) -> set[str]:
        """The names of the fields given when the model was made."""
        return self.__pydantic_fields_set__

    @property
    def model_extra(self) -> dict[str, Any] | None:
        """The extra keys kept (`extra="allow"`), else None."""
        return self.__pydantic_extra__

    def model_dump(self, *, mode: str = "python", by_alias: bool | None = None,
                   exclude_none: bool = False, exclude_unset: bool = False,
                   exclude_defaults: bool = False, round_trip: bool = False,
                   warnings: Any = True, **unsupported: Any) -> dict[str, Any]:
        """The fields as a dict (JSON-able values with `mode="json"`)."""
        if unsupported and any(v not in (None, False) for v in unsupported.values()):
            raise GuestPydanticUnsupported(f"model_dump({', '.join(sorted(unsupported))}=...)")
        if mode not in ("python", "json"):
            raise ValueError(f"mode must be 'python' or 'json', not {mode!r}")
        options = DumpOptions(mode == "json", bool(by_alias), exclude_none, exclude_unset,
                              exclude_defaults)
        return type(self).__remi_dump__(self, options)

    def model_dump_json(self, *, indent: int | None = None, by_alias: bool | None = None,
                        exclude_none: bool = False, exclude_unset: bool = False,
                        exclude_defaults: bool = False, round_trip: bool = False,
                        warnings: Any = True, **unsupported: Any) -> str:
        """The fields as JSON text."""
        if unsupported and any(v not in (None, False) for v in unsupported.values()):
            raise GuestPydanticUnsupported(f"model_dump_json({', '.join(sorted(unsupported))}=...)")
        options = DumpOptions(True, bool(by_alias), exclude_none, exclude_unset, exclude_defaults)
        return to_json_text(type(self).__remi_dump__(self, options), indent)

    @classmethod
    def __remi_dump__(cls, model: BaseModel, options: DumpOptions) -> dict[str, Any]:
        node = _node(type(model))
        out = node.dump_fields(model.__dict__, options, model.__pydantic_fields_set__)
        extra = model.__pydantic_extra__
        if extra:
            for key, value in extra.items():
                if options.exclude_unset and key not in model.__pydantic_fields_set__:
                    continue
                if not (options.exclude_none and value is None):
                    out[key] = dump(value, options)
        return out

    def model_copy(self: M, *, update: dict[str, Any] | None = None, deep: bool = False) -> M:
        """A copy (deep with `deep=True`), with `update` applied unvalidated."""
        made = copy.deepcopy(self) if deep else copy.copy(self)
        if update:
            made.__dict__.update(update)
            made.__pydantic_fields_set__ = made.__pydantic_fields_set__ | set(update)
        return made

    def __copy__(self: M) -> M:
        made = type(self).__new__(type(self))
        made.__dict__.update(self.__dict__)
        object.__setattr__(made, "__pydantic_fields_set__", set(self.__pydantic_fields_set__))
        extra = self.__pydantic_extra__
        object.__setattr__(made, "__pydantic_extra__", None if extra is None else dict(extra))
        return made

    def __setattr__(self, name: str, value: Any) -> None:
        cls = type(self)
        node = _node(cls)
        spec = next((s for s in node.fields if s.name == name), None)
        if cls.__remi_config__.get("frozen"):
            raise ValidationError(cls.__name__, [{"type": "frozen_instance", "loc": (name,),
                                                  "msg": "Instance is frozen", "input": value}])
        if spec is not None and spec.info.frozen:
            raise ValidationError(cls.__name__, [{"type": "frozen_field", "loc": (name,),
                                                  "msg": "Field is frozen", "input": value}])
        if spec is None and not name.startswith("_"):
            if self.__pydantic_extra__ is not None:
                self.__pydantic_extra__[name] = value
                return
            if not hasattr(cls, name):
                raise ValueError(f'"{cls.__name__}" object has no field "{name}"')
        object.__setattr__(self, name, value)
        if spec is not None:
            self.__pydantic_fields_set__.add(name)

    def __getattr__(self, name: str) -> Any:
        extra = object.__getattribute__(self, "__pydantic_extra__") \
            if name != "__pydantic_extra__" else None
        if extra is not None and name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (type(other) is type(self) and self.__dict__ == other.__dict__
                and self.__pydantic_extra__ == other.__pydantic_extra__)

    def __hash__(self) -> int:
        cls = type(self)
        if not cls.__remi_config__.get("frozen"):
            raise TypeError(f"unhashable type: {cls.__name__!r}")
        return hash((cls, *self.__dict__.values()))

    def __iter__(self) -> typing.Iterator[tuple[str, Any]]:
        yield from self.__dict__.items()
        if self.__pydantic_extra__:
            yield from self.__pydantic_extra__.items()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self)
        return f"{type(self).__name__}({fields})"

    def __str__(self) -> str:
        return " ".join(f"{k}={v!r}" for k, v in self)

    def __getstate__(self) -> dict[str, Any]:
        return {"__dict__": self.__dict__, "__pydantic_fields_set__": self.__pydantic_fields_set__,
                "__pydantic_extra__": self.__pydantic_extra__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state["__dict__"])
        object.__setattr__(self, "__pydantic_fields_set__", state["__pydantic_fields_set__"])
        object.__setattr__(self, "__pydantic_extra__", state["__pydantic_extra__"])


def _node(cls: type[BaseModel]) -> ModelNode:
    try:
        return cls.__remi_node__()
    except NameError as error:
        raise PydanticUserError(f"`{cls.__name__}` is not fully defined ({error}); define the "
                                f"types it names, then call `{cls.__name__}.model_rebuild()`.") from None


def _default_of(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
        inherited = klass.__dict__.get("model_fields", {}).get(name) \
            if klass is not cls and "__remi_built__" in klass.__dict__ else None
        if inherited is not None:
            return inherited
    return PydanticUndefined


def parse_json(data: str | bytes | bytearray, title: str) -> Any:
    """JSON text parsed, or a `ValidationError` of type `json_invalid`."""
    try:
        return json.loads(data)
    except ValueError as error:
        raise ValidationError(title, [{"type": "json_invalid", "loc": (),
                                       "msg": f"Invalid JSON: {error}", "input": data}]) from None


def create_model(
    model_name: str,
    /,
    *,
    __config__: ConfigDict | None = None,
    __doc__: str | None = None,
    __base__: type[BaseModel] | None = None,
    __module__: str | None = None,
    **fields: Any,
) -> type[BaseModel]:
    """A new model class; each field is `(type, default or Field(...))`, or a type."""
    for name in fields:
        if name.startswith("__"):
            raise GuestPydanticUnsupported(f"create_model({name}=...)")
    if __base__ is not None and __config__ is not None:
        raise PydanticUserError("to avoid confusion `__config__` and `__base__` cannot be used "
                                "together")
    annotations: dict[str, Any] = {}
    caller = sys._getframe(1).f_globals.get("__name__", "pydantic.main")
    namespace: dict[str, Any] = {"__module__": __module__ or caller,
                                 "__annotations__": annotations, "__qualname__": model_name}
    if __doc__ is not None:
        namespace["__doc__"] = __doc__
    if __config__ is not None:
        namespace["model_config"] = dict(__config__)
    for name, spec in fields.items():
        if isinstance(spec, tuple):
            if len(spec) != 2:
                raise PydanticUserError(f"Field definition for {name!r} should be a type or a "
                                        "`(<type>, <default>)` tuple")
            annotations[name], namespace[name] = spec
        else:
            annotations[name] = spec
    return type(model_name, (__base__ or BaseModel,), namespace)


_CREATE_CODE = create_model.__code__
