"""What the core's types say to pydantic, declared without importing it.

Importing pydantic and building its adapters is most of what `import remi_web` used to cost
(~120 ms natively, more in Pyodide). The core's dataclasses therefore name `JsonValue` and
`Tagged` from here, and its adapters are `LazyAdapter`s: pydantic is imported, and a schema
built, when a value is first validated or dumped. Type checkers see pydantic's own types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

if TYPE_CHECKING:
    from pydantic import JsonValue as JsonValue
    from pydantic import TypeAdapter
else:

    class JsonValue:
        """Any JSON value: pydantic's `JsonValue`, looked up when a schema is first built."""

        __json_value__ = True  # what the WASM guest's small pydantic recognises

        @classmethod
        def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
            from pydantic import JsonValue as json_value

            return handler.generate_schema(json_value)


T = TypeVar("T")


class Tagged:
    """`Annotated[A | B, Tagged("type")]`: a union told apart by its members' `type` field
    (pydantic's `Field(discriminator=...)`)."""

    __slots__ = ("discriminator",)

    def __init__(self, discriminator: str = "type") -> None:
        self.discriminator = discriminator

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Field

        return handler.generate_schema(Annotated[source, Field(discriminator=self.discriminator)])


class LazyAdapter(Generic[T]):
    """A pydantic `TypeAdapter` for `kind`, built on first use: `ADAPTER().validate_json(...)`."""

    __slots__ = ("_kind", "_adapter")

    def __init__(self, kind: Any) -> None:
        self._kind = kind
        self._adapter: TypeAdapter[T] | None = None

    def __call__(self) -> TypeAdapter[T]:
        adapter = self._adapter
        if adapter is None:
            from pydantic import TypeAdapter

            adapter = self._adapter = TypeAdapter(self._kind)
        return adapter
