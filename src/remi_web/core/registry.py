"""`ToolRegistry`: the tools an agent can run, by name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .model_io import ToolDefinition
from .tool import Tool


class ToolRegistry:
    """Tools by name, in the order they were first added.

    Adding a tool whose name is already taken replaces the earlier tool in its place.

    Args:
        tools: the initial tools.
    """

    __slots__ = ("_tools", "_definitions")

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        self._definitions: list[ToolDefinition] | None = None
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool) -> None:
        """Add `tool`, replacing any tool of the same name."""
        self._tools[tool.name] = tool
        self._definitions = None

    def get(self, name: str) -> Tool | None:
        """The tool called `name`, if any."""
        return self._tools.get(name)

    def names(self) -> list[str]:
        """The tools' names, in order."""
        return list(self._tools)

    def definitions(self) -> list[ToolDefinition]:
        """Every tool's definition, as sent to the model, in order: made once (the loop sends
        them on every turn, and a model client may cache their encoding by object), in a
        new list each time. Treat the definitions as read-only."""
        if self._definitions is None:
            self._definitions = [tool.definition() for tool in self._tools.values()]
        return list(self._definitions)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __repr__(self) -> str:
        return f"ToolRegistry({self.names()!r})"
