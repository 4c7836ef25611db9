"""The contract between the file tools and a file system: `FileSystem` and its `Entry`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias

EntryKind: TypeAlias = Literal["file", "directory", "symlink", "other"]
"""What an entry is; "other" covers devices, sockets and pipes (never read or written)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a file system, as the tools report it.

    Args:
        path: the canonical path from the root (`/a/b.txt`).
        kind: file, directory, symlink or other.
        size: the size in bytes (0 for anything but files).
        modified: last modification, in seconds since the epoch, when known.
        children: for a directory from `stat`, how many entries it holds.
        target: for a symlink, the canonical path it points to when that is inside the
            root, else None.
    """

    path: str
    kind: EntryKind
    size: int = 0
    modified: float | None = None
    children: int | None = None
    target: str | None = None

    @property
    def name(self) -> str:
        """The last name of the path ("/" for the root)."""
        return self.path.rsplit("/", 1)[-1] or "/"


class FileSystem(Protocol):
    """What the file tools need. `VirtualFS` and `HostFS` implement it.

    Paths follow `remi_web.tools.paths`. Methods raise `PathError` for refused paths,
    `FileError` (or `QuotaExceeded`) for operations that cannot be done; the messages
    are written for the model.
    """

    @property
    def writable(self) -> bool:
        """Whether the write operations are allowed at all."""
        ...

    def read_bytes(self, path: str) -> bytes:
        """The whole content of the file at `path`."""
        ...

    def write_bytes(self, path: str, data: bytes, *, append: bool = False) -> bool:
        """Write (or append) `data` to the file at `path`, creating it and its missing
        parent directories; True when the file was created."""
        ...

    def make_dir(self, path: str) -> bool:
        """Create the directory `path` and its missing parents; False if it existed."""
        ...

    def remove(self, path: str, *, recursive: bool = False) -> int:
        """Remove the entry at `path` (a directory only if empty, unless `recursive`);
        how many entries were removed."""
        ...

    def move(self, source: str, destination: str, *, overwrite: bool = False) -> None:
        """Move or rename `source` to the full path `destination`."""
        ...

    def stat(self, path: str) -> Entry:
        """The entry at `path` (a symlink is reported as itself, not followed)."""
        ...

    def list_dir(self, path: str) -> list[Entry]:
        """The entries directly inside the directory `path`, sorted by name."""
        ...

    def walk(self, path: str) -> Iterator[Entry]:
        """Every entry below the directory `path`, depth first and sorted by name;
        symlinked directories are reported but not entered."""
        ...
