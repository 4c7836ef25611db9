"""The dist of an installed wheel: assembled on the first `remi web` into the user's cache
(`$XDG_CACHE_HOME` or `~/.cache`, then `remi-web/VERSION-HASH/dist`, the hash covering the pins and
the installed package), atomically (a scratch directory renamed into place), reused afterwards.
Downloads are kept in `remi-web/downloads/`, so a new version fetches only what changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from importlib.metadata import version
from pathlib import Path

from .assemble import assemble
from .fetch import Fetcher, Progress, size_text, to_stderr
from .files import AppFiles
from .npm import runtime_packages, unpack
from .own_wheel import package_files

ASSEMBLED = ("pyodide.mjs", "pyodide-lock.json", "vendor/marked.esm.js")
"""Files an assembled dist has (`remi web` checks them before serving)."""


def cache_root() -> Path:
    """`$XDG_CACHE_HOME/remi-web`, or `~/.cache/remi-web`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "remi-web"


def is_assembled(dist: Path) -> bool:
    """Whether `dist` has what the page loads first."""
    return all((dist / name).is_file() for name in ASSEMBLED)


def cache_key(app: AppFiles) -> str:
    """`VERSION-HASH`: the installed version, and a hash of the pins and of the package's files."""
    digest = hashlib.sha256()
    for path in [*app.pin_files, *package_files()]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{version('remi-web')}-{digest.hexdigest()[:12]}"


def cached_dist(app: AppFiles, progress: Progress = to_stderr) -> Path:
    """The assembled dist for this installation, assembling it first if needed (with progress
    lines). Raises `AssemblyError` (one line, saying what to do) when it cannot."""
    root = cache_root()
    final = root / cache_key(app)
    if is_assembled(final / "dist"):
        return final / "dist"
    started = time.perf_counter()
    progress(f"remi web: assembling the Pyodide runtime and wheels for the page in {final} (once)")
    shutil.rmtree(final, ignore_errors=True)  # an incomplete one (a file was deleted)
    root.mkdir(parents=True, exist_ok=True)
    scratch = root / f".{final.name}.{os.getpid()}.tmp"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        fetcher = Fetcher.from_environment(root / "downloads", progress)
        npm_root = scratch / "npm"
        for package in runtime_packages(app.package_json, app.package_lock):
            unpack(fetcher.get(package.item()), npm_root / package.name)
        assemble(scratch / "dist", app=app, npm_root=npm_root, fetcher=fetcher)
        shutil.rmtree(npm_root)
        try:
            scratch.rename(final)
        except OSError:  # another `remi web` finished first: use its dist
            if not is_assembled(final / "dist"):
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    size = sum(path.stat().st_size for path in (final / "dist").rglob("*") if path.is_file())
    progress(f"remi web: assembled in {time.perf_counter() - started:.1f} s ({size_text(size)})")
    return final / "dist"
