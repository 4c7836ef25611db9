"""A small MCP server written with the official SDK's FastMCP (`MCPServer` in mcp 2.x), for
examples/mcp_tools.py. Run it alone with `python examples/mcp_server.py` (stdio) or
`python examples/mcp_server.py --http 8765` (streamable HTTP at http://127.0.0.1:8765/mcp).
"""

from __future__ import annotations

import sys

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("notes", log_level="WARNING")
notes: dict[str, str] = {"groceries": "eggs, flour, milk"}


@server.tool()
def read_note(title: str) -> str:
    """Read a note by its title."""
    if title not in notes:  # a ToolError's text reaches the client (another error's does not)
        raise ToolError(f"no note called {title!r}; the notes are: {', '.join(notes)}")
    return notes[title]


@server.tool()
async def count_words(title: str, ctx: Context) -> int:
    """Count the words of a note, reporting progress word by word."""
    words = read_note(title).replace(",", " ").split()
    for done in range(1, len(words) + 1):
        await ctx.report_progress(done, len(words), words[done - 1])
    return len(words)


@server.tool()
def delete_note(title: str) -> str:
    """Delete a note (the example's agent asks a human first)."""
    notes.pop(title, None)
    return f"deleted {title}"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        server.run("streamable-http", port=int(sys.argv[2]))
    else:
        server.run()
