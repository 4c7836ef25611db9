"""Getting one pinned file, verified: from a mirror directory, the download cache, or the network.

Every file the dist is made of is pinned by a digest (npm's sha512 `integrity`, the pins' sha256);
a file is used only when its bytes match it, wherever it came from. The network is plain HTTPS
through `urllib` (the proxy variables apply), so an installed wheel needs neither npm nor pip.
"""

from __future__ import annotations

import os
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPResponse
from pathlib import Path

from .errors import AssemblyError
from .pins import file_digest

Progress = Callable[[str], None]
"""Where progress lines go (stderr for `remi web`)."""

MIRROR_ENV = "REMI_WEB_MIRROR"
"""A directory of the pinned files (npm tarballs `name-version.tgz`, wheels) to use before the
network: for machines without internet access, and for tests."""

TIMEOUT = 60.0
"""Seconds a connection may stay silent."""


def to_stderr(line: str) -> None:
    """The progress of `remi web`: one line each on stderr."""
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Item:
    """One pinned file to get."""

    label: str
    """What it is, for progress lines and errors: `pyodide 314.0.7`."""
    algorithm: str
    """`sha256` or `sha512`."""
    digest: str
    """The pinned hex digest."""
    matches: Callable[[str], bool]
    """Whether a local file name is this item (a mirror's or the download cache's)."""
    locate: Callable[[], tuple[str, str]]
    """Its URL and file name; may ask an index (so it may raise `AssemblyError`)."""


def size_text(size: int) -> str:
    """`6.5 MB`, `13 kB`."""
    return f"{size / 1e6:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1e3))} kB"


def http_get(url: str, accept: str | None = None) -> HTTPResponse:
    """An open HTTP response, or an `AssemblyError` that says the network is the problem."""
    headers = {"User-Agent": "remi-web (remi web dist assembly)"}
    if accept is not None:
        headers["Accept"] = accept
    try:
        response: HTTPResponse = urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=TIMEOUT
        )
        return response
    except urllib.error.HTTPError as error:
        raise AssemblyError(f"{url} answered {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise AssemblyError(
            f"cannot reach {url} ({reason}): `remi web` downloads the Pyodide runtime and its wheels "
            f"once; connect to the internet, or set {MIRROR_ENV} to a directory holding them"
        ) from error


class Fetcher:
    """Gets pinned files into `downloads` (kept across assemblies), checking every digest."""

    def __init__(self, downloads: Path, *, mirror: Path | None = None, progress: Progress = to_stderr) -> None:
        self.downloads = downloads
        self.mirror = mirror
        self.progress = progress

    @classmethod
    def from_environment(cls, downloads: Path, progress: Progress = to_stderr) -> Fetcher:
        """A fetcher with the mirror named by `REMI_WEB_MIRROR`, if set."""
        mirror = os.environ.get(MIRROR_ENV)
        return cls(downloads, mirror=Path(mirror) if mirror else None, progress=progress)

    def get(self, item: Item) -> Path:
        """The verified file of `item`: a mirror's, a cached download, or a new download."""
        if self.mirror is not None:
            found = self._local(item, self.mirror)
            if found is not None:
                self.progress(f"  {item.label} ({size_text(found.stat().st_size)}) from {self.mirror}")
                return found
        found = self._local(item, self.downloads)
        if found is not None:
            return found
        url, file_name = item.locate()
        self.downloads.mkdir(parents=True, exist_ok=True)
        target = self.downloads / file_name
        partial = target.with_name(f"{file_name}.part{os.getpid()}")
        try:
            with http_get(url) as response, partial.open("wb") as out:
                size = response.headers.get("Content-Length")
                shown = f" ({size_text(int(size))})" if size and size.isdigit() else ""
                self.progress(f"  downloading {item.label}{shown} from {url.split('/')[2]}")
                shutil.copyfileobj(response, out, 1 << 20)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise AssemblyError(f"downloading {item.label} from {url} failed: {error}") from error
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        if file_digest(partial, item.algorithm) != item.digest:
            partial.unlink()
            raise AssemblyError(
                f"{item.label} from {url} does not match its pinned {item.algorithm}: not using it"
            )
        partial.replace(target)
        return target

    def _local(self, item: Item, directory: Path) -> Path | None:
        """A file of `directory` that is `item` with the right digest, if any."""
        if not directory.is_dir():
            return None
        for path in sorted(directory.iterdir()):
            if path.is_file() and item.matches(path.name) and file_digest(path, item.algorithm) == item.digest:
                return path
        return None
