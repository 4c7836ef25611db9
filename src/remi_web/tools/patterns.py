"""Glob patterns over paths: `*`, `?`, `[abc]` within a name, and `**` across names.

Pure Python (`fnmatch` per name), case-sensitive. `*` also matches names that start
with a dot. Patterns follow the path rules of `paths` (separators, `.`), except that
`..` is refused anywhere in a pattern.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from .errors import PathError
from .paths import split_path


class GlobPattern:
    """A compiled glob pattern, matched against paths relative to where the search starts."""

    __slots__ = ("text", "_names")

    def __init__(self, pattern: str) -> None:
        """Compile `pattern` (e.g. `**/*.py`, `src/*/test_?.py`).

        Raises:
            PathError: for `..`, or anything `split_path` refuses.
        """
        if ".." in pattern.replace("\\", "/").split("/"):
            raise PathError(f"The glob pattern {pattern!r} uses '..'; patterns cannot climb up.")
        names = split_path(pattern)
        if not names:
            raise PathError("The glob pattern is empty; use e.g. '**/*' to match everything.")
        self.text = pattern
        self._names = names

    def matches(self, names: tuple[str, ...]) -> bool:
        """Whether the path made of `names` matches the whole pattern."""
        pattern = self._names
        # reachable[j]: the first i pattern names can match the first j path names.
        reachable = [True] + [False] * len(names)
        for part in pattern:
            if part == "**":
                seen = False
                for j in range(len(reachable)):
                    seen = seen or reachable[j]
                    reachable[j] = seen
            else:
                reachable = [False] + [
                    reachable[j] and fnmatchcase(names[j], part) for j in range(len(names))
                ]
        return reachable[-1]
