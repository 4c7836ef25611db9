"""Built-in tools: a virtual file system for the browser, and jailed host file and shell
tools natively.

`vfs_tools` (pure Python, works in Pyodide) gives a model ten file tools over an in-memory
`VirtualFS` with quotas, one per agent or per thread (`VirtualWorkspace`), optionally saved
to a `SnapshotStore`. Natively, `host_fs_tools` gives the same tools over a real directory
(read-only unless `writable=True`), and `shell_tool` runs commands in a directory with a
timeout, an output cap, program lists and a scrubbed environment. The native names are
imported on first use, so the browser never loads them. See docs/tools.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import CommandRefused, FileError, PathError, QuotaExceeded
from .file_tools import OPERATIONS, READ_OPERATIONS, FileTool, Operation, OutputLimits, file_tools
from .filesystem import Entry, EntryKind, FileSystem
from .paths import normalize_path, split_path
from .patterns import GlobPattern
from .python_tool import python_tool
from .vfs import Quota, VirtualFS
from .vfs_tools import vfs_tools
from .workspace import (
    FixedWorkspace,
    MemorySnapshotStore,
    SnapshotStore,
    VirtualWorkspace,
    Workspace,
)

if TYPE_CHECKING:
    from .host_fs import HostFS, host_fs_tools
    from .host_jail import HostJail
    from .process import ProcessResult, run_process
    from .shell import ShellTool, scrubbed_env, shell_tool

_NATIVE = {
    "HostFS": "host_fs",
    "host_fs_tools": "host_fs",
    "HostJail": "host_jail",
    "ProcessResult": "process",
    "run_process": "process",
    "ShellTool": "shell",
    "scrubbed_env": "shell",
    "shell_tool": "shell",
}


def __getattr__(name: str) -> object:
    # The native tools load only when asked for: the browser build has no need of them.
    module = _NATIVE.get(name)
    if module is None:
        raise AttributeError(f"module 'remi_web.tools' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "OPERATIONS", "READ_OPERATIONS", "CommandRefused", "Entry", "EntryKind", "FileError",
    "FileSystem", "FileTool", "FixedWorkspace", "GlobPattern", "HostFS", "HostJail",
    "MemorySnapshotStore", "Operation", "OutputLimits", "PathError", "ProcessResult", "Quota",
    "QuotaExceeded", "ShellTool", "SnapshotStore", "VirtualFS", "VirtualWorkspace", "Workspace",
    "file_tools", "host_fs_tools", "normalize_path", "python_tool", "run_process", "scrubbed_env",
    "shell_tool",
    "split_path", "vfs_tools",
]
