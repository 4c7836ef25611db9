"""`ConfigDict`: a model's settings. Only the keys in `SUPPORTED` exist here; any other key
raises `GuestPydanticUnsupported` when the model is defined."""

from __future__ import annotations

from typing import Any, TypedDict

from .errors import GuestPydanticUnsupported


class ConfigDict(TypedDict, total=False):
    """Model settings (the subset this stand-in has, each as in pydantic)."""

    title: str
    extra: str
    strict: bool
    frozen: bool
    populate_by_name: bool
    validate_by_name: bool
    validate_by_alias: bool
    arbitrary_types_allowed: bool
    json_schema_extra: dict[str, Any]


SUPPORTED = tuple(ConfigDict.__annotations__)
"""The settings this stand-in has."""

_EXTRA = ("ignore", "forbid", "allow")


def checked(config: Any, owner: str) -> dict[str, Any]:
    """`config` as a plain dict, refusing settings this stand-in does not have."""
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise GuestPydanticUnsupported(f"model_config of type {type(config).__name__} (in {owner})",
                                       "Use a dict or ConfigDict(...).")
    for key, value in config.items():
        if key not in SUPPORTED:
            raise GuestPydanticUnsupported(f"ConfigDict({key}=...) (in {owner})",
                                           f"Settings here: {', '.join(SUPPORTED)}.")
        if key == "extra" and value not in _EXTRA:
            raise GuestPydanticUnsupported(f"ConfigDict(extra={value!r}) (in {owner})")
        if key == "json_schema_extra" and not isinstance(value, dict):
            raise GuestPydanticUnsupported(f"a callable json_schema_extra (in {owner})")
    return dict(config)


def by_name(config: dict[str, Any]) -> bool:
    """Whether fields can be given by name as well as by alias."""
    return bool(config.get("populate_by_name") or config.get("validate_by_name"))
