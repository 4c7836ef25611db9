"""`Toolset`: tools that may change while an agent lives (an MCP server's): the agent's registry
asks for the current ones when a run starts and before each model call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .tool import Tool


class Toolset(Protocol):
    """A source of tools that can come and go (`AgentBuilder.toolsets(...)`).

    The registry joins its tools to the agent's own when a run starts and before each model
    call, so a tool that appeared is offered on the next call and one that went is no longer
    offered (a call of it then gets an unknown-tool error).
    """

    async def current_tools(self) -> Sequence[Tool]:
        """The tools now. Return the same objects while nothing changed: the registry then
        keeps what it made of them (the definitions it sends)."""
        ...
