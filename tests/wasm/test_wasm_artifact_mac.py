"""Trusted precompiled modules: a `.cwasm` is native code, so it is deserialized only when
its MAC, made with this machine's key, checks out. A forged header, a flipped byte, a MAC
from another key and an unsigned file are refused (`untrusted_artifact`) before
deserialization; a `.wasm` with such a `.cwasm` beside it is compiled instead."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from remi_web.wasm import ArtifactKeyError, UntrustedArtifact
from remi_web.wasm.artifact import CWASM_MAGIC, load, sign_cwasm, trusted_native
from remi_web.wasm.artifact_key import KEY_FILE_ENV, artifact_key, key_path
from remi_web.wasm.engine import engine_fingerprint, wasmtime_version


def _parts(cwasm: Path) -> tuple[dict[str, str], bytes]:
    """The header and native code of a `.cwasm` (as written; nothing checked)."""
    data = cwasm.read_bytes()
    end = data.index(b"\n", len(CWASM_MAGIC))
    return json.loads(data[len(CWASM_MAGIC):end]), data[end + 1:]


def _write(path: Path, header: dict[str, str], native: bytes) -> Path:
    path.write_bytes(CWASM_MAGIC + json.dumps(header).encode() + b"\n" + native)
    return path


def test_a_cwasm_signed_here_loads(probe_wasm: Path) -> None:
    loaded = load(probe_wasm.with_suffix(".cwasm"))
    assert loaded.precompiled and loaded.api_version == (0, 2, 0)


def test_a_forged_header_is_refused_before_deserializing(probe_wasm: Path, tmp_path: Path) -> None:
    header, _ = _parts(probe_wasm.with_suffix(".cwasm"))
    claims = {"wasmtime": wasmtime_version(), "engine": engine_fingerprint(),
              "wasm_sha256": header["wasm_sha256"]}
    native = b"\x7fELF" + os.urandom(4096)  # what an attacker wants run
    for forged in ({**claims}, {**claims, "mac": "0" * 64}, {**claims, "mac": "\u00e9" * 64}):
        path = _write(tmp_path / "forged.cwasm", forged, native)
        with pytest.raises(UntrustedArtifact) as caught:
            load(path)
        assert caught.value.code == "untrusted_artifact"
        assert "not signed with this machine's key" in str(caught.value)


def test_a_flipped_byte_is_refused(probe_wasm: Path, tmp_path: Path) -> None:
    good = probe_wasm.with_suffix(".cwasm").read_bytes()
    header_end = good.index(b"\n", len(CWASM_MAGIC))
    for where in (header_end + 1 + 5000, len(good) - 1):  # in the code, and its last byte
        damaged = bytearray(good)
        damaged[where] ^= 0x01
        path = tmp_path / "flipped.cwasm"
        path.write_bytes(bytes(damaged))
        with pytest.raises(UntrustedArtifact, match="MAC does not match"):
            load(path)
    header, native = _parts(probe_wasm.with_suffix(".cwasm"))
    claimed = header["wasm_sha256"]
    header["wasm_sha256"] = ("0" if claimed[0] != "0" else "1") + claimed[1:]
    with pytest.raises(UntrustedArtifact, match="MAC does not match"):
        load(_write(tmp_path / "other_source.cwasm", header, native))


def test_a_mac_from_another_key_is_refused(
    probe_wasm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header, native = _parts(probe_wasm.with_suffix(".cwasm"))
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "machine_a.key"))
    signed_on_a = tmp_path / "a.cwasm"
    signed_on_a.write_bytes(sign_cwasm(native, header["wasm_sha256"]))
    assert load(signed_on_a).precompiled  # A trusts what A signed
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "machine_b.key"))
    with pytest.raises(UntrustedArtifact, match="MAC does not match"):
        load(signed_on_a)


def test_an_unsigned_cwasm_of_the_old_format_is_refused(probe_wasm: Path, tmp_path: Path) -> None:
    header, native = _parts(probe_wasm.with_suffix(".cwasm"))
    old = {"wasmtime": wasmtime_version(), "wasm_sha256": header["wasm_sha256"]}
    path = tmp_path / "old.cwasm"
    path.write_bytes(b"remi-cwasm 1\n" + json.dumps(old).encode() + b"\n" + native)
    with pytest.raises(UntrustedArtifact, match="unsigned .cwasm"):
        trusted_native(path.read_bytes(), path)


def test_a_wasm_beside_an_untrusted_cwasm_is_compiled_instead(
    probe_wasm: Path, tmp_path: Path
) -> None:
    wasm = tmp_path / "agent.wasm"
    shutil.copyfile(probe_wasm, wasm)
    header, native = _parts(probe_wasm.with_suffix(".cwasm"))
    header["mac"] = "f" * 64
    _write(wasm.with_suffix(".cwasm"), header, native)
    loaded = load(wasm)
    assert not loaded.precompiled
    assert loaded.cwasm_refused is not None and "MAC does not match" in loaded.cwasm_refused
    assert loaded.sha256 == header["wasm_sha256"]


def test_the_key_is_made_on_first_use_readable_by_its_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = key_path()
    assert path == tmp_path / "data" / "remi-web" / "cwasm.key" and not path.exists()
    key = artifact_key()
    assert len(key) == 32 and path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert artifact_key() == key  # made once, then read


def test_a_key_open_to_others_or_too_short_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cwasm.key"
    monkeypatch.setenv(KEY_FILE_ENV, str(path))
    path.write_bytes(os.urandom(32))
    path.chmod(0o644)
    with pytest.raises(ArtifactKeyError, match="open to other users.*chmod 600"):
        artifact_key()
    path.chmod(0o600)
    path.write_bytes(b"short")
    with pytest.raises(ArtifactKeyError, match="holds 5 bytes"):
        artifact_key()
