"""remi-web's pure-Python stand-in for pydantic, for WebAssembly guests (`import
_remi_pydantic`). In a guest the `pydantic` and `pydantic_core` names are thin façades over
it (see `remi_web.guest.wasi_site`): each supported feature behaves as in pydantic 2.14, and
anything else raises `GuestPydanticUnsupported` where it is named or defined.
"""

from __future__ import annotations

from .config import ConfigDict
from .errors import (
    GuestPydanticUnsupported,
    PydanticSchemaGenerationError,
    PydanticUserError,
    ValidationError,
)
from .fields import Field, FieldInfo, PydanticUndefined
from .json import PydanticSerializationError, from_json, to_json, to_jsonable_python
from .main import BaseModel, create_model
from .type_adapter import TypeAdapter
from .types import JsonValue, SecretStr

VERSION = "2.14.0+remi-wasi-stand-in"
"""pydantic's version this stand-in follows, marked as the stand-in."""

__all__ = [
    "BaseModel", "ConfigDict", "Field", "FieldInfo", "GuestPydanticUnsupported", "JsonValue",
    "PydanticSchemaGenerationError", "PydanticSerializationError", "PydanticUndefined",
    "PydanticUserError", "SecretStr", "TypeAdapter", "VERSION", "ValidationError",
    "create_model", "from_json", "to_json", "to_jsonable_python",
]
