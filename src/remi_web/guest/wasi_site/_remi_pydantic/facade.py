"""What makes `pydantic` and `pydantic_core` in a guest loud about what they lack: a module
`__getattr__` for missing names and an import hook for missing submodules, both raising
`GuestPydanticUnsupported` naming the feature."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from .errors import GuestPydanticUnsupported

_HINTS = {
    "field_validator": "Validate in the tool or method body instead.",
    "model_validator": "Validate in the tool or method body instead.",
    "validator": "Validate in the tool or method body instead.",
    "root_validator": "Validate in the tool or method body instead.",
    "computed_field": "Use a plain @property (it is not dumped).",
    "RootModel": "Use a model with one field, or a TypeAdapter.",
    "validate_call": "@tool validates a function's arguments already.",
}


def missing_name(module: str) -> Callable[[str], Any]:
    """A module `__getattr__` for `module`: dunder names are plainly missing; any other name
    is a pydantic feature the stand-in lacks."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        raise GuestPydanticUnsupported(f"{module}.{name}", _HINTS.get(name, ""))

    return __getattr__


class _MissingSubmodules(importlib.abc.MetaPathFinder):
    """Last on `sys.meta_path`: a `pydantic.*` or `pydantic_core.*` module that is not here."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top in ("pydantic", "pydantic_core") and "." in fullname and \
                getattr(sys.modules.get(top), "__remi_facade__", False):
            raise GuestPydanticUnsupported(f"the module {fullname}")
        return None


def install_submodule_guard() -> None:
    """Add the submodule guard to the import system (once)."""
    if not any(isinstance(finder, _MissingSubmodules) for finder in sys.meta_path):
        sys.meta_path.append(_MissingSubmodules())
