"""`pydantic_core` inside a WebAssembly guest: the JSON helpers and `ValidationError` of
remi-web's stand-in (see the `pydantic` façade); any other name raises
`GuestPydanticUnsupported`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._remi_pydantic import (
        PydanticSerializationError,
        PydanticUndefined,
        ValidationError,
        from_json,
        to_json,
        to_jsonable_python,
    )
    from .._remi_pydantic.facade import install_submodule_guard, missing_name
else:
    from _remi_pydantic import (
        PydanticSerializationError,
        PydanticUndefined,
        ValidationError,
        from_json,
        to_json,
        to_jsonable_python,
    )
    from _remi_pydantic.facade import install_submodule_guard, missing_name

__version__ = "2.50.5+remi-wasi-stand-in"
__remi_facade__ = True
__all__ = ["PydanticSerializationError", "PydanticUndefined", "ValidationError", "from_json",
           "to_json", "to_jsonable_python"]
__getattr__ = missing_name("pydantic_core")
install_submodule_guard()
