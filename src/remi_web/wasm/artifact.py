"""Component files: compile a `.wasm`, precompile it to `.cwasm`, load either, and check the
guest's `remi:agent` version before anything runs.

A `.cwasm` here is wasmtime's serialized component (native code) behind a one-line JSON
header naming the wasmtime version, the engine's settings, the SHA-256 of the `.wasm` it came
from, and a MAC over all of it made with this machine's key (`artifact_key`). One is
deserialized only if its MAC checks out; a stale, foreign, edited or unsigned file is refused
with the reason (and a `.wasm` with such a `.cwasm` beside it is compiled instead).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import wasmtime
from wasmtime.component import Component

from ..guest.protocol import API_VERSION
from .artifact_key import mac, mac_matches
from .engine import engine, engine_fingerprint, wasmtime_version
from .errors import GuestLoadError, IncompatibleGuest, UntrustedArtifact

CWASM_MAGIC = b"remi-cwasm 2\n"
"""The first line of a signed `.cwasm` (version 1 files carried no MAC and are refused)."""
_ANY_CWASM = b"remi-cwasm "
_WASM_MAGIC = b"\0asm"
_EXPORT = re.compile(r"^remi:agent/agent@(\d+)\.(\d+)\.(\d+)$")
_log = logging.getLogger("remi_web.wasm")


@dataclass(frozen=True, slots=True)
class LoadedComponent:
    """A compiled component ready to instantiate.

    Args:
        component: the wasmtime component.
        sha256: the SHA-256 of the `.wasm` it was made from.
        api_version: the guest's `remi:agent` version.
        precompiled: whether it came from a `.cwasm` (no compilation).
        cwasm_refused: why the `.cwasm` beside a `.wasm` was not used (None if it was used,
            or there was none for these bytes).
        source_dir: a directory each instance sees read-only at `/agent` (the dev
            runtime's agent source, see `remi_web.wasm.dev_agent`); None: no file system.
    """

    component: Component
    sha256: str
    api_version: tuple[int, int, int]
    precompiled: bool
    cwasm_refused: str | None = None
    source_dir: Path | None = None


def precompile(wasm: bytes) -> bytes:
    """Compile `wasm` for this host and return the `.cwasm` file's bytes, signed with this
    machine's key."""
    component = _compile(wasm)
    return sign_cwasm(bytes(component.serialize()), hashlib.sha256(wasm).hexdigest())


def sign_cwasm(native: bytes, wasm_sha256: str) -> bytes:
    """A `.cwasm` file holding `native` (a serialized component of this engine) made from
    the `.wasm` whose SHA-256 is `wasm_sha256`, with its header and MAC."""
    header = {"wasmtime": wasmtime_version(), "engine": engine_fingerprint(),
              "wasm_sha256": wasm_sha256}
    signed = {**header, "mac": mac(*_signed_parts(header, native))}
    return CWASM_MAGIC + json.dumps(signed, sort_keys=True).encode() + b"\n" + native


def trusted_native(data: bytes, path: Path) -> tuple[dict[str, str], bytes]:
    """The header and native code of `.cwasm` bytes, once they are known to be safe to
    deserialize here: made by this wasmtime with this engine's settings, and signed with
    this machine's key.

    Raises `IncompatibleGuest` (another wasmtime or engine), or `UntrustedArtifact` (no MAC,
    a wrong one, or a damaged file).
    """
    if not data.startswith(CWASM_MAGIC):
        if data.startswith(_ANY_CWASM):
            raise UntrustedArtifact(
                f"{path} is an unsigned .cwasm (made before remi-web signed them); a .cwasm "
                "is native code, so it is not loaded. Rebuild it with `remi build`, or load "
                "the .wasm."
            )
        raise UntrustedArtifact(f"{path} is not a .cwasm made by `remi build`.")
    header, native = _split(data, path)
    built_with = header.get("wasmtime")
    if built_with != wasmtime_version():
        raise IncompatibleGuest(
            f"{path} was precompiled by wasmtime {built_with}; this host has wasmtime "
            f"{wasmtime_version()}. Rebuild it with `remi build` (or load the .wasm)."
        )
    if header.get("engine") != engine_fingerprint():
        raise IncompatibleGuest(
            f"{path} was precompiled for another engine ({header.get('engine')}); this host "
            f"runs {engine_fingerprint()}. Rebuild it with `remi build` (or load the .wasm)."
        )
    claimed = header.pop("mac", "")
    if not claimed or not mac_matches(claimed, *_signed_parts(header, native)):
        raise UntrustedArtifact(
            f"{path} is not signed with this machine's key ("
            f"{'no MAC' if not claimed else 'its MAC does not match'}): it was made elsewhere, "
            "under another key, or changed since. A .cwasm is native code, so it is not "
            "loaded; rebuild it here with `remi build`, or load the .wasm."
        )
    return header, native


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename (readers never see
    half a file)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def cwasm_path(wasm_path: Path) -> Path:
    """Where the precompiled file of `wasm_path` lives (beside it)."""
    return wasm_path.with_suffix(".cwasm")


def load(path: Path) -> LoadedComponent:
    """Load a `.wasm` (using a matching `.cwasm` beside it when there is one) or a `.cwasm`.

    Blocking (compiling a `.wasm` takes seconds): call it off the event loop.
    Raises `GuestLoadError` for a file that is not a usable component, and
    `IncompatibleGuest` for another `remi:agent` major version or another wasmtime.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise GuestLoadError(f"Cannot read {path}: {error}.") from error
    return load_bytes(data, path)


def load_bytes(data: bytes, path: Path) -> LoadedComponent:
    """`load` for bytes already read from `path`."""
    if data.startswith(_ANY_CWASM):
        sha, component = _deserialize(data, path)
        return _checked(component, sha, path, precompiled=True)
    if not data.startswith(_WASM_MAGIC):
        raise GuestLoadError(f"{path} is neither a WebAssembly component nor a .cwasm file.")
    sha = hashlib.sha256(data).hexdigest()
    beside = cwasm_path(path)
    refused: str | None = None
    if beside != path and beside.is_file():
        cached = beside.read_bytes()
        if _claimed_sha(cached) == sha:
            try:
                return _checked(_deserialize(cached, beside)[1], sha, path, precompiled=True)
            except (IncompatibleGuest, UntrustedArtifact) as error:
                refused = str(error)
                _log.warning("compiling %s instead of loading its .cwasm: %s", path, error)
    try:
        component = _compile(data)
    except GuestLoadError as error:
        raise GuestLoadError(f"{path}: {error}") from error
    return _checked(component, sha, path, precompiled=False, cwasm_refused=refused)


def _compile(wasm: bytes) -> Component:
    try:
        return Component(engine(), wasm)
    except wasmtime.WasmtimeError as error:
        raise GuestLoadError(f"not a valid component ({_first_line(error)})") from error


def _signed_parts(header: dict[str, str], native: bytes) -> tuple[bytes, ...]:
    """What the MAC covers: the format, every header field but the MAC, and the code."""
    canonical = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    return CWASM_MAGIC, canonical, b"\n", native


def _split(data: bytes, path: Path) -> tuple[dict[str, str], bytes]:
    end = data.find(b"\n", len(CWASM_MAGIC))
    try:
        header = json.loads(data[len(CWASM_MAGIC):end]) if end > 0 else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in header.items()
    ):
        raise UntrustedArtifact(f"{path} has a damaged .cwasm header; rebuild it.")
    return header, data[end + 1:]


def _claimed_sha(data: bytes) -> str | None:
    """The `.wasm` SHA-256 a `.cwasm` claims to come from (unchecked; None if unreadable)."""
    try:
        return _split(data, Path())[0].get("wasm_sha256") if data.startswith(CWASM_MAGIC) else None
    except UntrustedArtifact:
        return None


def _deserialize(data: bytes, path: Path) -> tuple[str, Component]:
    header, native = trusted_native(data, path)
    try:
        return header.get("wasm_sha256", ""), Component.deserialize(engine(), native)
    except wasmtime.WasmtimeError as error:
        raise GuestLoadError(f"{path} is a damaged .cwasm ({_first_line(error)}).") from error


def guest_api_version(component: Component, path: Path) -> tuple[int, int, int]:
    """The `remi:agent` version a component exports; refuses other components and
    incompatible versions (another major, or another minor while the major is 0)."""
    names = list(component.type.exports(engine()))
    for name in names:
        match = _EXPORT.match(name)
        if match is None:
            continue
        major, minor, patch = (int(part) for part in match.groups())
        if major != API_VERSION[0] or (major == 0 and minor != API_VERSION[1]) or (
            major > 0 and minor > API_VERSION[1]
        ):
            host = "{}.{}.{}".format(*API_VERSION)
            raise IncompatibleGuest(
                f"{path} is a guest of remi:agent@{major}.{minor}.{patch}, but this host "
                f"speaks remi:agent@{host}; rebuild the agent with this remi-web "
                "(`remi build`), or run it with a host of its version."
            )
        return major, minor, patch
    raise GuestLoadError(
        f"{path} is a component but not a remi agent: it does not export remi:agent/agent "
        f"(its exports: {', '.join(names) or 'none'}). Build agents with `remi build`."
    )


def _checked(
    component: Component, sha: str, path: Path, *, precompiled: bool,
    cwasm_refused: str | None = None,
) -> LoadedComponent:
    api_version = guest_api_version(component, path)
    return LoadedComponent(component, sha, api_version, precompiled, cwasm_refused)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
