"""The `rpds` stand-in wheel the page needs for jsonschema: `build_rpds_shim(dir)`.

jsonschema (through `referencing`) imports `rpds`, whose only distribution, rpds-py, is a Rust
extension with no wheel on PyPI for Pyodide. `pyrsistent-as-rpds-py` implements the same API
over pyrsistent but names its module `pyrsistent_as_rpds`. This builds
`rpds_py-0.30.0+pyrsistent-py3-none-any.whl`: one module, `rpds/__init__.py` =
`from pyrsistent_as_rpds.pure import *`, requiring pyrsistent-as-rpds-py and pyrsistent. Its
bytes depend on nothing but this file (fixed timestamps and order, stored uncompressed),
so a rebuild changes no hash.

    python -m remi_web.cli.rpds_shim DIR     # writes DIR/rpds_py-0.30.0+pyrsistent-py3-none-any.whl
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import zipfile
from pathlib import Path

NAME = "rpds_py"
VERSION = "0.30.0+pyrsistent"
"""rpds-py's version in Pyodide's own distribution, marked as the pyrsistent stand-in."""
WHEEL_NAME = f"{NAME}-{VERSION}-py3-none-any.whl"

_DIST_INFO = f"{NAME}-{VERSION}.dist-info"
_STAMP = (1980, 1, 1, 0, 0, 0)
_FILES: tuple[tuple[str, str], ...] = (
    (
        "rpds/__init__.py",
        '"""rpds-py\'s API over pyrsistent (pyrsistent-as-rpds-py), for Pyodide (remi-web)."""\n'
        "from pyrsistent_as_rpds.pure import *  # noqa: F403\n",
    ),
    (
        f"{_DIST_INFO}/METADATA",
        "Metadata-Version: 2.1\n"
        "Name: rpds-py\n"
        f"Version: {VERSION}\n"
        "Summary: The rpds module over pyrsistent (pyrsistent-as-rpds-py), built by remi-web "
        "for Pyodide, where rpds-py has no wheel on PyPI\n"
        "License: MIT\n"
        "Requires-Dist: pyrsistent-as-rpds-py\n"
        "Requires-Dist: pyrsistent\n",
    ),
    (
        f"{_DIST_INFO}/WHEEL",
        "Wheel-Version: 1.0\nGenerator: remi-web rpds_shim\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    ),
    (f"{_DIST_INFO}/top_level.txt", "rpds\n"),
)


def shim_bytes() -> bytes:
    """The wheel's bytes (the same on every call)."""
    buffer = io.BytesIO()
    record: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path, text in _FILES:
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
            _write(archive, path, data)
        record.append(f"{_DIST_INFO}/RECORD,,")
        _write(archive, f"{_DIST_INFO}/RECORD", ("\n".join(record) + "\n").encode())
    return buffer.getvalue()


def build_rpds_shim(target_dir: Path) -> Path:
    """Write the shim wheel into `target_dir` (made if missing) and return its path; an
    identical file already there is left alone."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / WHEEL_NAME
    data = shim_bytes()
    if not target.is_file() or target.read_bytes() != data:
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(data)
        partial.replace(target)
    return target


def _write(archive: zipfile.ZipFile, path: str, data: bytes) -> None:
    info = zipfile.ZipInfo(path, _STAMP)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_STORED  # no zlib in the bytes: the same everywhere
    archive.writestr(info, data)


def main(argv: list[str] | None = None) -> int:
    """`python -m remi_web.cli.rpds_shim DIR`: build the wheel into DIR, print its path."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m remi_web.cli.rpds_shim DIR", file=sys.stderr)
        return 2
    print(build_rpds_shim(Path(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
