"""`vfs_tools`: the file tools over an in-memory `VirtualFS` (works in the browser)."""

from __future__ import annotations

from collections.abc import Collection

from .file_tools import FileTool, Operation, OutputLimits, file_tools
from .vfs import VirtualFS
from .workspace import FixedWorkspace, Workspace


def vfs_tools(
    tree: VirtualFS | Workspace,
    *,
    prefix: str = "fs_",
    operations: Collection[Operation] | None = None,
    requires_approval: bool | Collection[Operation] = False,
    limits: OutputLimits | None = None,
) -> list[FileTool]:
    """The ten file tools (`fs_read`, `fs_write`, `fs_edit`...) over a virtual file tree.

    Nothing outside the tree can be reached: paths are jailed under its root (see
    `remi_web.tools.paths`), and its `Quota` bounds what the model can store.

    Args:
        tree: one `VirtualFS` for every run, or a `VirtualWorkspace` (a tree per agent or
            per thread, optionally saved to a `SnapshotStore`).
        prefix: put before each operation's name to make the tool's name.
        operations: which tools to make (default: all ten).
        requires_approval: True to have a human approve every call, or the operations
            that need approval (e.g. `{"write", "remove"}`).
        limits: how much one result may hold.
    """
    workspace = FixedWorkspace(tree) if isinstance(tree, VirtualFS) else tree
    return file_tools(
        workspace,
        prefix=prefix,
        operations=operations,
        requires_approval=requires_approval,
        limits=limits,
    )
