"""examples/mcp_tools.py runs as docs/mcp.md shows it."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "mcp_tools.py"


async def test_the_mcp_example_runs_offline() -> None:
    lines = await runpy.run_path(str(EXAMPLE))["main"]()
    assert lines[0] == "tools: notes_read_note, notes_count_words, notes_delete_note"
    assert lines[1].startswith("tool notes_read_note (error) -> ") and "no note called 'todo'" in lines[1]
    assert [line for line in lines if line.startswith("progress")] == [
        f"progress notes_count_words: {{'progress': {n}.0, 'total': 3.0, 'message': {word!r}}}"
        for n, word in ((1, "eggs"), (2, "flour"), (3, "milk"))
    ]
    assert "tool notes_count_words -> 3" in lines
    assert "approval needed: {'tool': 'notes_delete_note', 'arguments': {'title': 'groceries'}}" in lines
    assert lines[-2:] == [
        "tool notes_delete_note -> deleted groceries",
        "done: 'Three words, and the note is gone.'",
    ]
