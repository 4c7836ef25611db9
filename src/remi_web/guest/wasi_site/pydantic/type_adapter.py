"""`pydantic.type_adapter` in a guest (see the `pydantic` façade)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._remi_pydantic.facade import missing_name
    from .._remi_pydantic.type_adapter import TypeAdapter
else:
    from _remi_pydantic.facade import missing_name
    from _remi_pydantic.type_adapter import TypeAdapter

__all__ = ["TypeAdapter"]
__getattr__ = missing_name("pydantic.type_adapter")
