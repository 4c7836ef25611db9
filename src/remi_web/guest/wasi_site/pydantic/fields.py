"""`pydantic.fields` in a guest (see the `pydantic` façade)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._remi_pydantic.facade import missing_name
    from .._remi_pydantic.fields import Field, FieldInfo, PydanticUndefined
else:
    from _remi_pydantic.facade import missing_name
    from _remi_pydantic.fields import Field, FieldInfo, PydanticUndefined

__all__ = ["Field", "FieldInfo", "PydanticUndefined"]
__getattr__ = missing_name("pydantic.fields")
