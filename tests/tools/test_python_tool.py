"""`python_tool` natively: model-written Python in the bubblewrap sandbox, in a workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from tool_calls import call, tool_ctx

from remi_web.tools import python_tool

SECRET = "tgp_v1_python-secret-0123456789"


async def test_it_runs_code_in_the_workspace_and_streams_output(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_text("3\n4\n")
    progress: list[object] = []
    tool = python_tool(tmp_path)
    code = (
        "nums = [int(x) for x in open('data.txt')]\n"
        "print('sum', sum(nums), flush=True)\n"
        "open('out.txt', 'w').write('done')"
    )
    result = await call(tool, tool_ctx(progress=progress), code=code)
    assert result == "sum 7\n[exit code 0]"
    assert "sum 7" in "".join(str(p) for p in progress)
    assert (tmp_path / "out.txt").read_text() == "done"


async def test_errors_timeouts_and_isolation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    tool = python_tool(tmp_path, timeout=1)
    failed = await call(tool, code="1 / 0")
    looped = await call(tool, code="while True: pass")
    peek = await call(tool, code=(
        "import os, socket\nprint(sorted(os.environ))\n"
        "try:\n    socket.create_connection(('127.0.0.1', 9), 1)\nexcept OSError as e:\n"
        "    print('no network')"
    ))
    assert "ZeroDivisionError" in failed and failed.endswith("[exit code 1]")
    assert "Timed out after 1 s" in looped
    assert SECRET not in peek and "no network" in peek
    assert "OPENAI_API_KEY" not in peek


async def test_without_a_workspace_each_call_gets_an_empty_directory() -> None:
    tool = python_tool()
    first = await call(tool, code="open('x', 'w').write('1'); import os; print(os.listdir('.'))")
    second = await call(tool, code="import os; print(os.listdir('.'))")
    assert "['x']" in first and "[]" in second
