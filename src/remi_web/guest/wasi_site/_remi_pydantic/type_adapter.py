"""`TypeAdapter`: validate, dump and describe any type (dataclasses, unions, lists...)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

from ._compile import type_node
from ._dump import DumpOptions, to_json_text
from ._schema import SchemaWriter
from ._state import Invalid, State
from .config import checked
from .errors import GuestPydanticUnsupported, ValidationError
from .main import parse_json

T = TypeVar("T")


class TypeAdapter(Generic[T]):
    """Validation, dumping and JSON Schema for one type.

    Args:
        type: the type, e.g. a dataclass or an annotated union of them.
        config: settings (`ConfigDict`) for types that have none of their own.
    """

    __slots__ = ("_type", "_node", "_title")

    def __init__(self, type: Any, *, config: Any = None, **unsupported: Any) -> None:  # noqa: A002
        if unsupported:
            raise GuestPydanticUnsupported(f"TypeAdapter({', '.join(sorted(unsupported))}=...)")
        self._type = type
        owner = getattr(type, "__name__", None) or repr(type)
        settings = checked(config, owner)
        self._node = type_node(type, settings, owner)
        self._title = owner

    def validate_python(self, object: Any, /, *, strict: bool | None = None,  # noqa: A002
                        from_attributes: bool | None = None, context: Any = None,
                        **unsupported: Any) -> T:
        """`object` checked against the type (dicts become dataclasses or models)."""
        if from_attributes or unsupported:
            raise GuestPydanticUnsupported("validate_python(from_attributes/by_alias=...)")
        try:
            return cast(T, self._node.validate(object, State(strict), ()))
        except Invalid as error:
            raise ValidationError(self._title, error.errors) from None

    def validate_json(self, data: str | bytes | bytearray, /, *, strict: bool | None = None,
                      context: Any = None, **unsupported: Any) -> T:
        """Parse JSON text, then validate it (JSON's own strict-mode rules)."""
        if unsupported:
            raise GuestPydanticUnsupported(f"validate_json({', '.join(sorted(unsupported))}=...)")
        parsed = parse_json(data, self._title)
        try:
            return cast(T, self._node.validate(parsed, State(strict, json=True), ()))
        except Invalid as error:
            raise ValidationError(self._title, error.errors) from None

    def dump_python(self, instance: T, /, *, mode: str = "python", by_alias: bool | None = None,
                    exclude_none: bool = False, **unsupported: Any) -> Any:
        """`instance` as plain Python data (JSON-able with `mode="json"`)."""
        _refuse(unsupported, "dump_python")
        return self._node.dump(instance, DumpOptions(mode == "json", bool(by_alias), exclude_none))

    def dump_json(self, instance: T, /, *, indent: int | None = None,
                  by_alias: bool | None = None, exclude_none: bool = False,
                  **unsupported: Any) -> bytes:
        """`instance` as UTF-8 JSON."""
        _refuse(unsupported, "dump_json")
        options = DumpOptions(True, bool(by_alias), exclude_none)
        return to_json_text(self._node.dump(instance, options), indent).encode()

    def json_schema(self, *, by_alias: bool = True, mode: str = "validation",
                    **unsupported: Any) -> dict[str, Any]:
        """The JSON Schema of the type."""
        if mode != "validation" or unsupported:
            raise GuestPydanticUnsupported("json_schema(mode/ref_template/schema_generator=...)")
        return SchemaWriter(by_alias).document(self._node)


def _refuse(unsupported: dict[str, Any], where: str) -> None:
    if any(value not in (None, False) for value in unsupported.values()):
        raise GuestPydanticUnsupported(f"{where}({', '.join(sorted(unsupported))}=...)")
