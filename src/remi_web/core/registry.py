"""`ToolRegistry`: the tools an agent can run, by name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack

from .errors import ConfigurationError
from .model_io import ToolDefinition
from .tool import Tool
from .toolset import Toolset


class ToolRegistry:
    """Tools by name, in the order they were first added, then the toolsets' tools.

    Adding a tool whose name is already taken replaces the earlier tool in its place. The
    toolsets' tools are joined by `refresh()` (the loop calls it when a run starts and before
    each model call); a toolset's tool may not take a name already taken.

    Args:
        tools: the initial tools.
        toolsets: sources of tools that may change while the agent lives (MCP servers').
    """

    __slots__ = ("_own", "_tools", "_definitions", "_toolsets", "_joined", "_opened", "_users")

    def __init__(self, tools: Iterable[Tool] = (), toolsets: Iterable[Toolset] = ()) -> None:
        self._own: dict[str, Tool] = {}
        self._tools: dict[str, Tool] = self._own
        self._definitions: list[ToolDefinition] | None = None
        self._toolsets = tuple(toolsets)
        self._joined: tuple[Tool, ...] = ()
        self._opened: AsyncExitStack | None = None
        self._users = 0
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool) -> None:
        """Add `tool`, replacing any tool of the same name (but not a toolset's tool)."""
        if any(joined.name == tool.name for joined in self._joined):
            raise _clash(tool.name)
        self._own[tool.name] = tool
        if self._joined:
            self._tools = self._join(self._joined)
        self._definitions = None

    async def open(self) -> None:
        """Open the toolsets that are async context managers (`McpToolset`: its servers'
        connections), in order; if one fails, those opened are closed again. Counted: only
        the first of nested opens opens, and the matching last `aclose` closes."""
        if self._opened is None:
            async with AsyncExitStack() as stack:
                for toolset in self._toolsets:
                    if isinstance(toolset, AbstractAsyncContextManager):
                        await stack.enter_async_context(toolset)
                self._opened = stack.pop_all()
        self._users += 1

    async def aclose(self) -> None:
        """Close what `open` opened, last first, when no other opener still uses it; an
        extra call does nothing."""
        self._users = max(self._users - 1, 0)
        opened = self._opened
        if opened is not None and self._users == 0:
            self._opened = None
            await opened.aclose()

    async def refresh(self) -> None:
        """Join the toolsets' current tools (nothing to do without toolsets).

        Raises `ConfigurationError` when two tools would have the same name.
        """
        if not self._toolsets:
            return
        current: list[Tool] = []
        for toolset in self._toolsets:
            current.extend(await toolset.current_tools())
        if len(current) == len(self._joined) and all(
            new is old for new, old in zip(current, self._joined, strict=True)
        ):
            return
        self._tools = self._join(current)
        self._joined = tuple(current)
        self._definitions = None

    def _join(self, joined: Sequence[Tool]) -> dict[str, Tool]:
        """The own tools, then `joined` (none: the own tools' dict itself)."""
        if not joined:
            return self._own
        tools = dict(self._own)
        for tool in joined:
            if tool.name in tools:
                raise _clash(tool.name)
            tools[tool.name] = tool
        return tools

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


def _clash(name: str) -> ConfigurationError:
    return ConfigurationError(
        f"Two tools are named {name!r}: one from a toolset and another tool. "
        "Give the toolset a prefix (e.g. `mcp_tools(..., prefix=...)`) or rename one."
    )
