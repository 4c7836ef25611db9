"""The agent's source as the dev runtime sees it: a read-only directory mounted at
`DEV_MOUNT`, a manifest naming the entry module and the files' real paths on the host, and
an import finder that runs those files compiled under their host paths (so tracebacks,
`SyntaxError`s and `linecache` name the real file and line).

Pure Python with no component bindings: the host writes the manifest with `DevManifest`,
the dev runtime component reads it.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import json
import linecache
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

DEV_MOUNT = "/agent"
"""Where the dev runtime's instances see the agent's source directory (read-only)."""

MANIFEST = ".remi-dev.json"
"""The manifest's file name, at the root of the mounted directory."""

DEV_FAILED_NAME = "(remi dev: the agent's source failed to load)"
"""The name a dev runtime's `describe()` answers when the source failed; its `system`
field then holds the `SourceProblem` as JSON."""

DEV_PRELOAD = (
    # text
    "string", "re", "textwrap", "difflib", "unicodedata", "codecs", "html", "html.parser",
    "html.entities", "xml.etree.ElementTree", "xml.dom.minidom", "csv", "json", "tomllib",
    "base64", "binascii", "email", "email.message", "email.utils", "mimetypes",
    "urllib.parse", "ipaddress", "shlex", "fnmatch", "glob", "pprint", "reprlib", "locale",
    "gettext",
    # data structures and types
    "collections", "collections.abc", "heapq", "bisect", "array", "struct", "copy", "enum",
    "graphlib", "dataclasses", "types", "typing", "weakref", "abc", "numbers", "queue",
    "contextvars", "keyword",
    # numbers and time
    "math", "cmath", "decimal", "fractions", "random", "statistics", "datetime", "time",
    "calendar", "zoneinfo",
    # functions, errors, introspection
    "itertools", "functools", "operator", "contextlib", "traceback", "warnings", "inspect",
    "logging", "ast", "tokenize", "textwrap", "argparse", "errno", "atexit",
    # hashing, ids, compression, files
    "hashlib", "hmac", "secrets", "uuid", "zlib", "gzip", "zipfile", "io", "os", "os.path",
    "pathlib", "tempfile", "shutil",
    # concurrency as the guest has it
    "asyncio",
)
"""The standard modules the dev runtime is built with (a component holds only the modules
imported while it was built). remi-web's own modules and dependencies come on top."""


@dataclass(frozen=True, slots=True)
class DevManifest:
    """What the dev runtime needs to run the mounted source.

    Args:
        module: the entry module (the agent file's name without `.py`).
        host_dir: the agent's directory on the host (the mount's real path).
        factory: the function `(model) -> AgentLoop` to call (None: `build_agent`, else
            the module's `agent`).
    """

    module: str
    host_dir: str
    factory: str | None = None

    def to_json(self) -> str:
        """The manifest's text."""
        return json.dumps({"module": self.module, "host_dir": self.host_dir,
                           "factory": self.factory})

    @staticmethod
    def read(mount: str = DEV_MOUNT) -> DevManifest:
        """The manifest of the directory mounted at `mount`."""
        with open(os.path.join(mount, MANIFEST), encoding="utf-8") as handle:
            data = json.load(handle)
        return DevManifest(str(data["module"]), str(data["host_dir"]), data.get("factory"))


class DevSourceFinder(importlib.abc.MetaPathFinder):
    """Finds the agent's modules in the mounted directory and loads them compiled under
    their host paths. Put first on `sys.meta_path`."""

    def __init__(self, mount: str, host_dir: str) -> None:
        self.mount = mount
        self.host_dir = host_dir
        self.loaded: list[str] = []
        """The host paths of the files run so far."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        """The spec of `fullname` if the agent's directory has it (`name.py` or
        `name/__init__.py`), else None (the runtime's own modules answer)."""
        relative = fullname.split(".")
        for parts, package in ((relative + ["__init__.py"], True),
                               (relative[:-1] + [relative[-1] + ".py"], False)):
            mounted = os.path.join(self.mount, *parts)
            if os.path.isfile(mounted):
                host = os.path.join(self.host_dir, *parts)
                loader = DevSourceLoader(mounted, host, self)
                spec = importlib.util.spec_from_loader(fullname, loader, origin=host,
                                                       is_package=package)
                if spec is not None:
                    spec.has_location = True
                return spec
        return None


class DevSourceLoader(importlib.abc.Loader):
    """Runs one mounted file compiled under its host path, its lines put in `linecache`."""

    def __init__(self, mounted: str, host: str, finder: DevSourceFinder) -> None:
        self.mounted = mounted
        self.host = host
        self._finder = finder

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        """The default module object."""
        return None

    def exec_module(self, module: ModuleType) -> None:
        """Compile the file under its host path and run it in `module`."""
        with open(self.mounted, "rb") as handle:
            data = handle.read()
        text = importlib.util.decode_source(data)
        linecache.cache[self.host] = (len(text), None, text.splitlines(True), self.host)
        self._finder.loaded.append(self.host)
        code = compile(data, self.host, "exec", dont_inherit=True)
        exec(code, module.__dict__)

    def get_source(self, fullname: str) -> str:
        """The file's text (for tracebacks)."""
        with open(self.mounted, "rb") as handle:
            return importlib.util.decode_source(handle.read())


def install_finder(manifest: DevManifest, mount: str = DEV_MOUNT) -> DevSourceFinder:
    """Put a finder of the mounted source first on `sys.meta_path` (once)."""
    for finder in sys.meta_path:
        if isinstance(finder, DevSourceFinder):
            return finder
    finder = DevSourceFinder(mount, manifest.host_dir)
    sys.meta_path.insert(0, finder)
    return finder
