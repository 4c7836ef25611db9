"""`pydantic.config` in a guest (see the `pydantic` façade)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._remi_pydantic.facade import missing_name
    from .._remi_pydantic.config import ConfigDict
else:
    from _remi_pydantic.facade import missing_name
    from _remi_pydantic.config import ConfigDict

__all__ = ["ConfigDict"]
__getattr__ = missing_name("pydantic.config")
