"""Assembling the Pyodide dist: the one implementation, for `web/dist/` (scripts/setup_web.sh) and
for the user's cache (`remi web` from a wheel). Incremental: a step whose inputs did not change
does nothing, so a re-run with nothing changed takes well under a second."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..rpds_shim import build_rpds_shim
from .fetch import Fetcher
from .files import AppFiles
from .lock import prune, write_lock
from .own_wheel import build_own_wheel
from .pins import file_digest, read_pins, wheel_key
from .runtime import copy_runtime
from .snapshot import make_snapshot
from .vendor import vendor
from .wheels import wheel_item

WheelBuilder = Callable[[Path], Path]
"""Writes a wheel into a directory; its path."""


def assemble(
    dist: Path,
    *,
    app: AppFiles,
    npm_root: Path,
    fetcher: Fetcher,
    own_wheel: Path | None = None,
    snapshot_required: bool = False,
) -> None:
    """Assemble `dist` or bring it up to date.

    Args:
        npm_root: the unpacked npm packages of the page (`web/node_modules` after `npm ci`, or the
            tarballs unpacked by `cache`), each in `npm_root/NAME`.
        own_wheel: the project's wheel to ship (a checkout builds it with `pip wheel .`); by default
            it is made from the installed package.
        snapshot_required: fail, rather than go without, when the memory snapshot cannot be made.
    """
    progress = fetcher.progress
    dist.mkdir(parents=True, exist_ok=True)
    copy_runtime(npm_root / "pyodide", dist)
    vendor(npm_root, dist / "vendor")
    pins = read_pins(app.pins)
    present = {wheel_key(w.name): w for w in dist.glob("*.whl")}
    for pin in pins.values():
        wheel = present.get((pin.name, pin.version))
        if wheel is None or file_digest(wheel) != pin.sha256:
            source = fetcher.get(wheel_item(pin))
            shutil.copyfile(source, dist / source.name)
    extras = [
        _place(own_wheel, dist) if own_wheel is not None else _built(build_own_wheel, dist),
        # jsonschema's `rpds` for the page (rpds-py has no wasm wheel): a generated stand-in.
        _built(build_rpds_shim, dist),
    ]
    prune(pins, dist, extras, progress)
    write_lock(pins, dist, npm_root / "pyodide" / "pyodide-lock.json", extras, progress)
    make_snapshot(dist, progress, required=snapshot_required)


def _built(build: WheelBuilder, dist: Path) -> Path:
    """A wheel made by `build` in a scratch directory, placed in `dist`."""
    with tempfile.TemporaryDirectory() as scratch:
        return _place(build(Path(scratch)), dist)


def _place(wheel: Path, dist: Path) -> Path:
    """Copy `wheel` into `dist` unless the same bytes are there; its path in `dist`."""
    target = dist / wheel.name
    if wheel.resolve() != target.resolve() and (
        not target.is_file() or file_digest(target) != file_digest(wheel)
    ):
        shutil.copyfile(wheel, target)
    return target
