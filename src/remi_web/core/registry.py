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

    __slots__ = ("_tools",)

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool) -> None:
        """Add `tool`, replacing any tool of the same name."""
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        """The tool called `name`, if any."""
        return self._tools.get(name)

    def names(self) -> list[str]:
        """The tools' names, in order."""
        return list(self._tools)

    def definitions(self) -> list[ToolDefinition]:
        """Every tool's definition, as sent to the model, in order."""
        return [tool.definition() for tool in self._tools.values()]

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __repr__(self) -> str:
        return f"ToolRegistry({self.names()!r})"
