"""`python_tool`: the model runs Python, away from the agent, in the page and natively.

In the page (Pyodide) each call runs in a *separate* Pyodide worker (`web/python_worker.js`):
the workspace's files (a `VirtualFS`) are copied in and the files it changed copied back, its
output streams as tool progress, and at the timeout the worker is terminated: it never sees the
page, its DOM or the agent's memory, and a runaway loop cannot freeze the page. Natively the
same tool runs `python3` in the bubblewrap `Sandbox` of the shell tool, in a workspace
directory. Same tool definition, same result format (output, then `[exit code N]`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from typing import Literal, TypeAlias

from ..core.schema_types import JsonValue

from ..core.errors import ConfigurationError
from ..core.function_tool import FunctionTool
from ..core.tool import ToolCtx
from .vfs import VirtualFS

PythonTool = FunctionTool[..., object]
"""The tool `python_tool` makes."""

Runner: TypeAlias = Callable[[str, Callable[[JsonValue], None]], Awaitable[str]]

DESCRIPTION = (
    "Run Python code and return what it prints (stdout and stderr) and its exit code. The code "
    "runs in a fresh, isolated interpreter each time, in the workspace directory (read and write "
    "files there with relative paths); nothing persists between calls but the files. Print what "
    "you want to see."
)


def python_tool(
    workspace: str | os.PathLike[str] | VirtualFS | None = None,
    *,
    name: str = "python",
    timeout: float = 30.0,
    max_output_bytes: int = 64 * 1024,
    requires_approval: bool = False,
    sandbox: object = None,
    network: bool = False,
) -> PythonTool:
    """A tool that runs model-written Python in isolation.

    Args:
        workspace: in the page, the `VirtualFS` whose files the code sees (None: none);
            natively, the directory the code runs in (None: a fresh empty one per call).
        name: the tool's name.
        timeout: seconds a call may run before it is stopped.
        max_output_bytes: output kept for the model.
        requires_approval: ask a human before each call (off: the code is isolated).
        sandbox: natively, a `Sandbox` (default: `Sandbox(network=network)`), or "none".
        network: natively, let the code reach the network.

    Raises:
        ConfigurationError: natively without bubblewrap (unless sandbox="none"), or for a
            workspace of the wrong kind for this platform.
    """
    if timeout <= 0:
        raise ConfigurationError("python_tool needs a positive timeout.")
    in_page = sys.platform == "emscripten"
    if in_page:
        if workspace is not None and not isinstance(workspace, VirtualFS):
            raise ConfigurationError("In the page, python_tool's workspace is a VirtualFS.")
        run = _page_runner(workspace, timeout, max_output_bytes)
    else:
        if isinstance(workspace, VirtualFS):
            raise ConfigurationError("Natively, python_tool's workspace is a directory.")
        run = _native_runner(workspace, timeout, max_output_bytes, sandbox, network)

    async def run_python(ctx: ToolCtx, code: str) -> str:
        """Run Python code in an isolated interpreter and return its output and exit code.

        Args:
            code: the program, e.g. "print(sum(range(10)))".
        """
        if ctx.chat.cancelled:
            return "Not run: the run was cancelled."
        return await run(code, ctx.progress)

    fn: Callable[..., object] = run_python
    return FunctionTool(fn, name=name, description=DESCRIPTION,
                        requires_approval=requires_approval, localns=globals())


def report(output: str, exit_code: int, timed_out: bool, timeout: float) -> str:
    """The tool's result: the output, what stopped it, its exit code."""
    lines = [output.rstrip("\n") if output.strip() else "(no output)"]
    if timed_out:
        lines.append(f"[Timed out after {timeout:g} s: the interpreter was stopped.]")
    lines.append(f"[exit code {exit_code}]")
    return "\n".join(lines)


def _native_runner(
    workspace: str | os.PathLike[str] | None,
    timeout: float,
    max_output_bytes: int,
    sandbox: object,
    network: bool,
) -> Runner:
    from .sandbox import SANDBOX_PATH, PidsGroup, Sandbox

    box: Sandbox | Literal["none"]
    if sandbox is None:
        box = Sandbox(network=network)
    elif isinstance(sandbox, Sandbox) or sandbox == "none":
        box = sandbox
    else:
        raise ConfigurationError(f"sandbox must be a Sandbox or 'none', not {sandbox!r}.")
    if isinstance(box, Sandbox) and not box.available():
        raise ConfigurationError(
            f"python_tool runs code in a bubblewrap sandbox, and {box.binary!r} is not "
            "installed: apt-get install bubblewrap (or pass sandbox='none')."
        )
    root = None if workspace is None else os.path.realpath(os.fspath(workspace))
    if root is not None and not os.path.isdir(root):
        raise ConfigurationError(f"python_tool's workspace {root!r} is not a directory.")

    async def run(code: str, progress: Callable[[JsonValue], None]) -> str:
        from .process import run_process

        with tempfile.TemporaryDirectory(prefix="remi-python-") as scratch:
            where = root or os.path.realpath(scratch)
            env = {"PATH": SANDBOX_PATH, "HOME": where, "LANG": "C.UTF-8"}
            argv = ["python3", "-I", "-c", code]
            group = None
            if isinstance(box, Sandbox):
                group = PidsGroup.make(box.processes)
                argv = box.command(argv, root=where, cwd=where, env=env)
            try:
                result = await run_process(
                    argv, cwd=where, env=env, timeout=timeout, max_output_bytes=max_output_bytes,
                    on_output=progress,
                    before_exec=box.limits(group) if isinstance(box, Sandbox) else None,
                )
            finally:
                if group is not None:
                    group.remove()
        return report(result.output, result.exit_code, result.timed_out, timeout)

    return run


def _page_runner(
    workspace: VirtualFS | None, timeout: float, max_output_bytes: int
) -> Runner:
    async def run(code: str, progress: Callable[[JsonValue], None]) -> str:
        from .python_worker import run_in_worker

        files: dict[str, str] = {}
        tree = workspace
        for entry in [] if tree is None else tree.walk("/"):
            if entry.kind == "file" and tree is not None:
                try:
                    files[entry.path] = tree.read_text(entry.path)
                except Exception:  # a binary file stays behind
                    continue
        outcome = await run_in_worker(code, files, timeout, progress)
        if workspace is not None and workspace.writable:
            for path, text in outcome.changed.items():
                workspace.write_text(path, text)
        output = outcome.output
        if len(output) > max_output_bytes:
            half = max_output_bytes // 2
            output = output[:half] + "\n[... output cut ...]\n" + output[-half:]
        return report(output, outcome.exit_code, outcome.timed_out, timeout)

    return run
