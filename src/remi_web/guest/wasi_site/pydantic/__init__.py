"""`pydantic` inside a WebAssembly guest: a façade over remi-web's stand-in `_remi_pydantic`.

Each name here behaves as in pydantic 2.14 (a differential test holds them to it); any other
name, submodule, `Field(...)` argument, setting or type raises `GuestPydanticUnsupported`
where it is used, saying the stand-in is the reason. See `remi_web.guest.wasi_site`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the type checker sees the stand-in where it lies in the source tree
    from .._remi_pydantic import (
        VERSION,
        BaseModel,
        ConfigDict,
        Field,
        FieldInfo,
        JsonValue,
        PydanticSchemaGenerationError,
        PydanticUserError,
        SecretStr,
        TypeAdapter,
        ValidationError,
        create_model,
    )
    from .._remi_pydantic.facade import install_submodule_guard, missing_name
else:  # in a guest, `_remi_pydantic` is a top-level package beside this one
    from _remi_pydantic import (
        VERSION,
        BaseModel,
        ConfigDict,
        Field,
        FieldInfo,
        JsonValue,
        PydanticSchemaGenerationError,
        PydanticUserError,
        SecretStr,
        TypeAdapter,
        ValidationError,
        create_model,
    )
    from _remi_pydantic.facade import install_submodule_guard, missing_name

__remi_facade__ = True
__all__ = [
    "BaseModel", "ConfigDict", "Field", "FieldInfo", "JsonValue", "PydanticSchemaGenerationError",
    "PydanticUserError", "SecretStr", "TypeAdapter", "VERSION", "ValidationError", "create_model",
]
__getattr__ = missing_name("pydantic")
install_submodule_guard()
