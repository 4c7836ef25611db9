"""The machine-local key that signs precompiled `.cwasm` files, and their MAC.

A `.cwasm` is native code: deserializing it runs whatever it holds, so the host loads only
the ones it (or another process of the same user) precompiled. `remi build` signs each one
with HMAC-SHA256 under a random key kept in the user's data directory, created with mode
0600 on first use: `$XDG_DATA_HOME/remi-web/cwasm.key` (else
`~/.local/share/remi-web/cwasm.key`), or the file named by `REMI_CWASM_KEY_FILE`. A file
copied from another machine, edited, or signed under another key is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from .errors import ArtifactKeyError

KEY_FILE_ENV = "REMI_CWASM_KEY_FILE"
"""The environment variable naming the key file (for tests, CI, or a shared deployment)."""
KEY_BYTES = 32
"""The size of a generated key (and the least a key file must hold)."""


def key_path() -> Path:
    """Where the key lives: `REMI_CWASM_KEY_FILE`, else the user's data directory."""
    named = os.environ.get(KEY_FILE_ENV)
    if named:
        return Path(named).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "remi-web" / "cwasm.key"


def artifact_key() -> bytes:
    """The key, created (random, mode 0600) if it does not exist yet.

    Raises `ArtifactKeyError` when the file cannot be used: unreadable, shorter than
    `KEY_BYTES`, not a regular file, owned by someone else, or open to other users.
    """
    path = key_path()
    if not path.exists():
        _create(path)
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        raise ArtifactKeyError(f"Cannot read the .cwasm signing key {path}: {error}.") from error
    try:
        info = os.fstat(handle)
        _check(path, info)
        key = os.read(handle, 4096)
    finally:
        os.close(handle)
    if len(key) < KEY_BYTES:
        raise ArtifactKeyError(
            f"The .cwasm signing key {path} holds {len(key)} bytes; it needs at least "
            f"{KEY_BYTES}. Delete it to have a new one made."
        )
    return key


def mac(*parts: bytes) -> str:
    """The HMAC-SHA256 of `parts` (concatenated) under this machine's key, in hex."""
    signer = hmac.new(artifact_key(), digestmod=hashlib.sha256)
    for part in parts:
        signer.update(part)
    return signer.hexdigest()


def mac_matches(claimed: str, *parts: bytes) -> bool:
    """Whether `claimed` is the MAC of `parts` under this machine's key (constant time)."""
    return hmac.compare_digest(mac(*parts).encode(), claimed.encode())


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(handle, secrets.token_bytes(KEY_BYTES))
        os.fsync(handle)
    finally:
        os.close(handle)
    try:
        os.link(temporary, path)  # atomic; another process may have made one first
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def _check(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise ArtifactKeyError(f"The .cwasm signing key {path} is not a regular file.")
    getuid = getattr(os, "getuid", None)
    if getuid is not None and info.st_uid != getuid():
        raise ArtifactKeyError(
            f"The .cwasm signing key {path} belongs to another user; use your own "
            f"(delete it, or name another file with {KEY_FILE_ENV})."
        )
    if info.st_mode & 0o077:
        raise ArtifactKeyError(
            f"The .cwasm signing key {path} is open to other users (mode "
            f"{stat.S_IMODE(info.st_mode):o}); anyone who reads it can forge native code for "
            f"this host. Run `chmod 600 {path}`, or delete it to have a new one made."
        )
