"""`SourceSnapshots`: frozen, compile-checked copies of an agent's folder for the dev runtime.

Each reload copies the `.py` files of the agent's folder into a directory named by their
content hash, with the manifest the dev runtime reads (`DevManifest`). Every file is first
compiled here, under its real path, so a syntax error is reported at once with the real
file, line and code, and nothing is copied. An instance mounts one snapshot read-only: a run
sees the source its generation was made from to its end, whatever is saved meanwhile.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..guest.dev_problem import SourceProblem, syntax_problem
from ..guest.dev_source import MANIFEST, DevManifest
from ..guest.toolchain import APP_MODULE, BINDINGS_MODULE, EXPORTS_MODULE
from .dev_source_error import DevSourceError

SNAPSHOTS_KEPT = 32
"""How many snapshots a `SourceSnapshots` keeps (a run holds its own only while it lives)."""
MAX_SOURCE_FILES = 2000
"""The most `.py` files an agent's folder may hold under `remi dev`."""
_SKIP_DIRS = {"__pycache__", ".git", ".venv", "venv", "node_modules", ".mypy_cache", ".remi"}
_RESERVED = {APP_MODULE, EXPORTS_MODULE, BINDINGS_MODULE, "remi_dev_runtime", "remi_web"}


@dataclass(frozen=True, slots=True)
class SourceSnapshot:
    """One compile-checked copy of the agent's folder.

    Args:
        digest: the SHA-256 of its files and manifest (identifies the source).
        directory: where the copy is (mounted read-only by the dev runtime).
        files: the real paths of the files copied.
    """

    digest: str
    directory: Path
    files: tuple[Path, ...]


class SourceSnapshots:
    """Takes snapshots of one agent file's folder (kept under a temporary directory).

    Args:
        agent: the agent file (its folder is what is copied).
        factory: the function `(model) -> AgentLoop` the dev runtime calls (None: the
            file's `build_agent`, else its `agent`).
        root: where snapshots go (default: a new temporary directory, removed by `close()`).

    Raises `DevSourceError` for an agent file whose name cannot be a module.
    """

    def __init__(self, agent: Path, factory: str | None = None, root: Path | None = None) -> None:
        self.agent = agent.resolve()
        self.folder = self.agent.parent
        module = self.agent.stem
        if self.agent.suffix != ".py" or not module.isidentifier() or module in _RESERVED or (
            module in sys.stdlib_module_names
        ):
            raise DevSourceError(SourceProblem(
                "no_agent", f"{self.agent.name}: rename the file; the dev runtime imports it "
                f"as module `{module}`, which must be a Python name not taken by the standard "
                "library or remi-web.", str(self.agent),
            ))
        self.manifest = DevManifest(module, str(self.folder), factory)
        self._owned = root is None
        self.root = Path(tempfile.mkdtemp(prefix="remi-dev-")) if root is None else root
        self.root.mkdir(parents=True, exist_ok=True)
        self._checked: dict[Path, str] = {}
        self.serving: Path | None = None
        """The snapshot serving new runs (never pruned); set by its user."""

    def take(self, entry_text: bytes | None = None) -> SourceSnapshot:
        """Read the folder's `.py` files (with `entry_text` as the agent file's content,
        when given), compile each under its real path, and return their snapshot (an
        identical one is reused). Blocking.

        Raises `DevSourceError` for the first file that does not compile (the entry file
        first), or when the folder cannot be read.
        """
        files = self._read(entry_text)
        for path in sorted(files, key=lambda p: (p != self.agent, p)):
            self._check(path, files[path])
        digest = hashlib.sha256(self.manifest.to_json().encode())
        for path in sorted(files):
            digest.update(str(path.relative_to(self.folder)).encode() + b"\0")
            digest.update(hashlib.sha256(files[path]).digest())
        name = digest.hexdigest()
        directory = self.root / name[:32]
        if not directory.is_dir():
            self._write(directory, files)
        os.utime(directory)  # recently used: kept longest
        self._prune()
        return SourceSnapshot(name, directory, tuple(sorted(files)))

    def close(self) -> None:
        """Remove the snapshots (when the directory was this object's own)."""
        if self._owned:
            shutil.rmtree(self.root, ignore_errors=True)

    def _read(self, entry_text: bytes | None) -> dict[Path, bytes]:
        files: dict[Path, bytes] = {}
        try:
            for directory, subdirs, names in os.walk(self.folder):
                subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS
                                    and not d.startswith("."))
                for name in sorted(names):
                    if name.endswith(".py"):
                        path = Path(directory, name)
                        files[path] = path.read_bytes()
                if len(files) > MAX_SOURCE_FILES:
                    raise DevSourceError(SourceProblem(
                        "no_agent", f"{self.folder} has more than {MAX_SOURCE_FILES} Python "
                        "files; put the agent in its own folder.", str(self.agent),
                    ))
        except OSError as error:
            raise DevSourceError(SourceProblem(
                "no_agent", f"Cannot read the agent's folder: {error}", str(self.agent),
            )) from error
        if entry_text is not None:
            files[self.agent] = entry_text
        if self.agent not in files:
            raise DevSourceError(SourceProblem(
                "no_agent", f"{self.agent} does not exist (deleted or renamed?).",
                str(self.agent),
            ))
        return files

    def _check(self, path: Path, data: bytes) -> None:
        sha = hashlib.sha256(data).hexdigest()
        if self._checked.get(path) == sha:
            return
        try:
            compile(data, str(path), "exec", dont_inherit=True)
        except SyntaxError as error:
            raise DevSourceError(syntax_problem(error)) from error
        except ValueError as error:  # e.g. null bytes
            raise DevSourceError(SourceProblem(
                "syntax", f"SyntaxError: {error}", str(path),
            )) from error
        self._checked[path] = sha

    def _write(self, directory: Path, files: dict[Path, bytes]) -> None:
        partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=self.root))
        for path, data in files.items():
            target = partial / path.relative_to(self.folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (partial / MANIFEST).write_text(self.manifest.to_json())
        try:
            partial.rename(directory)
        except OSError:  # the same snapshot was written meanwhile
            shutil.rmtree(partial, ignore_errors=True)

    def _prune(self) -> None:
        kept = [p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")]
        kept.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[SNAPSHOTS_KEPT:]:
            if old != self.serving:
                shutil.rmtree(old, ignore_errors=True)
