"""An agent with the tools of an MCP server: calls, progress, a tool error, an approval.

Run it with `python examples/mcp_tools.py` (needs `pip install 'remi-web[mcp]'`). It starts
examples/mcp_server.py over stdio and uses the built-in scripted model, so it needs no provider
and no network; swap in `OpenAIModel(...)` to talk to a real one, and
`mcp_tools(http=["https://.../mcp"])` for a remote server.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    InterruptEvent,
    ScriptedModel,
    ToolCall,
    ToolProgress,
    ToolResult,
)
from remi_web.mcp import mcp_tools

SERVER = [sys.executable, str(Path(__file__).with_name("mcp_server.py"))]


async def main() -> list[str]:
    """Run the example; returns the lines it printed."""
    lines: list[str] = []
    model = ScriptedModel([
        [ToolCall("notes_read_note", {"title": "todo"})],
        [ToolCall("notes_count_words", {"title": "groceries"})],
        [ToolCall("notes_delete_note", {"title": "groceries"})],
        ["Three words, and the note is gone."],
    ])
    # The server runs while the block runs; its tools are offered as `notes_...`, and a
    # call of delete_note waits for a human.
    async with mcp_tools(stdio=[SERVER], prefix="notes", requires_approval={"delete_note"}) as tools:
        agent = AgentBuilder().model(model).toolsets(tools).build()
        lines.append(f"tools: {', '.join(tool.name for tool in tools.tools)}")

        pending: InterruptEvent | None = None
        async for event in agent.chat("How long is my grocery list? Then delete it."):
            if isinstance(event, ToolProgress):
                lines.append(f"progress {event.name}: {event.data}")
            elif isinstance(event, ToolResult):
                error = " (error)" if event.is_error else ""
                lines.append(f"tool {event.name}{error} -> {event.content}")
            elif isinstance(event, InterruptEvent):
                pending = event
                lines.append(f"approval needed: {event.interrupts[0].payload}")

        assert pending is not None
        answer = {pending.interrupts[0].interrupt_id: True}
        async for event in agent.chat(ChatRequest.resume(pending.run_id, answer)):
            if isinstance(event, ToolResult):
                lines.append(f"tool {event.name} -> {event.content}")
            elif isinstance(event, Done):
                lines.append(f"done: {event.text!r}")
    return lines


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
