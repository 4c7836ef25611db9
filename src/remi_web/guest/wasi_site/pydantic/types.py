"""`pydantic.types` in a guest (see the `pydantic` façade)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._remi_pydantic.facade import missing_name
    from .._remi_pydantic.types import JsonValue, SecretStr
else:
    from _remi_pydantic.facade import missing_name
    from _remi_pydantic.types import JsonValue, SecretStr

__all__ = ["JsonValue", "SecretStr"]
__getattr__ = missing_name("pydantic.types")
