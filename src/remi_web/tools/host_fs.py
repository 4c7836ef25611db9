"""`HostFS` and `host_fs_tools`: the file tools over a real directory, jailed (native only).

Read-only unless built with `writable=True`. Every path goes through `HostJail` (path
rules, symlinks resolved and kept inside the root, descriptors opened without following
symlinks). Reads and writes are size-limited; devices, pipes and sockets are never opened
for reading or writing, and a file with other hard links is never read or changed (its
other names may be outside the root). Recursive removal walks the tree iteratively, with a
constant number of descriptors, however deep it is.
"""

from __future__ import annotations

import errno
import itertools
import os
import stat as st
from collections.abc import Collection, Iterator

from ..core.errors import ConfigurationError
from .errors import FileError, PathError
from .file_tools import OPERATIONS, READ_OPERATIONS, FileTool, Operation, OutputLimits, file_tools
from .filesystem import Entry, EntryKind
from .host_jail import HostJail, os_error
from .paths import join_path, normalize_path, split_path
from .workspace import FixedWorkspace

MiB = 1024 * 1024
_OPEN_FLAGS = (
    getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
)
_DIR_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _OPEN_FLAGS
_SCAN_BATCH = 512
"""Entries one step of a recursive removal reads from a directory at a time."""
MAX_REMOVE_DEPTH = 100_000
"""The deepest tree a recursive removal goes down (far deeper than paths may name)."""


class HostFS:
    """A real directory as a `FileSystem`, jailed under its root.

    Args:
        root: the directory the model works in (it must exist).
        writable: allow writes, edits, moves, directory creation and removal.
        max_read_bytes: the largest file that can be read.
        max_write_bytes: the largest file that can be written (also after an append or edit).
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        writable: bool = False,
        max_read_bytes: int = 1 * MiB,
        max_write_bytes: int = 1 * MiB,
    ) -> None:
        self.jail = HostJail(root)
        self._writable = writable
        self.max_read_bytes = max_read_bytes
        self.max_write_bytes = max_write_bytes

    @property
    def root(self) -> str:
        """The real absolute path of the root."""
        return self.jail.root

    @property
    def writable(self) -> bool:
        """Whether write operations are allowed."""
        return self._writable

    def read_bytes(self, path: str) -> bytes:
        """The content of the regular file at `path` (at most `max_read_bytes`)."""
        shown = normalize_path(path)
        names = self.jail.resolve(path)
        if not names:
            raise FileError(f"{shown} is a directory, not a file.")
        with self.jail.directory(names[:-1], shown) as folder:
            fd = _open(names[-1], os.O_RDONLY, folder, shown)
            try:
                info = _regular(fd, shown)
                if info.st_size > self.max_read_bytes:
                    raise FileError(
                        f"{shown} is {info.st_size} bytes; files above {self.max_read_bytes} bytes "
                        "cannot be read with this tool."
                    )
                chunks: list[bytes] = []
                size = 0
                while chunk := os.read(fd, 65536):
                    size += len(chunk)
                    if size > self.max_read_bytes:
                        raise FileError(
                            f"{shown} grew past {self.max_read_bytes} bytes while being read."
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
            finally:
                os.close(fd)

    def write_bytes(self, path: str, data: bytes, *, append: bool = False) -> bool:
        """Write (or append) `data` to the regular file at `path`, creating it and its
        missing parents; True when the file was created."""
        shown = self._check_writable(path)
        names = self.jail.resolve(path)
        if not names:
            raise FileError(f"{shown} is a directory, not a file.")
        if len(data) > self.max_write_bytes:
            raise FileError(
                f"{len(data)} bytes is more than the {self.max_write_bytes} bytes "
                "one file may hold."
            )
        with self.jail.directory(names[:-1], shown, create=True) as folder:
            created = True
            try:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN_FLAGS
                fd = os.open(names[-1], flags, 0o666, dir_fd=folder)
            except FileExistsError:
                created = False
                fd = _open(names[-1], os.O_WRONLY, folder, shown)
            except OSError as exc:
                raise os_error(exc, shown) from None
            try:
                info = _regular(fd, shown)
                if append:
                    if info.st_size + len(data) > self.max_write_bytes:
                        raise FileError(
                            f"{shown} would grow to {info.st_size + len(data)} bytes; one file may "
                            f"hold {self.max_write_bytes} bytes."
                        )
                    os.lseek(fd, 0, os.SEEK_END)
                else:
                    os.ftruncate(fd, 0)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            except OSError as exc:
                raise os_error(exc, shown) from None
            finally:
                os.close(fd)
        return created

    def make_dir(self, path: str) -> bool:
        """Create the directory `path` and its missing parents; False if it existed."""
        shown = self._check_writable(path)
        names = self.jail.resolve(path)
        if not names:
            return False
        with self.jail.directory(names[:-1], shown, create=True) as folder:
            try:
                os.mkdir(names[-1], 0o777, dir_fd=folder)
            except FileExistsError:
                if st.S_ISDIR(_lstat(names[-1], folder, shown).st_mode):
                    return False
                raise FileError(f"{shown} exists and is not a directory.") from None
            except OSError as exc:
                raise os_error(exc, shown) from None
        return True

    def remove(self, path: str, *, recursive: bool = False) -> int:
        """Remove the entry at `path` (a symlink itself, never its target); returns how
        many entries were removed. A recursive removal goes down a tree of any depth
        without recursion and without following symlinks (`_remove_tree`)."""
        shown = self._check_writable(path)
        names = self.jail.resolve(path, follow=False)
        if not names:
            raise FileError("The root directory cannot be removed.")
        with self.jail.directory(names[:-1], shown) as folder:
            info = _lstat(names[-1], folder, shown)
            try:
                if not st.S_ISDIR(info.st_mode):
                    os.unlink(names[-1], dir_fd=folder)
                    return 1
                if not recursive:
                    try:
                        os.rmdir(names[-1], dir_fd=folder)
                    except OSError as exc:
                        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                            raise
                        raise FileError(
                            f"{shown} is a directory that is not empty; remove what it holds "
                            "first, or remove it with recursive=true."
                        ) from None
                    return 1
                return _remove_tree(names[-1], folder, shown)
            except OSError as exc:
                raise os_error(exc, shown) from None

    def move(self, source: str, destination: str, *, overwrite: bool = False) -> None:
        """Move or rename `source` to the full path `destination` (symlinks moved as themselves)."""
        shown = self._check_writable(source)
        target = normalize_path(destination)
        src = self.jail.resolve(source, follow=False)
        dst = self.jail.resolve(destination, follow=False)
        if not src:
            raise FileError("The root directory cannot be moved.")
        if not dst:
            raise FileError("The destination is the root directory; give the full new path.")
        if src == dst:
            return
        if dst[: len(src)] == src:
            raise FileError(f"{shown} cannot be moved inside itself ({target}).")
        with self.jail.directory(src[:-1], shown) as origin:
            moving = _lstat(src[-1], origin, shown)
            with self.jail.directory(dst[:-1], target, create=True) as folder:
                existing: os.stat_result | None
                try:
                    existing = os.stat(dst[-1], dir_fd=folder, follow_symlinks=False)
                except FileNotFoundError:
                    existing = None
                if existing is not None:
                    if not overwrite:
                        raise FileError(
                            f"{target} already exists; choose another destination, "
                            "or set overwrite=true to replace a file."
                        )
                    if st.S_ISDIR(existing.st_mode) or st.S_ISDIR(moving.st_mode):
                        raise FileError(f"{target} already exists; only a file can replace a file.")
                try:
                    os.rename(src[-1], dst[-1], src_dir_fd=origin, dst_dir_fd=folder)
                except OSError as exc:
                    raise os_error(exc, f"{shown} -> {target}") from None

    def stat(self, path: str) -> Entry:
        """The entry at `path`; a symlink is described, not followed."""
        shown = normalize_path(path)
        names = self.jail.resolve(path, follow=False)
        if not names:
            with self.jail.directory((), shown) as folder:
                info = os.stat(folder)
                return Entry("/", "directory", 0, info.st_mtime, len(os.listdir(folder)))
        with self.jail.directory(names[:-1], shown) as folder:
            info = _lstat(names[-1], folder, shown)
            kind = _kind(info)
            children = None
            if kind == "directory":
                children = _count(names[-1], folder, shown)
            target = self._target(shown) if kind == "symlink" else None
            size = info.st_size if kind == "file" else 0
            return Entry(shown, kind, size, info.st_mtime, children, target)

    def list_dir(self, path: str) -> list[Entry]:
        """The entries directly inside the directory `path`, sorted by name."""
        shown = normalize_path(path)
        names = self.jail.resolve(path)
        with self.jail.directory(names, shown) as folder:
            return [self._entry(shown, item) for item in _scan(folder)]

    def walk(self, path: str) -> Iterator[Entry]:
        """Every entry below the directory `path`, depth first; symlinks are not entered."""
        shown = normalize_path(path)
        names = self.jail.resolve(path)
        with self.jail.directory(names, shown) as folder:
            yield from self._walk(shown, folder)

    def _walk(self, shown: str, folder: int) -> Iterator[Entry]:
        for item in _scan(folder):
            entry = self._entry(shown, item)
            yield entry
            if entry.kind == "directory":
                try:
                    flags = os.O_RDONLY | os.O_DIRECTORY | _OPEN_FLAGS
                    child = os.open(item.name, flags, dir_fd=folder)
                except OSError:
                    continue  # unreadable or swapped for a symlink meanwhile: not entered
                try:
                    yield from self._walk(entry.path, child)
                finally:
                    os.close(child)

    def _entry(self, parent: str, item: os.DirEntry[str]) -> Entry:
        if _addressable(item.name):
            path = join_path(split_path(parent) + (item.name,))
        else:  # a name no path can spell (a control character...): shown, never usable
            path = f"{parent.rstrip('/')}/{item.name!r}"
        try:
            info = item.stat(follow_symlinks=False)
        except OSError:
            return Entry(path, "other")
        kind = _kind(info)
        target = self._target(path) if kind == "symlink" else None
        return Entry(path, kind, info.st_size if kind == "file" else 0, info.st_mtime, None, target)

    def _target(self, path: str) -> str | None:
        """Where the symlink `path` points, when that is inside the root."""
        try:
            return join_path(self.jail.resolve(path))
        except PathError:
            return None

    def _check_writable(self, path: str) -> str:
        shown = normalize_path(path)
        if not self._writable:
            raise FileError(f"This file system is read-only; {shown} cannot be changed.")
        return shown


def host_fs_tools(
    root: str | os.PathLike[str],
    *,
    writable: bool = False,
    max_read_bytes: int = 1 * MiB,
    max_write_bytes: int = 1 * MiB,
    prefix: str = "fs_",
    operations: Collection[Operation] | None = None,
    requires_approval: bool | Collection[Operation] = False,
    limits: OutputLimits | None = None,
) -> list[FileTool]:
    """The file tools over a real directory, jailed under `root` (native only).

    Without `writable`, only the read-only tools are made (read, list, glob, stat).

    Args:
        root: the directory the model works in; the model sees it as "/".
        writable: also make the tools that change files (write, append, edit, mkdir,
            remove, move).
        max_read_bytes: the largest file that can be read.
        max_write_bytes: the largest file that can be written.
        prefix: put before each operation's name to make the tool's name.
        operations: which tools to make (default: all those `writable` allows).
        requires_approval: True to have a human approve every call, or the operations
            that need approval (e.g. `{"write", "remove"}`).
        limits: how much one result may hold.
    """
    allowed = OPERATIONS if writable else READ_OPERATIONS
    chosen = allowed if operations is None else tuple(operations)
    refused = sorted(set(chosen) - set(allowed))
    if refused and set(refused) <= set(OPERATIONS):
        raise ConfigurationError(
            f"host_fs_tools: {', '.join(refused)} change files; pass writable=True to make them."
        )
    fs = HostFS(
        root, writable=writable, max_read_bytes=max_read_bytes, max_write_bytes=max_write_bytes
    )
    return file_tools(
        FixedWorkspace(fs),
        prefix=prefix,
        operations=chosen,
        requires_approval=requires_approval,
        limits=limits,
    )


def _open(name: str, flags: int, folder: int, shown: str) -> int:
    try:
        return os.open(name, flags | _OPEN_FLAGS, dir_fd=folder)
    except OSError as exc:
        raise os_error(exc, shown) from None


def _regular(fd: int, shown: str) -> os.stat_result:
    """The status of the open file `fd`, which must be a regular file with one name only."""
    info = os.fstat(fd)
    if st.S_ISDIR(info.st_mode):
        raise FileError(f"{shown} is a directory, not a file.")
    if not st.S_ISREG(info.st_mode):
        raise FileError(
            f"{shown} is a device, pipe or socket, not a regular file; it cannot be used."
        )
    if info.st_nlink > 1:
        raise FileError(
            f"{shown} has other hard links ({info.st_nlink} names for the same file); a hard "
            "link may point outside the root, so this file cannot be read or changed."
        )
    return info


def _remove_tree(name: str, folder: int, shown: str) -> int:
    """Remove the directory `name` of `folder` and everything below it; how many entries.

    Iterative, with at most three descriptors open whatever the depth: the walk goes down
    by opening a child without following symlinks (a symlink is removed itself, never
    entered), and comes back up through `..`, which must be the very directory it came
    from (same device and inode); if the tree was moved meanwhile, the walk stops rather
    than follow it. Directories are read in batches, never changed while being read.
    """
    fd = os.open(name, _DIR_OPEN_FLAGS, dir_fd=folder)
    removed = 0
    try:
        info = os.fstat(fd)
        levels: list[tuple[str, int, int]] = [(name, info.st_dev, info.st_ino)]
        while True:
            count, child = _remove_files(fd)
            removed += count
            if child is not None:
                if len(levels) >= MAX_REMOVE_DEPTH:
                    raise FileError(
                        f"{shown} is more than {MAX_REMOVE_DEPTH} levels deep; removal stopped "
                        f"after {removed} entries."
                    )
                inner = os.open(child, _DIR_OPEN_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = inner
                info = os.fstat(fd)
                levels.append((child, info.st_dev, info.st_ino))
                continue
            emptied = levels.pop()[0]
            if not levels:
                break
            parent = os.open(os.pardir, _DIR_OPEN_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = parent
            info = os.fstat(fd)
            if (info.st_dev, info.st_ino) != levels[-1][1:]:
                raise FileError(
                    f"{shown} was moved or changed while being removed; removal stopped after "
                    f"{removed} entries."
                )
            os.rmdir(emptied, dir_fd=fd)
            removed += 1
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=folder)
    return removed + 1


def _remove_files(fd: int) -> tuple[int, str | None]:
    """Remove what the directory `fd` holds except directories, until one is met; how many
    entries were removed, and the name of that directory (None: `fd` is now empty)."""
    removed = 0
    while True:
        with os.scandir(fd) as items:
            batch = list(itertools.islice(items, _SCAN_BATCH))
        if not batch:
            return removed, None
        for item in batch:
            if item.is_dir(follow_symlinks=False):
                return removed, item.name
            os.unlink(item.name, dir_fd=fd)
            removed += 1


def _lstat(name: str, folder: int, shown: str) -> os.stat_result:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError as exc:
        raise os_error(exc, shown) from None


def _count(name: str, folder: int, shown: str) -> int:
    """How many entries the directory `name` in `folder` holds (no symlink followed)."""
    fd = _open(name, os.O_RDONLY | os.O_DIRECTORY, folder, shown)
    try:
        return len(os.listdir(fd))
    finally:
        os.close(fd)


def _scan(folder: int) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as items:
        return sorted(items, key=lambda item: item.name)


def _kind(info: os.stat_result) -> EntryKind:
    if st.S_ISLNK(info.st_mode):
        return "symlink"
    if st.S_ISDIR(info.st_mode):
        return "directory"
    if st.S_ISREG(info.st_mode):
        return "file"
    return "other"


def _addressable(name: str) -> bool:
    try:
        return split_path(name) == (name,)
    except PathError:
        return False
