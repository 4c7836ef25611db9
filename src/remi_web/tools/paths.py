"""The path rules every file tool shares: one root, and nothing above it.

A path names an entry below the root of a file system. `/` and `\\` both separate names
and repeated separators collapse, so `/a//b`, `a/b` and `a\\b` are the same path; a
leading separator is optional (`/` is the root itself). `.` is dropped and `..` steps
back one name, but a `..` that would climb above the root refuses the whole path rather
than being clamped, so the model learns the rule instead of writing somewhere it did
not mean. NUL and other control characters are refused, and so are very long paths.
Pure Python: no I/O.
"""

from __future__ import annotations

from .errors import PathError

MAX_PATH_CHARS = 4096
"""The longest path accepted, in characters."""

MAX_NAME_CHARS = 255
"""The longest single name (one path component) accepted, in characters."""

MAX_DEPTH = 64
"""The most names a path may hold below the root."""


def split_path(path: str) -> tuple[str, ...]:
    """The names of `path` below the root, in order; `()` for the root.

    Raises:
        PathError: for NUL bytes or control characters, a `..` above the root, or a
            path or name over the length limits.
    """
    if not isinstance(path, str):
        raise PathError(f"A path must be a string, not {type(path).__name__}.")
    if len(path) > MAX_PATH_CHARS:
        raise PathError(f"The path is {len(path)} characters long; the limit is {MAX_PATH_CHARS}.")
    bad = next((c for c in path if ord(c) < 0x20 or ord(c) == 0x7F), None)
    if bad is not None:
        what = "a NUL byte" if bad == "\x00" else f"the control character {bad!r}"
        raise PathError(f"The path {_shown(path)} contains {what}; paths cannot hold those.")
    names: list[str] = []
    for name in path.replace("\\", "/").split("/"):
        if name in ("", "."):
            continue
        if name == "..":
            if not names:
                raise PathError(
                    f"The path {_shown(path)} goes above the root with '..'. Paths are "
                    "relative to the root '/', and nothing above it can be reached."
                )
            names.pop()
            continue
        if len(name) > MAX_NAME_CHARS:
            raise PathError(
                f"The name {name[:40]!r}... in {_shown(path)} is {len(name)} characters long; "
                f"the limit is {MAX_NAME_CHARS}."
            )
        names.append(name)
    if len(names) > MAX_DEPTH:
        raise PathError(
            f"The path {_shown(path)} is {len(names)} levels deep; the limit is {MAX_DEPTH}."
        )
    return tuple(names)


def normalize_path(path: str) -> str:
    """`path` in canonical form: `/` followed by its names joined with `/` (see `split_path`)."""
    return join_path(split_path(path))


def join_path(names: tuple[str, ...]) -> str:
    """The canonical path of `names` (already checked by `split_path`)."""
    return "/" + "/".join(names)


def _shown(path: str) -> str:
    """`path` quoted for a message, shortened when long, control characters escaped."""
    text = repr(path)
    return text if len(text) <= 120 else text[:100] + "...'"
