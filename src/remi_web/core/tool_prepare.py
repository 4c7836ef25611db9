"""Tools that change per turn: a tool's `prepare` hook may hide it from one model call or
change its definition (description, schema) for that call (`@tool(prepare=...)`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from .ctx import ChatCtx
from .errors import ConfigurationError
from .model_io import ToolDefinition
from .registry import ToolRegistry

PrepareTool: TypeAlias = Callable[
    [ChatCtx, ToolDefinition], ToolDefinition | None | Awaitable[ToolDefinition | None]
]
"""Given the run's context and the tool's definition, the definition to send on this model
call, or None to hide the tool from it; sync or async."""


@dataclass(frozen=True, slots=True)
class TurnTools:
    """The local tools of one model call: their definitions, and the names hidden from it."""

    definitions: list[ToolDefinition]
    hidden: frozenset[str] = frozenset()


async def prepare_tools(registry: ToolRegistry, ctx: ChatCtx) -> TurnTools:
    """Each tool's definition for this call, through its `prepare` hook if it has one."""
    definitions = registry.definitions()
    hooks: list[PrepareTool | None] = [getattr(tool, "prepare", None) for tool in registry]
    if not any(hooks):
        return TurnTools(definitions)
    shown: list[ToolDefinition] = []
    hidden: set[str] = set()
    for definition, hook in zip(definitions, hooks, strict=True):
        if hook is None:
            shown.append(definition)
            continue
        made = hook(ctx, definition)
        prepared = made if made is None or isinstance(made, ToolDefinition) else await made
        if prepared is None:
            hidden.add(definition.name)
        elif prepared.name != definition.name:
            raise ConfigurationError(
                f"The prepare hook of tool {definition.name!r} renamed it to {prepared.name!r}; "
                "a hook may change the description and schema, not the name."
            )
        else:
            shown.append(prepared)
    return TurnTools(shown, frozenset(hidden))


def unknown_tool_text(name: str, available: Sequence[str]) -> str:
    """What the model reads when it calls a tool it was not offered."""
    known = ", ".join(available) or "none"
    return f"Unknown tool {name!r}. Available tools: {known}."
