"""`pydantic.main` in a guest (see the `pydantic` façade)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._remi_pydantic.facade import missing_name
    from .._remi_pydantic.main import BaseModel, create_model
else:
    from _remi_pydantic.facade import missing_name
    from _remi_pydantic.main import BaseModel, create_model

__all__ = ["BaseModel", "create_model"]
__getattr__ = missing_name("pydantic.main")
