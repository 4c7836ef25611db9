"""A pure-Python stand-in for the parts of pydantic remi-web uses, for WebAssembly guests.

See `remi_web.guest.wasi_site`: only `remi build` puts it on a module path.
"""

from __future__ import annotations

from ._typing import JsonValue
from .errors import PydanticUserError, ValidationError
from .fields import Field, FieldInfo
from .main import BaseModel, ConfigDict, create_model
from .type_adapter import TypeAdapter
from .types import SecretStr

VERSION = "2.0+remi-wasi-stand-in"

__all__ = [
    "BaseModel", "ConfigDict", "Field", "FieldInfo", "JsonValue", "PydanticUserError",
    "SecretStr", "TypeAdapter", "ValidationError", "VERSION", "create_model",
]
