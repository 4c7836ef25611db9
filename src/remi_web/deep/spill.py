"""Spilling long tool results to the workspace: a result longer than a threshold is written
to a file, and the model gets a pointer that says how to read it in chunks.

The wrapped tool runs with the caller's own `ToolCtx`: its progress and events still stream
live (nothing is buffered), only its final text is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.content import content_text
from ..core.model_io import ToolDefinition
from ..core.tool import Interrupt, Tool, ToolCtx, ToolReturn
from ..tools.workspace import Workspace

SPILL_DIR = "/.tool-results"


@dataclass(slots=True)
class SpillingTool:
    """`inner`, whose long results are saved in `workspace` instead of sent whole.

    Args:
        inner: the tool.
        workspace: where long results go (the agent's file tools read them back).
        threshold: the most characters of a result sent to the model as they are.
        read_tool: the name of the file tool that reads a file by line range.
    """

    inner: Tool
    workspace: Workspace
    threshold: int = 8000
    read_tool: str = "fs_read"

    @property
    def name(self) -> str:
        """The inner tool's name."""
        return self.inner.name

    @property
    def idempotent(self) -> bool:
        """As the inner tool."""
        return bool(getattr(self.inner, "idempotent", False))

    @property
    def timeout(self) -> float | None:
        """As the inner tool."""
        value = getattr(self.inner, "timeout", None)
        return float(value) if value is not None else None

    def definition(self) -> ToolDefinition:
        """The inner tool's definition."""
        return self.inner.definition()

    async def run(self, arguments: str, ctx: ToolCtx) -> ToolReturn:
        """Run the inner tool; spill its result if it is too long."""
        returned = await self.inner.run(arguments, ctx)
        if isinstance(returned, Interrupt):
            return returned
        text = content_text(returned)
        if len(text) <= self.threshold or not isinstance(returned, str):
            return returned
        path = f"{SPILL_DIR}/{self.name}-{ctx.call_id}.txt"
        files = await self.workspace.open(ctx.chat)
        files.make_dir(SPILL_DIR)
        files.write_bytes(path, text.encode())
        await self.workspace.changed(ctx.chat)
        lines = text.splitlines()
        shown, size = 0, 0
        while shown < len(lines) and size + len(lines[shown]) < self.threshold // 4:
            size += len(lines[shown]) + 1
            shown += 1
        excerpt = "\n".join(lines[:shown])
        return (
            f"{excerpt}\n\n[The result has {len(text)} characters in {len(lines)} lines, too "
            f"long to show whole: lines 1-{shown} are above, and all of it is saved in {path}. "
            f"Read on in chunks with {self.read_tool}(path={path!r}, offset={shown + 1}, "
            "limit=200) and so on.]"
        )


def spilling(tools: list[Tool], workspace: Workspace, threshold: int) -> list[Tool]:
    """Each of `tools` spilling results over `threshold` characters into `workspace`."""
    return [SpillingTool(tool, workspace, threshold) for tool in tools]
