"""`ThrowawayPostgres`: a private Postgres cluster for tests and benchmarks.

It runs Debian's `postgresql` binaries (`initdb`, `pg_ctl`) on a data directory of its own,
on loopback and a free port, with trust authentication; `stop()` removes it. As root the
server runs as the `postgres` user (Postgres refuses root). Native only.
"""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from types import TracebackType
from typing import Self

USER = "remi"
"""The cluster's superuser."""


def postgres_bin() -> Path | None:
    """The folder of the newest installed Postgres server binaries, if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class ThrowawayPostgres:
    """A Postgres cluster in a temporary directory, started by `start()` (or `with`).

    Args:
        durable: keep Postgres's crash-safety settings (`fsync`); off by default, as a
            throwaway cluster's data need not survive a power loss, which makes tests quicker.
    """

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.folder = Path(tempfile.mkdtemp(prefix="remi-pg-"))
        self.port = 0
        self._bin: Path | None = None

    @property
    def dsn(self) -> str:
        """The connection string of the `postgres` database."""
        return self.database_dsn("postgres")

    def database_dsn(self, name: str) -> str:
        """The connection string of database `name` of this cluster."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"

    def start(self) -> Self:
        """Create and start the cluster (RuntimeError if Postgres is not installed)."""
        found = postgres_bin()
        if found is None:
            raise RuntimeError(
                "Postgres is not installed (Debian: apt-get install postgresql); "
                "scripts/setup.sh installs it."
            )
        self._bin = found
        os.chmod(self.folder, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self.port = _free_port()
        data = self.folder / "data"
        self._run(f"{found}/initdb -D {data} -A trust -U {USER} --no-sync")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        options += " -c max_connections=300"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off"
        self._run(
            f"{found}/pg_ctl -D {data} -o {shlex.quote(options)} -l {self.folder}/log -w start"
        )
        return self

    def create_database(self, name: str | None = None) -> str:
        """A new empty database (named `name`, or a fresh name); its connection string."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        self._run(f"{self._bin}/psql -h 127.0.0.1 -p {self.port} -U {USER} -d postgres "
                  f"-q -c {shlex.quote(f'CREATE DATABASE {name}')}")
        return self.database_dsn(name)

    def stop(self) -> None:
        """Stop the server and delete its files; safe to call twice."""
        if self._bin is not None and (self.folder / "data" / "postmaster.pid").exists():
            self._run(f"{self._bin}/pg_ctl -D {self.folder}/data -m immediate stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, command: str, check: bool = True) -> None:
        argv = ["su", "postgres", "-c", command] if os.geteuid() == 0 else shlex.split(command)
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if check and done.returncode != 0:
            log = self.folder / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command!r} failed: {done.stderr or done.stdout}{tail}")

    def __enter__(self) -> Self:
        """Start the cluster."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the cluster and remove it."""
        self.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
