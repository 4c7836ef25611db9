"""`VirtualFS`: an in-memory file tree with quotas, for the browser and for tests.

Pure Python with no I/O and no threads, so it runs unchanged in Pyodide. Every operation
is synchronous and checks everything (paths, quotas, kinds) before it changes anything,
so a refused operation leaves the tree as it was, and concurrent tool calls on one event
loop never see a half-done change.

The tree remembers which paths changed since `take_changes()` last asked, so a store can save
only those entries (see `VirtualWorkspace`): saving after a change costs that change, not the
whole tree.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from ..core.schema_types import JsonValue

from .errors import FileError, PathError, QuotaExceeded
from .filesystem import Entry
from .paths import MAX_DEPTH, join_path, split_path

MiB: Final = 1024 * 1024
SNAPSHOT_FORMAT: Final = "remi-vfs"
SNAPSHOT_VERSION: Final = 1
ENTRY_OVERHEAD: Final = 64
"""The default bytes each entry counts for toward `Quota.max_bytes`, besides its name."""


@dataclass(frozen=True, slots=True)
class Quota:
    """The limits of a `VirtualFS`.

    Args:
        max_bytes: total bytes the tree may use: the content of every file, plus for each
            entry (file or directory) the UTF-8 bytes of its name and `entry_overhead`, so
            names and metadata are paid for too (see `VirtualFS.charged_bytes`).
        max_entries: how many files and directories it may hold (the root not counted).
        max_file_bytes: size of one file's content, in bytes.
        entry_overhead: bytes each entry counts for toward `max_bytes` besides its name and
            content (its kind, time and storage record).
    """

    max_bytes: int = 16 * MiB
    max_entries: int = 10_000
    max_file_bytes: int = 4 * MiB
    entry_overhead: int = ENTRY_OVERHEAD


class _File:
    __slots__ = ("data", "modified")

    def __init__(self, data: bytes, modified: float) -> None:
        self.data = data
        self.modified = modified


class _Dir:
    __slots__ = ("children", "modified")

    def __init__(self, modified: float) -> None:
        self.children: dict[str, _File | _Dir] = {}
        self.modified = modified


class VirtualFS:
    """A file tree in memory, with a byte quota and an entry quota (see `Quota`).

    It implements `FileSystem`, so `vfs_tools` can give it to a model. Keep it across
    reloads with `snapshot()` / `from_snapshot()` (or a `VirtualWorkspace` with a store).

    Args:
        quota: the limits (default `Quota()`).
        clock: gives modification times, in seconds since the epoch.
    """

    def __init__(
        self, quota: Quota | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.quota = quota if quota is not None else Quota()
        self._clock = clock
        self._root = _Dir(clock())
        self._bytes = 0
        self._names = 0
        self._entries = 0
        self._revision = 0
        self._changed: set[tuple[str, ...]] = set()

    @property
    def writable(self) -> bool:
        """Always True: the tree itself is the sandbox."""
        return True

    @property
    def used_bytes(self) -> int:
        """Total size of all files' content, in bytes."""
        return self._bytes

    @property
    def charged_bytes(self) -> int:
        """What counts toward `Quota.max_bytes`: every file's content, plus for each entry
        the UTF-8 bytes of its name and `Quota.entry_overhead`."""
        return self._charged(self._bytes, self._names, self._entries)

    @property
    def used_entries(self) -> int:
        """How many files and directories the tree holds (the root not counted)."""
        return self._entries

    @property
    def revision(self) -> int:
        """A counter that grows with every change."""
        return self._revision

    # --- reading ------------------------------------------------------------------------

    def read_bytes(self, path: str) -> bytes:
        """The content of the file at `path`."""
        names = split_path(path)
        node = self._node(names)
        if isinstance(node, _Dir):
            raise FileError(f"{join_path(names)} is a directory, not a file.")
        return node.data

    def read_text(self, path: str) -> str:
        """The content of the file at `path`, decoded as UTF-8 (errors replaced)."""
        return self.read_bytes(path).decode("utf-8", errors="replace")

    def exists(self, path: str) -> bool:
        """Whether an entry exists at `path` (False for refused paths too)."""
        try:
            self._node(split_path(path))
        except (FileError, PathError):
            return False
        return True

    def stat(self, path: str) -> Entry:
        """The entry at `path`; a directory's `children` is how many entries it holds."""
        names = split_path(path)
        node = self._node(names)
        if isinstance(node, _Dir):
            return Entry(join_path(names), "directory", 0, node.modified, len(node.children))
        return Entry(join_path(names), "file", len(node.data), node.modified)

    def list_dir(self, path: str) -> list[Entry]:
        """The entries directly inside the directory `path`, sorted by name."""
        names = split_path(path)
        children = sorted(self._dir(names).children.items())
        return [_entry(names + (name,), child) for name, child in children]

    def walk(self, path: str) -> Iterator[Entry]:
        """Every entry below the directory `path`, depth first, sorted by name."""
        names = split_path(path)
        yield from _walk(names, self._dir(names))

    # --- writing ------------------------------------------------------------------------

    def write_bytes(self, path: str, data: bytes, *, append: bool = False) -> bool:
        """Write (or append) `data` to the file at `path`, creating missing parents.

        Returns True when the file was created. Raises `QuotaExceeded` (changing nothing)
        when the file or the tree would go over the quota.
        """
        names = split_path(path)
        if not names:
            raise FileError("/ is the root directory, not a file.")
        parent, missing = self._parent(names)
        old = parent.children.get(names[-1]) if parent is not None else None
        if isinstance(old, _Dir):
            raise FileError(f"{join_path(names)} is a directory, not a file.")
        old_size = len(old.data) if old is not None else 0
        content = (old.data + data) if (append and old is not None) else data
        if len(content) > self.quota.max_file_bytes:
            raise QuotaExceeded(
                f"{join_path(names)} would be {_size(len(content))}; the limit for one file is "
                f"{_size(self.quota.max_file_bytes)} (max_file_bytes). Write less, or split it "
                "into several files."
            )
        created = names[len(names) - 1 - missing :] if old is None else ()  # old: no missing
        more_names = _name_bytes(created)
        self._check_quota(
            f"Writing {join_path(names)}", len(content) - old_size, more_names, len(created)
        )
        now = self._clock()
        folder = self._make_parents(names, now)
        if old is None:
            folder.children[names[-1]] = _File(content, now)
            folder.modified = now
            self._touch(names[:-1])
        else:
            old.data, old.modified = content, now
        self._touch(names)
        self._bytes += len(content) - old_size
        self._names += more_names
        self._entries += len(created)
        self._revision += 1
        return old is None

    def write_text(self, path: str, text: str) -> bool:
        """Write `text` as UTF-8 to the file at `path` (see `write_bytes`)."""
        return self.write_bytes(path, text.encode())

    def make_dir(self, path: str) -> bool:
        """Create the directory `path` and its missing parents; False if it existed."""
        names = split_path(path)
        if not names:
            return False
        parent, missing = self._parent(names)
        existing = parent.children.get(names[-1]) if parent is not None else None
        if isinstance(existing, _File):
            raise FileError(f"{join_path(names)} is a file; a directory cannot be made there.")
        if existing is not None:
            return False
        created = names[len(names) - 1 - missing :]
        more_names = _name_bytes(created)
        self._check_quota(f"Creating {join_path(names)}", 0, more_names, len(created))
        now = self._clock()
        folder = self._make_parents(names, now)
        folder.children[names[-1]] = _Dir(now)
        folder.modified = now
        self._touch(names[:-1])
        self._touch(names)
        self._names += more_names
        self._entries += len(created)
        self._revision += 1
        return True

    def remove(self, path: str, *, recursive: bool = False) -> int:
        """Remove the entry at `path` (a non-empty directory only with `recursive`);
        returns how many entries were removed."""
        names = split_path(path)
        if not names:
            raise FileError("The root directory cannot be removed.")
        folder = self._dir(names[:-1])
        node = self._node(names)
        if isinstance(node, _Dir) and node.children and not recursive:
            raise FileError(
                f"{join_path(names)} is a directory holding {len(node.children)} entries; "
                "remove them first, or remove it with recursive=true."
            )
        count, size, name_bytes = _measure(names[-1], node)
        del folder.children[names[-1]]
        folder.modified = self._clock()
        self._touch(names[:-1])
        self._touch_tree(names, node)
        self._entries -= count
        self._bytes -= size
        self._names -= name_bytes
        self._revision += 1
        return count

    def move(self, source: str, destination: str, *, overwrite: bool = False) -> None:
        """Move or rename `source` to the full path `destination`, creating missing parents.

        An existing destination is replaced only when both are files and `overwrite`.
        """
        src, dst = split_path(source), split_path(destination)
        if not src:
            raise FileError("The root directory cannot be moved.")
        if not dst:
            raise FileError("The destination is the root directory; give the full new path.")
        node = self._node(src)
        if src == dst:
            return
        if dst[: len(src)] == src:
            raise FileError(f"{join_path(src)} cannot be moved inside itself ({join_path(dst)}).")
        if len(dst) + _depth(node) > MAX_DEPTH:
            raise FileError(
                f"Moving {join_path(src)} to {join_path(dst)} would nest entries more than "
                f"{MAX_DEPTH} levels deep."
            )
        parent, missing = self._parent(dst)
        old = parent.children.get(dst[-1]) if parent is not None else None
        if old is not None:
            if not overwrite:
                raise FileError(
                    f"{join_path(dst)} already exists; choose another destination, "
                    "or set overwrite=true to replace a file."
                )
            if isinstance(old, _Dir) or isinstance(node, _Dir):
                raise FileError(f"{join_path(dst)} already exists; only a file can replace a file.")
        old_size = len(old.data) if isinstance(old, _File) else 0
        # new: the missing parents and the new name; gone: the old name, and the replaced file
        more_names = _name_bytes(dst[len(dst) - 1 - missing :]) - _name_bytes(src[-1:])
        if old is not None:
            more_names -= _name_bytes(dst[-1:])
        more_entries = missing - (old is not None)
        moving = f"Moving {join_path(src)} to {join_path(dst)}"
        self._check_quota(moving, -old_size, more_names, more_entries)
        now = self._clock()
        origin = self._dir(src[:-1])
        self._touch_tree(src, node)
        del origin.children[src[-1]]
        origin.modified = now
        self._touch(src[:-1])
        folder = self._make_parents(dst, now)
        folder.children[dst[-1]] = node
        folder.modified = now
        self._touch(dst[:-1])
        self._touch_tree(dst, node)
        self._entries += more_entries
        self._bytes -= old_size
        self._names += more_names
        self._revision += 1

    # --- snapshots ----------------------------------------------------------------------

    def snapshot(self) -> dict[str, JsonValue]:
        """The whole tree as JSON: UTF-8 files as text, others as base64."""
        entries: list[JsonValue] = [_item(names, node) for names, node in _nodes((), self._root)]
        return {"format": SNAPSHOT_FORMAT, "version": SNAPSHOT_VERSION, "entries": entries}

    def entries(self) -> dict[str, JsonValue]:
        """Every entry as JSON by path, as in `snapshot()`'s `entries` (each with its path)."""
        return {join_path(names): _item(names, node) for names, node in _nodes((), self._root)}

    def take_changes(self) -> dict[str, JsonValue | None]:
        """The entries that changed since the last call, by path: each as in `entries()`, or
        None where the entry is gone. Forgets them: the next call reports only later changes.

        A directory counts as changed when an entry is added to or removed from it (its
        modification time changed); moving or removing a directory changes every path under it.
        """
        changes: dict[str, JsonValue | None] = {}
        for names in self._changed:
            try:
                node = self._node(names)
            except FileError:  # gone, or a file is where one of its parents was
                changes[join_path(names)] = None
            else:
                changes[join_path(names)] = _item(names, node)
        self._changed = set()
        return changes

    def mark_changed(self, paths: Iterable[str]) -> None:
        """Report `paths` again at the next `take_changes()` (e.g. after saving them failed)."""
        for path in paths:
            self._touch(split_path(path))

    @classmethod
    def from_entries(
        cls,
        entries: Mapping[str, JsonValue],
        quota: Quota | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> VirtualFS:
        """A tree rebuilt from entries by path (as `entries()` or `take_changes()` give them),
        checked as `from_snapshot` checks a snapshot; each entry must name its own path.

        Raises:
            ValueError: when an entry is malformed, is not at its path, or breaks a path rule
                or the quota.
        """
        for path, item in entries.items():
            if not isinstance(item, dict) or item.get("path") != path:
                raise ValueError(f"Invalid VirtualFS entry under {path!r}: {item!r:.100}")
        snapshot: dict[str, JsonValue] = {
            "format": SNAPSHOT_FORMAT,
            "version": SNAPSHOT_VERSION,
            "entries": list(entries.values()),
        }
        return cls.from_snapshot(snapshot, quota, clock=clock)

    @classmethod
    def from_snapshot(
        cls,
        snapshot: JsonValue,
        quota: Quota | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> VirtualFS:
        """A tree rebuilt from `snapshot()`'s JSON, under the same path rules and quota.

        Raises:
            ValueError: when the snapshot is malformed, breaks a path rule or the quota.
        """
        fs = cls(quota, clock=clock)
        if not isinstance(snapshot, dict) or snapshot.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"Not a VirtualFS snapshot (expected format {SNAPSHOT_FORMAT!r}).")
        if snapshot.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"Unsupported VirtualFS snapshot version {snapshot.get('version')!r}.")
        entries = snapshot.get("entries")
        if not isinstance(entries, list):
            raise ValueError("A VirtualFS snapshot needs an 'entries' list.")
        times: list[tuple[tuple[str, ...], float]] = []
        try:
            for item in entries:
                names, modified = fs._restore(item)
                if modified is not None:
                    times.append((names, modified))
        except (FileError, PathError) as exc:  # paths and quotas are checked as for any write
            raise ValueError(f"Invalid VirtualFS snapshot: {exc}") from None
        for names, modified in times:
            fs._node(names).modified = modified
        fs._revision = 0
        fs._changed = set()
        return fs

    def _restore(self, item: JsonValue) -> tuple[tuple[str, ...], float | None]:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise ValueError(f"Invalid VirtualFS snapshot entry: {item!r:.100}")
        path = str(item["path"])
        names = split_path(path)
        modified = item.get("modified")
        stamp = float(modified) if isinstance(modified, (int, float)) else None
        kind = item.get("type")
        if kind == "directory":
            self.make_dir(path)
        elif kind == "file" and isinstance(item.get("text"), str):
            self.write_bytes(path, str(item["text"]).encode())
        elif kind == "file" and isinstance(item.get("base64"), str):
            try:
                data = base64.b64decode(str(item["base64"]), validate=True)
            except binascii.Error as exc:
                raise ValueError(
                    f"Invalid base64 for {path!r} in a VirtualFS snapshot: {exc}"
                ) from None
            self.write_bytes(path, data)
        else:
            raise ValueError(f"Invalid VirtualFS snapshot entry for {path!r}.")
        return names, stamp

    # --- internals ----------------------------------------------------------------------

    def _node(self, names: tuple[str, ...]) -> _File | _Dir:
        node: _File | _Dir = self._root
        for i, name in enumerate(names):
            if isinstance(node, _File):
                raise FileError(
                    f"{join_path(names[:i])} is a file, not a directory, "
                    f"so {join_path(names)} does not exist."
                )
            child = node.children.get(name)
            if child is None:
                raise FileError(f"No such file or directory: {join_path(names)}")
            node = child
        return node

    def _dir(self, names: tuple[str, ...]) -> _Dir:
        node = self._node(names)
        if isinstance(node, _File):
            raise FileError(f"{join_path(names)} is a file, not a directory.")
        return node

    def _parent(self, names: tuple[str, ...]) -> tuple[_Dir | None, int]:
        """The existing parent directory of `names` (None if missing) and how many
        directories are missing above the last name."""
        node: _Dir = self._root
        for i, name in enumerate(names[:-1]):
            child = node.children.get(name)
            if child is None:
                return None, len(names) - 1 - i
            if isinstance(child, _File):
                raise FileError(
                    f"{join_path(names[: i + 1])} is a file, not a directory, "
                    f"so {join_path(names)} cannot be created."
                )
            node = child
        return node, 0

    def _make_parents(self, names: tuple[str, ...], now: float) -> _Dir:
        node = self._root
        path: list[str] = []
        for name in names[:-1]:
            child = node.children.get(name)
            if child is None:
                child = node.children[name] = _Dir(now)
                node.modified = now
                self._touch(names[: len(path)])
                self._touch(names[: len(path) + 1])
            assert isinstance(child, _Dir)  # checked by _parent
            path.append(name)
            node = child
        return node

    def _charged(self, content: int, names: int, entries: int) -> int:
        return content + names + entries * self.quota.entry_overhead

    def _check_quota(
        self, doing: str, more_bytes: int, more_names: int, more_entries: int
    ) -> None:
        """Refuse `doing` (e.g. "Writing /a") if the change would go over the quota."""
        quota = self.quota
        used = self.charged_bytes
        after = self._charged(
            self._bytes + more_bytes, self._names + more_names, self._entries + more_entries
        )
        if self._entries + more_entries > quota.max_entries:
            raise QuotaExceeded(
                f"{doing} would make {self._entries + more_entries} files and directories; "
                f"the quota is {quota.max_entries} (max_entries). Remove some first."
            )
        if after > quota.max_bytes:
            raise QuotaExceeded(
                f"{doing} would use {_size(after)} of the {_size(quota.max_bytes)} quota "
                f"(max_bytes, which counts file contents plus, for each file and directory, "
                f"its name and {quota.entry_overhead} bytes; {_size(used)} used). "
                "Remove files or directories, or write less."
            )

    def _touch(self, names: tuple[str, ...]) -> None:
        """Note that the entry at `names` changed (the root has no entry of its own)."""
        if names:
            self._changed.add(names)

    def _touch_tree(self, names: tuple[str, ...], node: _File | _Dir) -> None:
        """Note that `node`, at `names`, and every entry under it changed."""
        self._touch(names)
        if isinstance(node, _Dir):
            self._changed.update(child for child, _ in _nodes(names, node))


def _item(names: tuple[str, ...], node: _File | _Dir) -> dict[str, JsonValue]:
    """The JSON of one entry, as in a snapshot: UTF-8 files as text, others as base64."""
    item: dict[str, JsonValue] = {"path": join_path(names), "modified": node.modified}
    if isinstance(node, _Dir):
        item["type"] = "directory"
    else:
        item["type"] = "file"
        try:
            item["text"] = node.data.decode("utf-8")
        except UnicodeDecodeError:
            item["base64"] = base64.b64encode(node.data).decode("ascii")
    return item


def _entry(names: tuple[str, ...], node: _File | _Dir) -> Entry:
    if isinstance(node, _Dir):
        return Entry(join_path(names), "directory", 0, node.modified)
    return Entry(join_path(names), "file", len(node.data), node.modified)


def _nodes(names: tuple[str, ...], folder: _Dir) -> Iterator[tuple[tuple[str, ...], _File | _Dir]]:
    for name, child in sorted(folder.children.items()):
        yield names + (name,), child
        if isinstance(child, _Dir):
            yield from _nodes(names + (name,), child)


def _walk(names: tuple[str, ...], folder: _Dir) -> Iterator[Entry]:
    for child_names, node in _nodes(names, folder):
        yield _entry(child_names, node)


def _measure(name: str, node: _File | _Dir) -> tuple[int, int, int]:
    """How many entries `node` (named `name`) counts for, itself included, how many bytes of
    content, and how many bytes of names."""
    if isinstance(node, _File):
        return 1, len(node.data), _name_bytes((name,))
    count, size, names = 1, 0, _name_bytes((name,))
    for child_name, child in node.children.items():
        more, extra, named = _measure(child_name, child)
        count, size, names = count + more, size + extra, names + named
    return count, size, names


def _name_bytes(names: Iterable[str]) -> int:
    """The UTF-8 bytes of `names`, as the quota counts them."""
    return sum(len(name.encode("utf-8", errors="surrogatepass")) for name in names)


def _depth(node: _File | _Dir) -> int:
    """How many levels `node`'s subtree holds below `node` itself."""
    if isinstance(node, _File) or not node.children:
        return 0
    return 1 + max(_depth(child) for child in node.children.values())


def _size(n: int) -> str:
    """`n` bytes for a message: exact below 1 KiB, else with one decimal."""
    if n < 1024:
        return f"{n} bytes"
    if n < MiB:
        return f"{n / 1024:.1f} KiB"
    return f"{n / MiB:.1f} MiB"
