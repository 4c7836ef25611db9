"""The page's `remi-web` wheel, made from the installed package itself: it is pure Python, so its
files and its metadata zipped as a `py3-none-any` wheel are the wheel (no build tool needed)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from importlib.metadata import Distribution, distribution
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
"""The installed `remi_web` directory."""
METADATA_FILES = ("METADATA", "licenses/LICENSE-MIT", "licenses/LICENSE-APACHE")
FIXED_TIME = (2020, 2, 2, 0, 0, 0)
"""Every entry's time, so the same files make the same bytes."""


def package_files() -> list[Path]:
    """The package's files (no bytecode caches), sorted."""
    return sorted(
        path for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def build_own_wheel(target_dir: Path) -> Path:
    """Write `remi_web-VERSION-py3-none-any.whl` into `target_dir`; its path."""
    meta = distribution("remi-web")
    version = meta.version
    info = f"remi_web-{version}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (path.relative_to(PACKAGE.parent).as_posix(), path.read_bytes()) for path in package_files()
    ]
    entries += [(f"{info}/{name}", text.encode()) for name, text in _metadata(meta)]
    entries.append((
        f"{info}/WHEEL",
        b"Wheel-Version: 1.0\nGenerator: remi-web (remi web)\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    ))
    record = "".join(f"{name},sha256={_urlsafe_sha256(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))
    target_dir.mkdir(parents=True, exist_ok=True)
    wheel = target_dir / f"remi_web-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            item = zipfile.ZipInfo(name, FIXED_TIME)
            item.compress_type = zipfile.ZIP_DEFLATED
            item.external_attr = 0o644 << 16
            archive.writestr(item, data)
    return wheel


def _metadata(meta: Distribution) -> list[tuple[str, str]]:
    """The installed dist-info files the wheel carries (METADATA and the licenses)."""
    found = []
    for name in METADATA_FILES:
        text = meta.read_text(name)
        if text is not None:
            found.append((name, text))
    if not found or found[0][0] != "METADATA":
        raise FileNotFoundError("the installed remi-web has no METADATA")
    return found


def _urlsafe_sha256(data: bytes) -> str:
    """A RECORD hash: urlsafe base64 without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
