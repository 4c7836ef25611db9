"""`file_tools`: the ten file tools (read, write, append, edit, list, glob, mkdir, remove,
move, stat) over any `FileSystem`, as the model sees them.

The same tools serve the in-memory `VirtualFS` (`vfs_tools`) and a jailed host directory
(`host_fs_tools`): the file system enforces the path rules, quotas and limits, and these
tools turn its answers into text the model can act on. Pure Python: runs in Pyodide.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Annotated, Final, Literal, TypeAlias, get_args

from pydantic import Field, JsonValue

from ..core.ctx import ChatCtx
from ..core.docstrings import parse_docstring
from ..core.errors import ConfigurationError
from ..core.function_tool import FunctionTool
from .file_text import decode_text, describe_entry, read_window, replace_exact, stat_json
from .paths import normalize_path, split_path
from .patterns import GlobPattern
from .workspace import Workspace

Operation: TypeAlias = Literal[
    "read", "write", "append", "edit", "list", "glob", "mkdir", "remove", "move", "stat"
]
"""One file operation; its tool is named `prefix + operation` (e.g. `fs_read`)."""

OPERATIONS: Final[tuple[Operation, ...]] = get_args(Operation)
"""Every operation, in the order the tools are made."""

READ_OPERATIONS: Final[tuple[Operation, ...]] = ("read", "list", "glob", "stat")
"""The operations that never change anything."""

FileTool: TypeAlias = FunctionTool[..., object]
"""A tool made by `file_tools`."""



@dataclass(frozen=True, slots=True)
class OutputLimits:
    """How much the file tools put in one result, to keep the model's context small.

    Args:
        max_lines: lines one read returns at most (the model reads on with `offset`).
        max_chars: characters one read returns at most.
        max_entries: entries one list returns at most.
        max_matches: paths one glob returns at most.
        max_scanned: entries one glob looks at before it stops.
    """

    max_lines: int = 2000
    max_chars: int = 50_000
    max_entries: int = 1000
    max_matches: int = 1000
    max_scanned: int = 100_000


def file_tools(
    workspace: Workspace,
    *,
    prefix: str = "fs_",
    operations: Collection[Operation] | None = None,
    requires_approval: bool | Collection[Operation] = False,
    limits: OutputLimits | None = None,
) -> list[FileTool]:
    """The file tools over the file system `workspace` gives each call.

    Args:
        workspace: gives the file system of each call (and hears about changes).
        prefix: put before each operation's name to make the tool's name.
        operations: which tools to make (default: all ten).
        requires_approval: True to have a human approve every call, or the operations
            that need approval (e.g. `{"write", "remove"}`).
        limits: how much one result may hold.
    """
    chosen = _check_operations("operations", OPERATIONS if operations is None else operations)
    approved: frozenset[str]
    if isinstance(requires_approval, bool):
        approved = frozenset(OPERATIONS if requires_approval else ())
    else:
        approved = _check_operations("requires_approval", requires_approval)
    lim = limits if limits is not None else OutputLimits()
    names: dict[str, str] = {op: f"{prefix}{op}" for op in OPERATIONS}

    async def read(ctx: ChatCtx, path: str, offset: Annotated[int, Field(ge=1)] = 1,
                   limit: Annotated[int | None, Field(ge=1)] = None) -> str:
        """Read a text file. The text comes back exactly as stored, without line numbers.
        A long file comes in windows of at most {max_lines} lines; a note at the end then
        says which lines were shown and the `offset` to read on with. Binary files are refused.

        Args:
            path: the file, e.g. "/notes/todo.md".
            offset: the first line to return, counting from 1.
            limit: how many lines to return at most.
        """
        fs = await workspace.open(ctx)
        text = decode_text(path, fs.read_bytes(path), names["read"])
        count = min(limit or lim.max_lines, lim.max_lines)
        return read_window(path, text, offset, count, lim.max_chars, names["read"])

    async def write(ctx: ChatCtx, path: str, content: str) -> str:
        """Create a text file, or replace all of its content, with `content`. Missing parent
        directories are created. To change part of a file use {edit}; to add at its end use
        {append}.

        Args:
            path: the file, e.g. "/src/app.py".
            content: the complete new content.
        """
        fs = await workspace.open(ctx)
        data = content.encode()
        created = fs.write_bytes(path, data)
        await workspace.changed(ctx)
        how = "created" if created else "replaced"
        return f"Wrote {len(data)} bytes to {normalize_path(path)} ({how})."

    async def append(ctx: ChatCtx, path: str, content: str) -> str:
        """Add text at the end of a file, creating the file (and missing parent directories)
        if needed. No line break is added for you: end `content` with one if you want it.

        Args:
            path: the file, e.g. "/logs/notes.txt".
            content: the text to add.
        """
        fs = await workspace.open(ctx)
        data = content.encode()
        created = fs.write_bytes(path, data, append=True)
        await workspace.changed(ctx)
        return f"Appended {len(data)} bytes to {normalize_path(path)}{' (created)' if created else ''}."

    async def edit(ctx: ChatCtx, path: str, old_string: str, new_string: str,
                   replace_all: bool = False) -> str:
        """Replace an exact piece of text in a file with new text. `old_string` must appear in
        the file exactly as given (same spaces, indentation and line breaks) and, unless
        `replace_all` is true, only once: include enough surrounding lines to make it unique.
        Read the file first and copy the text from it.

        Args:
            path: the file to change.
            old_string: the exact text to find.
            new_string: the text to put in its place.
            replace_all: replace every occurrence instead of exactly one.
        """
        fs = await workspace.open(ctx)
        text = decode_text(path, fs.read_bytes(path), names["read"])
        where = normalize_path(path)
        changed, count = replace_exact(where, text, old_string, new_string, replace_all, names)
        fs.write_bytes(path, changed.encode())
        await workspace.changed(ctx)
        return f"Replaced {count} occurrence{'s' if count != 1 else ''} in {normalize_path(path)}."

    async def list_(ctx: ChatCtx, path: str = "/") -> str:
        """List the entries of a directory, one per line: directories end with "/", files
        show their size, symlinks show where they point.

        Args:
            path: the directory, e.g. "/" or "/src".
        """
        fs = await workspace.open(ctx)
        entries = fs.list_dir(path)
        where = normalize_path(path)
        if not entries:
            return f"{where} is empty."
        lines = [f"{where} ({len(entries)} entr{'y' if len(entries) == 1 else 'ies'}):"]
        lines += [describe_entry(entry) for entry in entries[: lim.max_entries]]
        if len(entries) > lim.max_entries:
            more = len(entries) - lim.max_entries
            lines.append(f"[{more} more entries not shown; use {names['glob']} to narrow down.]")
        return "\n".join(lines)

    async def glob(ctx: ChatCtx, pattern: str, path: str = "/") -> str:
        """Find files and directories by a glob pattern: `*` and `?` match within one name,
        `[abc]` one of the characters, and `**` any number of directories, as in "**/*.py" or
        "docs/*.md". The pattern is matched against paths relative to `path`. Returns the
        matching paths, one per line, sorted; directories end with "/".

        Args:
            pattern: the glob pattern, e.g. "**/*.py".
            path: the directory to search in.
        """
        fs = await workspace.open(ctx)
        compiled = GlobPattern(pattern)
        base = split_path(path)
        found: list[str] = []
        scanned = 0
        stopped = False
        for entry in fs.walk(path):
            scanned += 1
            if scanned > lim.max_scanned:
                stopped = True
                break
            if compiled.matches(split_path(entry.path)[len(base):]):
                found.append(entry.path + ("/" if entry.kind == "directory" else ""))
        if not found:
            note = f" (stopped after looking at {lim.max_scanned} entries)" if stopped else ""
            return f"No path under {normalize_path(path)} matches {pattern!r}{note}."
        lines = found[: lim.max_matches]
        if len(found) > lim.max_matches:
            more = len(found) - lim.max_matches
            lines.append(f"[{more} more matches not shown; use a narrower pattern.]")
        if stopped:
            lines.append(
                f"[Stopped after looking at {lim.max_scanned} entries; search a smaller directory.]"
            )
        return "\n".join(lines)

    async def mkdir(ctx: ChatCtx, path: str) -> str:
        """Create a directory, with any missing parent directories. Succeeds if it already exists.

        Args:
            path: the directory, e.g. "/src/utils".
        """
        fs = await workspace.open(ctx)
        created = fs.make_dir(path)
        await workspace.changed(ctx)
        return f"{'Created' if created else 'Already there:'} directory {normalize_path(path)}."

    async def remove(ctx: ChatCtx, path: str, recursive: bool = False) -> str:
        """Delete a file, an empty directory, or, with `recursive` true, a directory and
        everything in it. A symlink is removed itself, never what it points to. This cannot
        be undone.

        Args:
            path: what to delete.
            recursive: also delete a directory that is not empty, with all it holds.
        """
        fs = await workspace.open(ctx)
        count = fs.remove(path, recursive=recursive)
        await workspace.changed(ctx)
        more = f" ({count} entries)" if count > 1 else ""
        return f"Removed {normalize_path(path)}{more}."

    async def move(ctx: ChatCtx, source: str, destination: str, overwrite: bool = False) -> str:
        """Move or rename a file or directory. `destination` is the full new path, not the
        directory to move into; missing parent directories are created. An existing
        destination is only replaced when both are files and `overwrite` is true.

        Args:
            source: what to move.
            destination: its full new path.
            overwrite: replace an existing destination file.
        """
        fs = await workspace.open(ctx)
        fs.move(source, destination, overwrite=overwrite)
        await workspace.changed(ctx)
        return f"Moved {normalize_path(source)} to {normalize_path(destination)}."

    async def stat(ctx: ChatCtx, path: str) -> dict[str, JsonValue]:
        """Tell what is at a path: its type (file, directory, symlink or other), its size in
        bytes, when it was last modified, and for a directory how many entries it holds. Use
        it to check whether a path exists.

        Args:
            path: the path to look at.
        """
        fs = await workspace.open(ctx)
        return stat_json(fs.stat(path))

    functions: dict[Operation, Callable[..., object]] = {
        "read": read, "write": write, "append": append, "edit": edit, "list": list_,
        "glob": glob, "mkdir": mkdir, "remove": remove, "move": move, "stat": stat,
    }
    values: dict[str, object] = {**names, "max_lines": lim.max_lines}
    return [
        FunctionTool(
            functions[op],
            name=names[op],
            description=parse_docstring(functions[op].__doc__).summary.format(**values),
            requires_approval=op in approved,
            localns=globals(),
        )
        for op in OPERATIONS
        if op in chosen
    ]


def _check_operations(what: str, ops: Collection[str]) -> frozenset[str]:
    unknown = sorted(set(ops) - set(OPERATIONS))
    if unknown or isinstance(ops, str):
        raise ConfigurationError(
            f"{what}: unknown file operation(s) {unknown or [ops]}; "
            f"choose among {', '.join(OPERATIONS)}."
        )
    return frozenset(ops)
