"""`build_component`: turn an agent file into a WebAssembly component (what `remi build` does).

The agent file is normal remi-web code: a factory `build_agent(model)` returning an
`AgentLoop`, or an `agent` (an `AgentBuilder` without a model, as the web app runs it). The build generates a small entry module, runs componentize-py with
the project's WIT (the agent is built once, at build time, and snapshotted), then writes a
`.cwasm` precompiled for this host beside the `.wasm`. Outputs are replaced atomically,
`.cwasm` first, so a watcher of the `.wasm` always finds a matching `.cwasm`.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from ..core.errors import RemiError
from ..guest.toolchain import (
    APP_MODULE,
    BINDINGS_MODULE,
    EXPORTED_INTERFACE,
    EXPORTS_MODULE,
    WASI_SITE,
    WORLD,
    componentize_py,
    wit_dir,
)

GUEST_PACKAGES = ("docstring_parser",)
"""Pure-Python dependencies of the core that a component carries (pydantic has a stand-in)."""
_SKIP_DIRS = {"__pycache__", ".git", ".venv", "venv", "node_modules", ".mypy_cache"}
_MAX_SOURCE_FILES = 2000


class BuildError(RemiError):
    """The component could not be built; the message holds componentize-py's explanation."""

    code = "build_failed"


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced.

    Args:
        wasm: the component.
        cwasm: its precompiled form for this host (None with `precompile=False`).
        seconds: the whole build's wall time.
        componentize_seconds: the componentize-py part.
        precompile_seconds: the compile-to-native part.
        cached: whether the outputs came from the build cache.
    """

    wasm: Path
    cwasm: Path | None
    seconds: float
    componentize_seconds: float = 0.0
    precompile_seconds: float = 0.0
    cached: bool = False


def build_component(
    agent: Path,
    output: Path,
    *,
    factory: str | None = None,
    precompile: bool = True,
    cache_dir: Path | None = None,
) -> BuildResult:
    """Build the agent in file `agent` into the component `output` (a `.wasm`).

    Args:
        agent: a Python file defining `factory`.
        output: where to write the `.wasm` (the `.cwasm` goes beside it).
        factory: the function `(model) -> AgentLoop` to call; by default the file's
            `build_agent`, else its `agent` (an `AgentBuilder`, as the web app uses).
        precompile: also write the `.cwasm` for this host's wasmtime.
        cache_dir: reuse (and store) outputs of identical builds here; the key covers the
            agent's directory, remi-web's sources, the WIT and the tool versions.

    Raises `BuildError` with componentize-py's message when the build fails.
    """
    started = time.perf_counter()
    agent = agent.resolve()
    output = output.resolve()
    if agent.suffix != ".py" or not agent.is_file():
        raise BuildError(f"{agent} is not a Python file.")
    if not agent.stem.isidentifier():
        raise BuildError(f"{agent.name}: the file name must be a valid module name.")
    output.parent.mkdir(parents=True, exist_ok=True)
    cwasm = output.with_suffix(".cwasm")
    key = _cache_key(agent, factory, precompile) if cache_dir is not None else ""
    entry = cache_dir / key if cache_dir is not None else None
    if entry is not None and (entry / "agent.wasm").is_file():
        _publish(entry / "agent.wasm", entry / "agent.cwasm" if precompile else None, output)
        return BuildResult(output, cwasm if precompile else None,
                           time.perf_counter() - started, cached=True)
    with tempfile.TemporaryDirectory(prefix="remi-build-") as scratch:
        staging = Path(scratch)
        wasm_bytes, componentize_seconds = _componentize(agent, factory, staging)
        precompile_seconds = 0.0
        cwasm_bytes: bytes | None = None
        if precompile:
            from .artifact import precompile as to_cwasm

            at = time.perf_counter()
            cwasm_bytes = to_cwasm(wasm_bytes)
            precompile_seconds = time.perf_counter() - at
        built_wasm = staging / "agent.wasm"
        built_wasm.write_bytes(wasm_bytes)
        built_cwasm = None
        if cwasm_bytes is not None:
            built_cwasm = staging / "agent.cwasm"
            built_cwasm.write_bytes(cwasm_bytes)
        if entry is not None:
            _store(entry, built_wasm, built_cwasm)
        _publish(built_wasm, built_cwasm, output)
    return BuildResult(
        output, cwasm if precompile else None, time.perf_counter() - started,
        componentize_seconds, precompile_seconds,
    )


def _componentize(agent: Path, factory: str | None, staging: Path) -> tuple[bytes, float]:
    module = agent.stem
    if module in (APP_MODULE, EXPORTS_MODULE, BINDINGS_MODULE):
        raise BuildError(f"{agent.name}: rename the file; {module} is used by the build.")
    app = staging / "app"
    app.mkdir()
    (app / f"{APP_MODULE}.py").write_text(
        f'"""Entry module of a remi agent component (generated by `remi build`)."""\n'
        f"import {module} as agent_module\n"
        f"from remi_web.guest.component import RemiGuestExports, Run, install\n\n"
        f"install(agent_module, {factory!r})\n"
    )
    (app / f"{EXPORTS_MODULE}.py").write_text(
        '"""The exported resource (generated by `remi build`)."""\n'
        "from remi_web.guest.component import Run\n"
    )
    remi_root = Path(__file__).resolve().parent.parent.parent
    deps = staging / "deps"  # the core's pure-Python dependencies, copied (not site-packages)
    for package in GUEST_PACKAGES:
        source = Path(importlib.import_module(package).__file__ or "").parent
        shutil.copytree(source, deps / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = staging / "out.wasm"
    at = time.perf_counter()
    result = componentize_py(
        "-d", str(wit_dir()), "-w", WORLD, "--world-module", BINDINGS_MODULE,
        "--export-interface-name", f"{EXPORTED_INTERFACE}={EXPORTS_MODULE}",
        "componentize", APP_MODULE,
        "-p", str(WASI_SITE), "-p", str(deps), "-p", str(app), "-p", str(agent.parent),
        "-p", str(remi_root),
        "-o", str(out),
        cwd=staging,
    )
    seconds = time.perf_counter() - at
    if result.returncode != 0 or not out.is_file():
        raise BuildError(f"Building {agent.name} failed:\n{_explain(result.stderr)}")
    return out.read_bytes(), seconds


def _explain(stderr: str) -> str:
    """componentize-py's error without its Rust backtrace."""
    lines = [line for line in stderr.splitlines()
             if not line.startswith("  ") or line.strip().startswith(("File ", "raise", "^"))]
    kept = [line for line in lines if "Stack backtrace" not in line and line.strip()]
    text = "\n".join(kept[:60])
    return text or stderr[-4000:]


def _publish(wasm: Path, cwasm: Path | None, output: Path) -> None:
    from .artifact import write_atomically

    if cwasm is not None:
        write_atomically(output.with_suffix(".cwasm"), cwasm.read_bytes())
    write_atomically(output, wasm.read_bytes())


def _store(entry: Path, wasm: Path, cwasm: Path | None) -> None:
    partial = entry.with_name(entry.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    shutil.copyfile(wasm, partial / "agent.wasm")
    if cwasm is not None:
        shutil.copyfile(cwasm, partial / "agent.cwasm")
    shutil.rmtree(entry, ignore_errors=True)
    partial.rename(entry)


def _cache_key(agent: Path, factory: str | None, precompile: bool) -> str:
    digest = hashlib.sha256()
    tools = [version("componentize-py"), version("wasmtime"), sys.version, str(factory),
             agent.name, str(precompile), *(version(p.replace("_", "-")) for p in GUEST_PACKAGES)]
    digest.update("\n".join(tools).encode())
    remi_root = Path(__file__).resolve().parent.parent
    for root in (agent.parent, remi_root, wit_dir()):
        for path in _sources(root):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _sources(root: Path) -> list[Path]:
    found: list[Path] = []
    for path in sorted(root.rglob("*")):
        if any(part in _SKIP_DIRS for part in path.relative_to(root).parts):
            continue
        if path.is_file() and path.suffix in (".py", ".wit", ".toml"):
            found.append(path)
            if len(found) > _MAX_SOURCE_FILES:
                raise BuildError(f"{root} has more than {_MAX_SOURCE_FILES} source files; "
                                 "put the agent in its own directory.")
    return found
