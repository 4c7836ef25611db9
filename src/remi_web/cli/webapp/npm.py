"""The page's npm packages (Pyodide, marked, DOMPurify, highlight.js): which, from the package lock,
and their tarballs from the registry, checked against the lock's `integrity` and unpacked."""

from __future__ import annotations

import base64
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import AssemblyError
from .fetch import Item

REGISTRY_ENV = "REMI_WEB_NPM_REGISTRY"
DEFAULT_REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class NpmPackage:
    """One runtime dependency of the page at its locked version."""

    name: str
    version: str
    integrity: str
    """npm's Subresource Integrity string: `sha512-BASE64`."""

    @property
    def tarball_name(self) -> str:
        """`pyodide-314.0.7.tgz` (the registry's and `npm pack`'s name)."""
        return f"{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"

    def item(self, registry: str | None = None) -> Item:
        """The tarball to fetch, pinned by its integrity."""
        algorithm, _, encoded = self.integrity.partition("-")
        base = (registry or os.environ.get(REGISTRY_ENV) or DEFAULT_REGISTRY).rstrip("/")
        url = f"{base}/{self.name}/-/{self.tarball_name}"
        return Item(
            label=f"{self.name} {self.version}",
            algorithm=algorithm,
            digest=base64.b64decode(encoded).hex(),
            matches=lambda file_name: file_name == self.tarball_name,
            locate=lambda: (url, self.tarball_name),
        )


def runtime_packages(package_json: Path, package_lock: Path) -> list[NpmPackage]:
    """The `dependencies` of `package_json` (not the dev ones) as locked in `package_lock`."""
    wanted = json.loads(package_json.read_text(encoding="utf-8")).get("dependencies", {})
    locked = json.loads(package_lock.read_text(encoding="utf-8")).get("packages", {})
    packages = []
    for name in sorted(wanted):
        entry = locked.get(f"node_modules/{name}")
        if not entry or "integrity" not in entry:
            raise AssemblyError(f"{package_lock} has no locked version of {name}: run `npm install` in web/")
        packages.append(NpmPackage(name, entry["version"], entry["integrity"]))
    return packages


def unpack(tarball: Path, target: Path) -> None:
    """Unpack an npm tarball (its files under `package/`) into `target`: regular files only,
    never outside `target`."""
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            parts = PurePosixPath(member.name).parts[1:]
            if not parts or ".." in parts or PurePosixPath(member.name).is_absolute():
                raise AssemblyError(f"{tarball.name}: unexpected path {member.name!r}")
            path = target.joinpath(*parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is None:
                continue
            with source:
                path.write_bytes(source.read())
