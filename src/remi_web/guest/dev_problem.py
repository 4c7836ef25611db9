"""`SourceProblem`: why an agent's source did not load under `remi dev`, with the real file,
line and code (never a path inside the component).

Made on the host from a `SyntaxError` of the native compile check, and in the dev runtime
component from whatever importing the agent raised; it crosses the boundary as JSON and is
printed like a Python traceback.
"""

from __future__ import annotations

import json
import linecache
import sys
import traceback
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Literal, TypeAlias

ProblemKind: TypeAlias = Literal["syntax", "missing_module", "import", "error", "no_agent"]
"""What went wrong: a syntax error, a standard module the dev runtime lacks, another module
not found, an exception while the agent's module ran, or no agent defined in it."""


@dataclass(frozen=True, slots=True)
class SourceFrame:
    """One frame of the agent's own code: file, line, function and the line's code."""

    path: str
    line: int
    function: str
    code: str


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """Why the agent's source did not load.

    Args:
        kind: what went wrong (see `ProblemKind`).
        message: the exception, as Python prints its last line (`SyntaxError: ...`).
        path: the file on the host where it happened (None when no line of the agent is
            to blame, e.g. no `build_agent`).
        line: the 1-based line in `path`.
        column: the 1-based column of a syntax error (None otherwise).
        end_column: where a syntax error's range ends on that line (exclusive).
        code: the text of that line.
        frames: the agent's frames that led there, outermost first (tracebacks only).
        hint: what to do about it, when there is more to say than the message.
        module: the missing module's name (`missing_module`, `import`).
    """

    kind: ProblemKind
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    end_column: int | None = None
    code: str | None = None
    frames: tuple[SourceFrame, ...] = field(default_factory=tuple)
    hint: str | None = None
    module: str | None = None

    def format(self) -> str:
        """The problem as Python would print it: file, line, the code with a caret under a
        syntax error, the message, then the hint."""
        lines: list[str] = []
        if self.kind == "syntax" and self.path is not None:
            lines.append(f'  File "{self.path}", line {self.line}')
            lines.extend(_code_with_caret(self.code, self.column, self.end_column))
        elif self.frames:
            lines.append("Traceback (most recent call last; the agent's frames):")
            for frame in self.frames:
                lines.append(f'  File "{frame.path}", line {frame.line}, in {frame.function}')
                if frame.code.strip():
                    lines.append(f"    {frame.code.strip()}")
        elif self.path is not None:
            lines.append(f'  File "{self.path}"' + (f", line {self.line}" if self.line else ""))
        lines.append(self.message)
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)

    def to_json(self) -> str:
        """The problem as JSON (how it leaves the component)."""
        return json.dumps(asdict(self))

    @staticmethod
    def from_json(text: str) -> SourceProblem:
        """The problem from `to_json`'s text."""
        data = json.loads(text)
        frames = tuple(SourceFrame(**frame) for frame in data.pop("frames", ()))
        return SourceProblem(**data, frames=frames)


def syntax_problem(error: SyntaxError) -> SourceProblem:
    """The problem of a `SyntaxError` (or `IndentationError`) raised by `compile()`."""
    line = error.lineno
    code = error.text
    if code is None and error.filename and line:
        code = linecache.getline(error.filename, line) or None
    end = error.end_offset if getattr(error, "end_lineno", line) == line else None
    return SourceProblem(
        "syntax", f"{type(error).__name__}: {error.msg}", error.filename, line, error.offset,
        end, None if code is None else code.rstrip("\r\n"),
    )


def exception_problem(error: BaseException, agent_files: Collection[str]) -> SourceProblem:
    """The problem of an exception raised while the agent's modules were imported.

    Args:
        error: the exception.
        agent_files: the host paths of the agent's files (their frames are kept, the
            runtime's own frames are left out).
    """
    if isinstance(error, SyntaxError):
        return syntax_problem(error)
    frames = tuple(_agent_frames(error.__traceback__, set(agent_files)))
    last = frames[-1] if frames else None
    message = "".join(traceback.format_exception_only(type(error), error)).strip()
    kind: ProblemKind = "error"
    hint: str | None = None
    module: str | None = None
    if isinstance(error, ModuleNotFoundError) and error.name:
        module = error.name
        top = module.split(".")[0]
        if top in sys.stdlib_module_names:
            kind = "missing_module"
            hint = (
                f"`{module}` is a standard module, but not one of those the dev runtime was "
                "built with (a component holds only the modules imported while it was built; "
                "the list is in docs/wasm.md, \"Dev mode\"). Add it with "
                f"`remi dev --preload {top}`, or run the full build, `remi build`, which "
                "includes every module the agent imports."
            )
        else:
            kind = "import"
            hint = (
                f"No module `{module}` in the agent's folder or in the dev runtime. A "
                "component holds remi-web (what runs without native dependencies), its "
                "pure-Python dependencies, the standard modules it was built with and the "
                "agent's own files: other packages are not available to it."
            )
    elif isinstance(error, ImportError):
        kind = "import"
    return SourceProblem(
        kind, message, last.path if last else None, last.line if last else None,
        code=last.code if last else None, frames=frames, hint=hint, module=module,
    )


def _agent_frames(tb: TracebackType | None, agent_files: set[str]) -> list[SourceFrame]:
    frames: list[SourceFrame] = []
    for summary in traceback.extract_tb(tb):
        if summary.filename in agent_files:
            code = summary.line or linecache.getline(summary.filename, summary.lineno or 0)
            frames.append(SourceFrame(summary.filename, summary.lineno or 0, summary.name,
                                      code.rstrip("\r\n")))
    return frames


def _code_with_caret(code: str | None, column: int | None, end_column: int | None) -> list[str]:
    if code is None:
        return []
    stripped = code.lstrip()
    shown = [f"    {stripped.rstrip()}"]
    if column is not None and column > 0:
        start = column - 1 - (len(code) - len(stripped))
        width = end_column - column if end_column is not None and end_column > column else 1
        shown.append("    " + " " * max(start, 0) + "^" * width)
    return shown
