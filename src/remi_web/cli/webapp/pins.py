"""The pinned wheels of the page (`pyodide-requirements.txt`): `name==version --hash=sha256:HEX`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name, parse_wheel_filename

from .errors import AssemblyError


@dataclass(frozen=True)
class Pin:
    """One line of the pins file."""

    name: NormalizedName
    version: str
    sha256: str

    @property
    def label(self) -> str:
        """`name version`, as progress lines and errors say it."""
        return f"{self.name} {self.version}"


def read_pins(path: Path) -> dict[NormalizedName, Pin]:
    """The pins of `path`, by canonical name; each must be `==` and carry one sha256 hash."""
    pins: dict[NormalizedName, Pin] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *options = line.split()
        hashes = [o.removeprefix("--hash=sha256:") for o in options if o.startswith("--hash=sha256:")]
        name, sep, version = spec.partition("==")
        if not sep or len(hashes) != 1:
            raise AssemblyError(f"{path}:{number}: expected `name==version --hash=sha256:HEX`, got {raw!r}")
        pin = Pin(canonicalize_name(name), version, hashes[0])
        if pin.name in pins:
            raise AssemblyError(f"{path}:{number}: {name} is pinned twice")
        pins[pin.name] = pin
    return pins


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """The hex digest of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def wheel_key(file_name: str) -> tuple[NormalizedName, str]:
    """(canonical name, version) from a wheel's file name."""
    name, version, _build, _tags = parse_wheel_filename(file_name)
    return name, str(version)
