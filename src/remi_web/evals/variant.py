"""`Variant`: one experiment condition a captured session is replayed under (another system
prompt, tools appended or replaced, another model, temperature or completion budget)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from ..core.model_io import ToolDefinition
from ..core.schema_types import JsonValue, LazyAdapter
from .errors import InvalidVariant

ToolMode: TypeAlias = Literal["append", "replace"]
"""How a variant's tools meet the captured ones: added to them, or instead of them."""

TOOL_MODES: tuple[ToolMode, ...] = ("append", "replace")


@dataclass(frozen=True, slots=True)
class Variant:
    """One condition of an experiment; what it leaves at None is replayed as captured.

    Args:
        id: a short, unique name (table columns, JSON keys).
        label: what a report shows (the id by default).
        system: a system prompt that replaces the history's first system message (or is
            put first when there is none).
        tools: external tool definitions, added to the captured ones (`tool_mode="append"`;
            one of the same name replaces it) or instead of them (`"replace"`). The agent's
            own tools are not touched.
        tool_mode: "append" (the default) or "replace".
        model: the model to ask for (`RunOverrides.model`).
        temperature: the temperature to use.
        max_tokens: the completion budget.
        metadata: merged over the captured metadata (the variant's keys win).
    """

    id: str
    label: str = ""
    system: str | None = None
    tools: list[ToolDefinition] = field(default_factory=list)
    tool_mode: ToolMode = "append"
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    metadata: dict[str, JsonValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise InvalidVariant("A variant needs a non-empty `id`.")
        if self.tool_mode not in TOOL_MODES:
            raise InvalidVariant(
                f"Variant {self.id!r}: tool_mode is {self.tool_mode!r}; use 'append' or 'replace'."
            )
        if not self.label:
            object.__setattr__(self, "label", self.id)

    @staticmethod
    def baseline(id: str = "baseline", label: str = "Baseline") -> Variant:
        """The variant that changes nothing: the session replayed as captured."""
        return Variant(id, label)

    def to_dict(self) -> dict[str, Any]:
        """The variant as JSON-ready data."""
        data: dict[str, Any] = VARIANT_ADAPTER().dump_python(self, mode="json")
        return data

    @staticmethod
    def from_dict(data: object) -> Variant:
        """A variant from JSON-ready data (`to_dict`'s, or a variants file's entry)."""
        return VARIANT_ADAPTER().validate_python(data)


def unique_variants(variants: Sequence[Variant]) -> list[Variant]:
    """`variants` as a list, or `InvalidVariant` when there are none or two share an id."""
    if not variants:
        raise InvalidVariant("An experiment needs at least one variant (Variant.baseline()).")
    seen: set[str] = set()
    for variant in variants:
        if variant.id in seen:
            raise InvalidVariant(f"Two variants have the id {variant.id!r}; ids must be unique.")
        seen.add(variant.id)
    return list(variants)


VARIANT_ADAPTER = LazyAdapter[Variant](Variant)
"""Turns a `Variant` into JSON and back."""
