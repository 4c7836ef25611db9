"""The `rpds` stand-in wheel the page's jsonschema needs: the same bytes on every build, a valid
wheel (RECORD hashes, metadata) whose one module re-exports pyrsistent-as-rpds-py. Its use in
Pyodide is proven by tests/tools/test_tool_schemas.py in the lane."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from email.parser import HeaderParser
from pathlib import Path

from remi_web.cli.rpds_shim import WHEEL_NAME, build_rpds_shim, shim_bytes


def test_the_wheel_is_the_same_bytes_on_every_build(tmp_path: Path) -> None:
    first = build_rpds_shim(tmp_path / "a")
    second = build_rpds_shim(tmp_path / "b")
    assert first.name == second.name == WHEEL_NAME == "rpds_py-0.30.0+pyrsistent-py3-none-any.whl"
    assert first.read_bytes() == second.read_bytes() == shim_bytes()
    mtime = first.stat().st_mtime_ns
    assert build_rpds_shim(tmp_path / "a") == first and first.stat().st_mtime_ns == mtime


def test_the_wheel_holds_rpds_over_pyrsistent_with_a_valid_record(tmp_path: Path) -> None:
    wheel = build_rpds_shim(tmp_path)
    info = "rpds_py-0.30.0+pyrsistent.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        files = {name: archive.read(name) for name in names}
    assert names == [
        "rpds/__init__.py", f"{info}/METADATA", f"{info}/WHEEL", f"{info}/top_level.txt",
        f"{info}/RECORD",
    ]
    assert b"from pyrsistent_as_rpds.pure import *" in files["rpds/__init__.py"]
    metadata = HeaderParser().parsestr(files[f"{info}/METADATA"].decode())
    assert (metadata["Name"], metadata["Version"]) == ("rpds-py", "0.30.0+pyrsistent")
    assert metadata.get_all("Requires-Dist") == ["pyrsistent-as-rpds-py", "pyrsistent"]
    assert "Tag: py3-none-any" in files[f"{info}/WHEEL"].decode()
    for line in files[f"{info}/RECORD"].decode().splitlines():
        name, digest, size = line.split(",")
        if name.endswith("RECORD"):
            assert digest == size == ""
            continue
        data = files[name]
        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert digest == f"sha256={expected}" and int(size) == len(data)
    compile(files["rpds/__init__.py"], "rpds/__init__.py", "exec")


def test_the_module_command_builds_it(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "remi_web.cli.rpds_shim", str(tmp_path / "out")],
        capture_output=True, text=True, check=True,
    )
    assert Path(done.stdout.strip()) == tmp_path / "out" / WHEEL_NAME
    assert (tmp_path / "out" / WHEEL_NAME).read_bytes() == shim_bytes()
    usage = subprocess.run([sys.executable, "-m", "remi_web.cli.rpds_shim"], capture_output=True, text=True)
    assert usage.returncode == 2 and "usage" in usage.stderr
