"""What spares the worker work at boot, made under node by `make_snapshot.mjs`: `dist/snapshot.bin`,
a Pyodide memory snapshot of the interpreter right after boot with the standard library the agent
needs imported (no package in it), and `dist/pycache.zip`, the bytecode of the package modules the
worker imports before its first run. The worker does without either (a plain boot; compiling from
source). Remade whenever the runtime, the lock or the script changed (Pyodide itself refuses a
snapshot from another build)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from .errors import AssemblyError
from .fetch import Progress, size_text

SCRIPT = Path(__file__).with_name("make_snapshot.mjs")
NODE_ENV = "REMI_WEB_NODE"
"""The node to make the snapshot with (default: `node` on the PATH); `none` for no snapshot."""
OUTPUTS = ("snapshot.bin", "pycache.zip")
INPUTS = ("pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip", "pyodide-lock.json")


def find_node() -> str | None:
    """The node to run, or None."""
    chosen = os.environ.get(NODE_ENV)
    if chosen == "none":
        return None
    return chosen or shutil.which("node")


def make_snapshot(dist: Path, progress: Progress, *, required: bool) -> None:
    """Make `dist/snapshot.bin` if it is missing or stale. Without a node, or when node fails, the
    dist goes without one (a line says so), unless `required` (then `AssemblyError`)."""
    stamp = _stamp(dist)
    stamp_file = dist / ".snapshot-stamp"
    made = all((dist / name).is_file() for name in OUTPUTS)
    if made and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return
    node = find_node()
    problem = f"no node on the PATH or in ${NODE_ENV}" if node is None else _run(node, dist)
    if problem is None:
        stamp_file.write_text(stamp)
        sizes = ", ".join(f"{name} {size_text((dist / name).stat().st_size)}" for name in OUTPUTS)
        progress(f"  made the Pyodide memory snapshot and the bytecode ({sizes})")
        return
    if required:
        raise AssemblyError(f"cannot make {dist / 'snapshot.bin'}: {problem}")
    for name in OUTPUTS:
        (dist / name).unlink(missing_ok=True)
    progress(f"  no memory snapshot ({problem}): the page boots Pyodide without one, a little slower")


def _run(node: str, dist: Path) -> str | None:
    """Run the snapshot script; None, or what went wrong."""
    try:
        run = subprocess.run(
            [node, str(SCRIPT), "--dist", str(dist)], capture_output=True, text=True, timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{node}: {error}"
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return f"{node} failed: {last}"
    return None


def _stamp(dist: Path) -> str:
    """The snapshot's inputs and the script, hashed."""
    digest = hashlib.sha256()
    for path in [*(dist / name for name in INPUTS), SCRIPT]:
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()
