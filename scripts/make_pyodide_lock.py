"""Check the browser wheels in web/dist/ against their pins and write web/dist/pyodide-lock.json.

Three commands, all used by scripts/setup_web.sh:

  tags --base-lock NPM_LOCK
      Print the `pip download` target of the Pyodide runtime, read from its npm lock's `info`:
      platform, Python version and ABI, e.g. `pyemscripten_2026_0_wasm32 3.14 cp314`.

  missing --pins FILE --dist DIR
      Print the pinned requirement lines (with their hashes) whose wheel is not yet in DIR
      with the right sha256, so setup_web.sh downloads only those.
  lock --pins FILE --dist DIR --base-lock NPM_LOCK [--extra WHEEL ...]
      Delete wheels in DIR that are neither pinned nor extra (stale versions), check each
      pinned wheel's sha256, and write DIR/pyodide-lock.json: `info` is copied from the npm
      package's lock, each wheel gets name, version, file_name, sha256, depends (its
      Requires-Dist with markers evaluated for Pyodide), imports, package_type, install_dir.
      Fails if a dependency is missing from the lock. Rewrites the file only when it changed.

Runs on the host Python (stdlib + `packaging`, which pytest already pulls into .venv).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name, parse_wheel_filename


@dataclass(frozen=True)
class Pin:
    """One line of the pins file: `name==version --hash=sha256:...`."""

    name: NormalizedName
    version: str
    sha256: str
    line: str


def read_pins(path: Path) -> dict[NormalizedName, Pin]:
    """The pins of `path`, by canonical name; each must be `==` and carry one sha256 hash."""
    pins: dict[NormalizedName, Pin] = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *options = line.split()
        hashes = [o.removeprefix("--hash=sha256:") for o in options if o.startswith("--hash=sha256:")]
        name, sep, version = spec.partition("==")
        if not sep or len(hashes) != 1:
            sys.exit(f"{path}:{number}: expected `name==version --hash=sha256:HEX`, got {raw!r}")
        pin = Pin(canonicalize_name(name), version, hashes[0], line)
        if pin.name in pins:
            sys.exit(f"{path}:{number}: {name} is pinned twice")
        pins[pin.name] = pin
    return pins


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wheel_key(path: Path) -> tuple[NormalizedName, str]:
    """(canonical name, version) from a wheel's file name."""
    name, version, _build, _tags = parse_wheel_filename(path.name)
    return name, str(version)


def pinned_wheels(pins: dict[NormalizedName, Pin], dist: Path) -> dict[NormalizedName, Path]:
    """The wheel in `dist` for each pin whose file is present with the pinned hash."""
    found: dict[NormalizedName, Path] = {}
    for wheel in sorted(dist.glob("*.whl")):
        name, version = wheel_key(wheel)
        pin = pins.get(name)
        if pin is None or pin.version != version:
            continue
        if sha256_of(wheel) == pin.sha256:
            found[name] = wheel
        else:
            print(f"removing {wheel.name}: its sha256 is not the pinned one", file=sys.stderr)
            wheel.unlink()
    return found


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
        "sha256": sha256_of(wheel),
        "package_type": "package",
        "imports": sorted(set(top_level)),
        "depends": sorted(depends),
        "unvendored_tests": False,
    }


def write_lock(pins: dict[NormalizedName, Pin], dist: Path, base_lock: Path, extras: list[Path]) -> None:
    """Prune stale wheels, check the pinned ones, write dist/pyodide-lock.json."""
    extra_names = {e.name for e in extras}
    for wheel in dist.glob("*.whl"):
        name, version = wheel_key(wheel)
        pin = pins.get(name)
        if wheel.name not in extra_names and (pin is None or pin.version != version):
            print(f"removing stale wheel {wheel.name}")
            wheel.unlink()
    present = pinned_wheels(pins, dist)
    missing = sorted(set(pins) - set(present))
    if missing:
        sys.exit(f"pinned wheels missing from {dist} or with a wrong sha256: {', '.join(missing)}")
    info = json.loads(base_lock.read_text())["info"]
    env = pyodide_environment(info["python"])
    packages: dict[str, dict[str, Any]] = {}
    for wheel in [*present.values(), *(dist / e.name for e in extras)]:
        entry = lock_entry(wheel, env)
        key = canonicalize_name(str(entry["name"]))
        if key in packages:
            sys.exit(f"two wheels for {key}: {packages[key]['file_name']} and {wheel.name}")
        packages[key] = entry
    unresolved = {
        f"{key} -> {dep}" for key, entry in packages.items() for dep in entry["depends"] if dep not in packages
    }
    if unresolved:
        sys.exit(f"dependencies missing from the lock (pin them): {', '.join(sorted(unresolved))}")
    text = json.dumps({"info": info, "packages": dict(sorted(packages.items()))}, indent=2) + "\n"
    target = dist / "pyodide-lock.json"
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
        print(f"wrote {target} ({len(packages)} packages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["tags", "missing", "lock"])
    parser.add_argument("--pins", type=Path)
    parser.add_argument("--dist", type=Path)
    parser.add_argument("--base-lock", type=Path)
    parser.add_argument("--extra", type=Path, action="append", default=[], help="an unpinned wheel in --dist (the project's own)")
    args = parser.parse_args()
    if args.command == "tags":
        if args.base_lock is None:
            parser.error("tags needs --base-lock")
        info = json.loads(args.base_lock.read_text())["info"]
        major, minor = info["python"].split(".")[:2]
        print(f"pyemscripten_{info['abi_version']}_{info['arch']} {major}.{minor} cp{major}{minor}")
        return
    if args.pins is None or args.dist is None:
        parser.error(f"{args.command} needs --pins and --dist")
    pins = read_pins(args.pins)
    if args.command == "missing":
        present = pinned_wheels(pins, args.dist) if args.dist.is_dir() else {}
        for name, pin in pins.items():
            if name not in present:
                print(pin.line)
    else:
        if args.base_lock is None:
            parser.error("lock needs --base-lock")
        write_lock(pins, args.dist, args.base_lock, args.extra)


if __name__ == "__main__":
    main()
