"""`pydantic.errors` in a guest (see the `pydantic` façade)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._remi_pydantic.facade import missing_name
    from .._remi_pydantic.errors import PydanticSchemaGenerationError, PydanticUserError
else:
    from _remi_pydantic.facade import missing_name
    from _remi_pydantic.errors import PydanticSchemaGenerationError, PydanticUserError

__all__ = ["PydanticSchemaGenerationError", "PydanticUserError"]
__getattr__ = missing_name("pydantic.errors")
