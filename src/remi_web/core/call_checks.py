"""Calls the loop answers at once with an error, before any tool runs: an external tool's call
whose arguments do not fit its schema (it is never handed out), and a call of a tool hidden from
this turn by its `prepare` hook (answered as a call of an unknown tool). The model reads why, and
may call again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .errors import ToolInputError
from .json_schema import load_jsonschema, validate_arguments
from .messages import ToolCallRequest
from .model_io import ToolDefinition
from .outcome import ToolOutcome
from .tool_prepare import unknown_tool_text


async def refused_calls(
    calls: list[ToolCallRequest],
    external: Mapping[str, ToolDefinition],
    hidden: frozenset[str],
    local_names: Iterable[str],
    check_schemas: bool,
) -> list[ToolOutcome]:
    """The error outcome of each call in `calls` that must not run or be handed out."""
    refused: list[ToolOutcome] = []
    if check_schemas and any(call.name in external for call in calls):
        await load_jsonschema()
        for call in calls:
            definition = external.get(call.name)
            if definition is None:
                continue
            try:
                validate_arguments(call.name, definition.parameters, call.arguments)
            except ToolInputError as error:
                refused.append(ToolOutcome(call.id, str(error), True, call.name))
    if hidden and any(call.name in hidden for call in calls):
        shown = [name for name in [*local_names, *external] if name not in hidden]
        refused.extend(
            ToolOutcome(call.id, unknown_tool_text(call.name, shown), True, call.name)
            for call in calls if call.name in hidden
        )
    return refused
