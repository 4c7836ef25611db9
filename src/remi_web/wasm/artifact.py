"""Component files: compile a `.wasm`, precompile it to `.cwasm`, load either, and check the
guest's `remi:agent` version before anything runs.

A `.cwasm` here is wasmtime's serialized component behind a one-line header that names the
wasmtime version and the SHA-256 of the `.wasm` it came from, so a stale or foreign file is
refused with a clear reason instead of failing deep inside wasmtime.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import wasmtime
from wasmtime.component import Component

from ..guest.protocol import API_VERSION
from .engine import engine, wasmtime_version
from .errors import GuestLoadError, IncompatibleGuest

CWASM_MAGIC = b"remi-cwasm 1\n"
_WASM_MAGIC = b"\0asm"
_EXPORT = re.compile(r"^remi:agent/agent@(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True, slots=True)
class LoadedComponent:
    """A compiled component ready to instantiate.

    Args:
        component: the wasmtime component.
        sha256: the SHA-256 of the `.wasm` it was made from.
        api_version: the guest's `remi:agent` version.
        precompiled: whether it came from a `.cwasm` (no compilation).
    """

    component: Component
    sha256: str
    api_version: tuple[int, int, int]
    precompiled: bool


def precompile(wasm: bytes) -> bytes:
    """Compile `wasm` for this host and return the `.cwasm` file's bytes."""
    component = _compile(wasm)
    header = {"wasmtime": wasmtime_version(), "wasm_sha256": hashlib.sha256(wasm).hexdigest()}
    return CWASM_MAGIC + json.dumps(header).encode() + b"\n" + bytes(component.serialize())


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
    if data.startswith(CWASM_MAGIC):
        sha, component = _deserialize(data, path)
        return _checked(component, sha, path, precompiled=True)
    if not data.startswith(_WASM_MAGIC):
        raise GuestLoadError(f"{path} is neither a WebAssembly component nor a .cwasm file.")
    sha = hashlib.sha256(data).hexdigest()
    beside = cwasm_path(path)
    if beside != path and beside.is_file():
        cached = beside.read_bytes()
        if _header(cached).get("wasm_sha256") == sha:
            try:
                return _checked(_deserialize(cached, beside)[1], sha, path, precompiled=True)
            except IncompatibleGuest:
                pass  # made by another wasmtime: compile the .wasm instead
    try:
        component = _compile(data)
    except GuestLoadError as error:
        raise GuestLoadError(f"{path}: {error}") from error
    return _checked(component, sha, path, precompiled=False)


def _compile(wasm: bytes) -> Component:
    try:
        return Component(engine(), wasm)
    except wasmtime.WasmtimeError as error:
        raise GuestLoadError(f"not a valid component ({_first_line(error)})") from error


def _header(data: bytes) -> dict[str, str]:
    if not data.startswith(CWASM_MAGIC):
        return {}
    end = data.find(b"\n", len(CWASM_MAGIC))
    try:
        header = json.loads(data[len(CWASM_MAGIC):end])
    except ValueError:
        return {}
    return header if isinstance(header, dict) else {}


def _deserialize(data: bytes, path: Path) -> tuple[str, Component]:
    header = _header(data)
    built_with = header.get("wasmtime")
    if built_with is None:
        raise GuestLoadError(f"{path} has a damaged .cwasm header.")
    if built_with != wasmtime_version():
        raise IncompatibleGuest(
            f"{path} was precompiled by wasmtime {built_with}; this host has wasmtime "
            f"{wasmtime_version()}. Rebuild it with `remi build` (or load the .wasm)."
        )
    body = data[data.find(b"\n", len(CWASM_MAGIC)) + 1:]
    try:
        return header.get("wasm_sha256", ""), Component.deserialize(engine(), body)
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


def _checked(component: Component, sha: str, path: Path, *, precompiled: bool) -> LoadedComponent:
    return LoadedComponent(component, sha, guest_api_version(component, path), precompiled)


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
