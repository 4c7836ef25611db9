"""`build_component`: turn an agent file into a WebAssembly component (what `remi build` does).

The agent file is normal remi-web code: a factory `build_agent(model)` returning an
`AgentLoop`, or an `agent` (an `AgentBuilder` without a model, as the web app runs it). The
build generates a small entry module, runs componentize-py with the project's WIT (the agent
is built once, at build time, and snapshotted), then writes a `.cwasm` precompiled for this
host, signed with this machine's key, beside the `.wasm`. Outputs are replaced atomically,
`.cwasm` first, so a watcher of the `.wasm` always finds a matching `.cwasm`.

With a cache directory, outputs are kept under a content hash of everything the build reads
(the agent's directory, remi-web's sources, the WIT, the toolchain's versions and the build
options): an unchanged agent is never built again, and a build whose inputs changed while
it ran is not cached. A cached `.cwasm` is used only while its MAC checks out under this
machine's key; otherwise it is precompiled again from the cached `.wasm`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
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

GUEST_RUNTIME = "remi_web.guest.component"
"""The guest module a component's entry installs the agent with (it provides `install`,
`RemiGuestExports` and `Run`); the dev runtime names its own (`remi_web.guest.dev_entry`)."""
GUEST_PACKAGES = ("docstring_parser",)
"""Pure-Python dependencies of the core that a component carries (pydantic has a stand-in)."""
CACHE_ENTRIES_KEPT = 16
"""How many builds a cache directory keeps (the least recently used go first)."""
_SKIP_DIRS = {"__pycache__", ".git", ".venv", "venv", "node_modules", ".mypy_cache", ".remi"}
_MAX_SOURCE_FILES = 2000


class BuildError(RemiError):
    """The component could not be built; the message holds componentize-py's explanation."""

    code = "build_failed"


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced (the build report).

    Args:
        wasm: the component.
        cwasm: its precompiled form for this host (None with `precompile=False`).
        seconds: the whole build's wall time.
        componentize_seconds: the componentize-py part (0 on a cache hit).
        precompile_seconds: the compile-to-native part (0 when none ran).
        cached: whether the component came from the build cache (componentize-py not run).
        key: the build's cache key (None without a cache).
        wasm_size: the `.wasm`'s size in bytes.
        cwasm_size: the `.cwasm`'s size in bytes (None without one).
        precompiled: whether this build ran the precompile step (a cache hit does only when
            the cached `.cwasm` is not trusted here).
    """

    wasm: Path
    cwasm: Path | None
    seconds: float
    componentize_seconds: float = 0.0
    precompile_seconds: float = 0.0
    cached: bool = False
    key: str | None = None
    wasm_size: int = 0
    cwasm_size: int | None = None
    precompiled: bool = False


def default_cache_dir() -> Path:
    """Where `remi build` keeps builds: `$REMI_BUILD_CACHE`, else
    `$XDG_CACHE_HOME/remi-web/builds` (default `~/.cache/remi-web/builds`)."""
    named = os.environ.get("REMI_BUILD_CACHE")
    if named:
        return Path(named).expanduser()
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "remi-web" / "builds"


def build_component(
    agent: Path,
    output: Path,
    *,
    factory: str | None = None,
    precompile: bool = True,
    cache_dir: Path | None = None,
    runtime: str = GUEST_RUNTIME,
) -> BuildResult:
    """Build the agent in file `agent` into the component `output` (a `.wasm`).

    Args:
        agent: a Python file defining `factory`.
        output: where to write the `.wasm` (the `.cwasm` goes beside it).
        factory: the function `(model) -> AgentLoop` to call; by default the file's
            `build_agent`, else its `agent` (an `AgentBuilder`, as the web app uses).
        precompile: also write the `.cwasm` for this host's wasmtime.
        cache_dir: reuse (and store) outputs of identical builds here (see `cache_key`);
            None builds every time.
        runtime: the guest module the entry installs the agent with (`GUEST_RUNTIME`).

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
    key = cache_key(agent, factory, precompile, runtime) if cache_dir is not None else None
    hit = cache_dir / key if cache_dir is not None and key is not None else None
    if hit is not None and not (hit / "agent.wasm").is_file():
        hit = None
    componentize_seconds = 0.0
    if hit is not None:
        wasm_bytes = (hit / "agent.wasm").read_bytes()
        os.utime(hit)  # recently used: kept longest
    else:
        with tempfile.TemporaryDirectory(prefix="remi-build-") as scratch:
            wasm_bytes, componentize_seconds = _componentize(agent, factory, Path(scratch),
                                                             runtime)
    cwasm_bytes: bytes | None = None
    precompile_seconds = 0.0
    if precompile:
        cwasm_bytes = _trusted_cached_cwasm(hit, wasm_bytes) if hit is not None else None
        if cwasm_bytes is None:
            at = time.perf_counter()
            cwasm_bytes = _precompile(wasm_bytes)
            precompile_seconds = time.perf_counter() - at
    if cache_dir is not None and key is not None and (hit is None or precompile_seconds):
        if hit is not None or cache_key(agent, factory, precompile, runtime) == key:  # held
            _store(cache_dir, key, wasm_bytes, cwasm_bytes)  # new, or re-signed here
    _publish(wasm_bytes, cwasm_bytes, output)
    return BuildResult(
        output, output.with_suffix(".cwasm") if precompile else None,
        time.perf_counter() - started, componentize_seconds, precompile_seconds,
        cached=hit is not None, key=key, wasm_size=len(wasm_bytes),
        cwasm_size=None if cwasm_bytes is None else len(cwasm_bytes),
        precompiled=precompile and precompile_seconds > 0.0,
    )


def cache_key(
    agent: Path, factory: str | None, precompile: bool, runtime: str = GUEST_RUNTIME,
) -> str:
    """The content hash naming a build in the cache: the agent's directory (its Python,
    WIT and TOML files), remi-web's sources and version, the WIT, the toolchain's versions
    (componentize-py, wasmtime, Python, the guest's packages) and the build options
    (factory, precompiling, the guest runtime)."""
    agent = agent.resolve()
    digest = hashlib.sha256()
    tools = [version("componentize-py"), version("wasmtime"), sys.version, _sdk_version(),
             str(factory), agent.name, str(precompile), runtime,
             *(version(p.replace("_", "-")) for p in GUEST_PACKAGES)]
    digest.update("\n".join(tools).encode())
    remi_root = Path(__file__).resolve().parent.parent
    for root in (agent.parent, remi_root, wit_dir()):
        for path in _sources(root):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _componentize(
    agent: Path, factory: str | None, staging: Path, runtime: str = GUEST_RUNTIME,
) -> tuple[bytes, float]:
    module = agent.stem
    if module in (APP_MODULE, EXPORTS_MODULE, BINDINGS_MODULE):
        raise BuildError(f"{agent.name}: rename the file; {module} is used by the build.")
    app = staging / "app"
    app.mkdir()
    (app / f"{APP_MODULE}.py").write_text(
        f'"""Entry module of a remi agent component (generated by `remi build`)."""\n'
        f"import {module} as agent_module\n"
        f"from {runtime} import RemiGuestExports, Run, install\n\n"
        f"install(agent_module, {factory!r})\n"
    )
    (app / f"{EXPORTS_MODULE}.py").write_text(
        '"""The exported resource (generated by `remi build`)."""\n'
        f"from {runtime} import Run\n"
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


def _precompile(wasm: bytes) -> bytes:
    from .artifact import precompile
    from .errors import ArtifactKeyError, GuestLoadError

    try:
        return precompile(wasm)
    except (GuestLoadError, ArtifactKeyError) as error:
        raise BuildError(f"Precompiling the component failed: {error}") from error


def _trusted_cached_cwasm(entry: Path, wasm: bytes) -> bytes | None:
    """The cached `.cwasm`, if it is signed with this machine's key, made by this engine,
    and made from these `.wasm` bytes; else None (it is precompiled again)."""
    from .artifact import trusted_native
    from .errors import ArtifactKeyError, GuestLoadError

    try:
        data = (entry / "agent.cwasm").read_bytes()
        header, _ = trusted_native(data, entry / "agent.cwasm")
    except (OSError, GuestLoadError, ArtifactKeyError):
        return None
    return data if header.get("wasm_sha256") == hashlib.sha256(wasm).hexdigest() else None


def _publish(wasm: bytes, cwasm: bytes | None, output: Path) -> None:
    from .artifact import write_atomically

    if cwasm is not None:
        write_atomically(output.with_suffix(".cwasm"), cwasm)
    write_atomically(output, wasm)


def _store(cache_dir: Path, key: str, wasm: bytes, cwasm: bytes | None) -> None:
    """Put a build in the cache (atomically, by renaming a complete directory), then drop
    the least recently used entries beyond `CACHE_ENTRIES_KEPT`."""
    entry = cache_dir / key
    partial = cache_dir / f".{key}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    (partial / "agent.wasm").write_bytes(wasm)
    if cwasm is not None:
        (partial / "agent.cwasm").write_bytes(cwasm)
    shutil.rmtree(entry, ignore_errors=True)
    try:
        partial.rename(entry)
    except OSError:  # another build stored the same key meanwhile
        shutil.rmtree(partial, ignore_errors=True)
    entries = [p for p in cache_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[CACHE_ENTRIES_KEPT:]:
        shutil.rmtree(old, ignore_errors=True)


def _sdk_version() -> str:
    try:
        return version("remi-web")
    except PackageNotFoundError:
        return "unknown"


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
