"""`pyodide-lock.json` for the dist: Pyodide's own `info`, and an entry per wheel in the dist (its
name, version, file, sha256, imports and dependencies with the markers evaluated for Pyodide)."""

from __future__ import annotations

import json
import zipfile
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

from .errors import AssemblyError
from .fetch import Progress
from .pins import Pin, file_digest, wheel_key


def pyodide_environment(python: str) -> dict[str, str]:
    """Marker values for Python `python` (e.g. "3.14.2") under Pyodide."""
    env: dict[str, str] = {key: str(value) for key, value in default_environment().items()}
    env.update(
        implementation_name="cpython",
        implementation_version=python,
        os_name="posix",
        platform_machine="wasm32",
        platform_python_implementation="CPython",
        platform_release="",
        platform_system="Emscripten",
        platform_version="",
        python_full_version=python,
        python_version=".".join(python.split(".")[:2]),
        sys_platform="emscripten",
    )
    return env


def lock_entry(wheel: Path, env: dict[str, str]) -> dict[str, Any]:
    """The pyodide-lock.json entry of one wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        metadata = HeaderParser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
        top_level_file = f"{dist_info}/top_level.txt"
        top_level = archive.read(top_level_file).decode().split() if top_level_file in names else []
    if not top_level:
        roots = {n.split("/")[0] for n in names}
        top_level = [
            root.split(".")[0]
            for root in roots
            if not root.endswith((".dist-info", ".data")) and (root.endswith((".py", ".so")) or "." not in root)
        ]
    depends: set[str] = set()
    for text in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({**env, "extra": ""}):
            depends.add(canonicalize_name(requirement.name))
    return {
        "name": metadata["Name"],
        "version": metadata["Version"],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": file_digest(wheel),
        "package_type": "package",
        "imports": sorted(set(top_level)),
        "depends": sorted(depends),
        "unvendored_tests": False,
    }


def prune(pins: dict[NormalizedName, Pin], dist: Path, extras: list[Path], progress: Progress) -> None:
    """Delete the wheels of `dist` that are neither pinned (at that version) nor `extras`."""
    extra_names = {extra.name for extra in extras}
    for wheel in sorted(dist.glob("*.whl")):
        name, version = wheel_key(wheel.name)
        pin = pins.get(name)
        if wheel.name not in extra_names and (pin is None or pin.version != version):
            progress(f"  removing the stale wheel {wheel.name}")
            wheel.unlink()


def write_lock(
    pins: dict[NormalizedName, Pin], dist: Path, base_lock: Path, extras: list[Path], progress: Progress,
) -> None:
    """Check the pinned wheels of `dist` and write `dist/pyodide-lock.json` (only if it changed).

    Args:
        base_lock: the Pyodide npm package's own lock, whose `info` (Python version, ABI) is kept.
        extras: unpinned wheels in `dist` (the project's own, shims).
    """
    present: dict[NormalizedName, Path] = {}
    for wheel in sorted(dist.glob("*.whl")):
        name, version = wheel_key(wheel.name)
        pin = pins.get(name)
        if pin is not None and pin.version == version and file_digest(wheel) == pin.sha256:
            present[pin.name] = wheel
    missing = sorted(set(pins) - set(present))
    if missing:
        raise AssemblyError(f"pinned wheels missing from {dist} or with a wrong sha256: {', '.join(missing)}")
    info = json.loads(base_lock.read_text(encoding="utf-8"))["info"]
    env = pyodide_environment(info["python"])
    packages: dict[str, dict[str, Any]] = {}
    for wheel in [*present.values(), *(dist / extra.name for extra in extras)]:
        entry = lock_entry(wheel, env)
        key = canonicalize_name(str(entry["name"]))
        if key in packages:
            raise AssemblyError(f"two wheels for {key}: {packages[key]['file_name']} and {wheel.name}")
        packages[key] = entry
    unresolved = {
        f"{key} -> {dep}" for key, entry in packages.items() for dep in entry["depends"] if dep not in packages
    }
    if unresolved:
        raise AssemblyError(f"dependencies missing from the lock (pin them): {', '.join(sorted(unresolved))}")
    text = json.dumps({"info": info, "packages": dict(sorted(packages.items()))}, indent=2) + "\n"
    target = dist / "pyodide-lock.json"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
        progress(f"  wrote {target.name} ({len(packages)} packages)")
