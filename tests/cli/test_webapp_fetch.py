"""The dist's files are used only when they match their pins, wherever they come from."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from remi_web.cli.webapp.errors import AssemblyError
from remi_web.cli.webapp.fetch import Fetcher, Item
from remi_web.cli.webapp.npm import unpack

GOOD = b"the pinned bytes"


def item(url: str, name: str = "thing-1.0.tgz") -> Item:
    return Item(
        label="thing 1.0", algorithm="sha256", digest=hashlib.sha256(GOOD).hexdigest(),
        matches=lambda file_name: file_name == name, locate=lambda: (url, name),
    )


def test_a_download_that_does_not_match_its_pin_is_refused_and_not_kept(tmp_path: Path) -> None:
    served = tmp_path / "served.tgz"
    served.write_bytes(b"tampered")
    lines: list[str] = []
    fetcher = Fetcher(tmp_path / "downloads", progress=lines.append)
    with pytest.raises(AssemblyError, match="does not match its pinned sha256"):
        fetcher.get(item(served.as_uri()))
    assert list((tmp_path / "downloads").iterdir()) == []
    served.write_bytes(GOOD)
    assert fetcher.get(item(served.as_uri())).read_bytes() == GOOD
    assert any(line.startswith("  downloading thing 1.0") for line in lines), lines


def test_a_mirror_file_is_used_only_with_the_pinned_bytes(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "thing-1.0.tgz").write_bytes(b"tampered")
    nowhere = (tmp_path / "missing.tgz").as_uri()
    fetcher = Fetcher(tmp_path / "downloads", mirror=mirror, progress=lambda line: None)
    with pytest.raises(AssemblyError, match="cannot reach"):  # the bad copy is skipped
        fetcher.get(item(nowhere))
    (mirror / "thing-1.0.tgz").write_bytes(GOOD)
    assert fetcher.get(item(nowhere)) == mirror / "thing-1.0.tgz"


def test_an_npm_tarball_cannot_write_outside_its_directory(tmp_path: Path) -> None:
    tarball = tmp_path / "evil.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for name in ("package/ok.js", "package/../../escaped.js"):
            info = tarfile.TarInfo(name)
            info.size = 2
            archive.addfile(info, io.BytesIO(b"//"))
    with pytest.raises(AssemblyError, match="unexpected path"):
        unpack(tarball, tmp_path / "out")
    assert not (tmp_path / "escaped.js").exists()
