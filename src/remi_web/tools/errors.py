"""The errors the built-in tools raise; each message tells the model what to do instead.

All are `ToolInputError`s, so the agent loop hands the message back to the model as a
tool error it can act on, never as a crash.
"""

from __future__ import annotations

from ..core.errors import ToolInputError


class PathError(ToolInputError):
    """A path is refused: it leaves the root, holds a NUL byte, or is otherwise unusable."""

    code = "path_refused"


class FileError(ToolInputError):
    """A file operation cannot be done as asked (missing file, not a directory, too big...)."""

    code = "file_error"


class QuotaExceeded(FileError):
    """A write would take a file system over its byte or entry quota."""

    code = "quota_exceeded"


class CommandRefused(ToolInputError):
    """A shell command is refused before it runs (program not allowed, needs a shell...)."""

    code = "command_refused"
