"""The Pyodide runtime files of the npm package, copied into the dist (not its own lock, which
lists wheels the dist does not ship)."""

from __future__ import annotations

import shutil
from pathlib import Path

SKIPPED = ("pyodide-lock.json", "package.json", "README.md")


def copy_runtime(pyodide: Path, dist: Path) -> None:
    """Copy the runtime files of the unpacked npm package `pyodide` into `dist`, those that changed."""
    for source in sorted(pyodide.iterdir()):
        if not source.is_file() or source.name in SKIPPED or source.name.startswith("console"):
            continue
        target = dist / source.name
        if not _same(source, target):
            shutil.copyfile(source, target)


def _same(a: Path, b: Path) -> bool:
    """Whether two files have the same bytes."""
    if not b.is_file() or a.stat().st_size != b.stat().st_size:
        return False
    return a.read_bytes() == b.read_bytes()
