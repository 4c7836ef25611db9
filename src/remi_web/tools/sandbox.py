"""`Sandbox`: a command confined by bubblewrap (`bwrap`, Debian's `bubblewrap`), native Linux.

The command sees a minimal read-only system (`/usr` and its links, a few files of `/etc`), the
workspace read-write at its own path, a private `/tmp`, `/dev` and `/proc` (no other process
is visible: not its parent's environment, not the host's processes), no network unless asked,
its own session, and it dies with its parent. Its processes live in their own pid namespace:
when the command ends or is stopped, every process it started is gone, `setsid` or not.
Resource limits (CPU seconds, address space, file size, processes) are set in the child
before bwrap starts; as root the process limit is not enforced by the kernel, so the count of
processes is also capped by a pids cgroup where this machine lets us make one.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
"""PATH inside the sandbox (what it mounts)."""

_ETC = ("/etc/ld.so.cache", "/etc/alternatives", "/etc/localtime", "/etc/passwd", "/etc/group",
        "/etc/nsswitch.conf", "/etc/mime.types", "/etc/ssl", "/etc/ca-certificates")
_ETC_NETWORK = ("/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf")
_CGROUP_BASES = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


@dataclass(frozen=True, slots=True)
class Sandbox:
    """How a command is confined.

    Args:
        network: let the command reach the network (off by default).
        cpu_seconds: CPU time the command may use.
        address_space: bytes of virtual memory per process.
        processes: processes the command may have at once.
        file_size: the largest file it may write, in bytes.
        binary: the bubblewrap program.
    """

    network: bool = False
    cpu_seconds: int = 120
    address_space: int = 4 << 30
    processes: int = 128
    file_size: int = 1 << 30
    binary: str = "bwrap"

    def available(self) -> bool:
        """Whether bubblewrap is installed (and this is Linux)."""
        return os.uname().sysname == "Linux" and shutil.which(self.binary) is not None

    def command(
        self, argv: Sequence[str], *, root: str, cwd: str, env: Mapping[str, str]
    ) -> list[str]:
        """`argv` run inside the sandbox, in `cwd`, with exactly `env` (nothing inherited)."""
        binary = shutil.which(self.binary) or self.binary
        args = [binary, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
        if self.network:
            args.append("--share-net")
        for name, value in env.items():
            args += ["--setenv", name, value]
        args += ["--ro-bind", "/usr", "/usr"]
        for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = f"/{top}"
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                args += ["--ro-bind", path, path]
        for path in (*_ETC, *(_ETC_NETWORK if self.network else ())):
            args += ["--ro-bind-try", path, path]
        args += [
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--bind", root, root, "--chdir", cwd, "--hostname", "sandbox", "--", *argv,
        ]
        return args

    def limits(self, group: PidsGroup | None) -> Callable[[], None]:
        """What the child runs before bwrap starts: the resource limits, and joining `group`."""
        caps = (
            (resource.RLIMIT_CPU, self.cpu_seconds),
            (resource.RLIMIT_AS, self.address_space),
            (resource.RLIMIT_FSIZE, self.file_size),
            (resource.RLIMIT_NPROC, self.processes),
        )
        procs = None if group is None else str(group.path / "cgroup.procs")

        def apply() -> None:  # in the child, between fork and exec: no locks, no imports
            for kind, value in caps:
                resource.setrlimit(kind, (value, value))
            if procs is not None:
                with open(procs, "w") as file:
                    file.write(str(os.getpid()))

        return apply


class PidsGroup:
    """A pids cgroup that caps how many processes one command may have (needs root and a
    writable cgroup hierarchy; `make` returns None elsewhere)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def make(limit: int) -> PidsGroup | None:
        """A new group of at most `limit` processes, or None where none can be made."""
        for base in _CGROUP_BASES:
            if not (base / "cgroup.procs").exists() or not _has_pids(base):
                continue
            path = base / f"remi-sandbox-{uuid.uuid4().hex[:12]}"
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(limit))
            except OSError:
                try:
                    path.rmdir()
                except OSError:
                    pass
                continue
            return PidsGroup(path)
        return None

    def remove(self, patience: float = 5.0) -> None:
        """Kill what is left in the group and remove it (bounded)."""
        deadline = time.monotonic() + patience
        while True:
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                pids = []
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                self.path.rmdir()
                return
            except OSError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.01)


def _has_pids(base: Path) -> bool:
    """Whether `base` is a v1 pids hierarchy, or a v2 one with the pids controller on."""
    if (base / "pids.max").exists() or base.name == "pids":
        return True
    try:
        return "pids" in (base / "cgroup.subtree_control").read_text().split()
    except OSError:
        return False
