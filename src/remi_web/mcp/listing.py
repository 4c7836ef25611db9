"""The tools an MCP server lists (`tools/list`), read from their JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..core.schema_types import JsonValue
from .errors import McpError


@dataclass(frozen=True, slots=True)
class McpToolInfo:
    """One tool as its MCP server lists it.

    Args:
        name: the server's name for it.
        description: what it does (its title when it has no description).
        input_schema: the JSON Schema of its arguments.
        annotations: the server's hints (`readOnlyHint`, `destructiveHint`...), if any.
    """

    name: str
    description: str
    input_schema: dict[str, JsonValue]
    annotations: dict[str, JsonValue] | None = None


def read_tool(entry: JsonValue, server: str) -> McpToolInfo:
    """One entry of a `tools/list` result; `McpError` naming `server` when it is malformed."""
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
        raise McpError(f"MCP server {server} listed a tool without a name: {_short(entry)}.")
    name = str(entry["name"])
    schema = entry.get("inputSchema")
    if not isinstance(schema, dict):
        raise McpError(f"MCP server {server} listed tool {name!r} without an inputSchema object.")
    description = entry.get("description")
    if not isinstance(description, str):
        title = entry.get("title")
        description = title if isinstance(title, str) else ""
    annotations = entry.get("annotations")
    return McpToolInfo(name, description, schema, annotations if isinstance(annotations, dict) else None)


def read_page(result: Mapping[str, JsonValue], server: str) -> tuple[list[McpToolInfo], str | None]:
    """The tools of one `tools/list` page and the cursor of the next (None: the last page)."""
    tools = result.get("tools")
    if not isinstance(tools, list):
        raise McpError(f"MCP server {server} answered tools/list without a tools array.")
    cursor = result.get("nextCursor")
    return [read_tool(entry, server) for entry in tools], cursor if isinstance(cursor, str) else None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
