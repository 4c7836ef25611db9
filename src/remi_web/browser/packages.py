"""The packages an agent file declares, installed in the worker before the file runs, and HTTP
for `requests` and `urllib` in the page.

An agent file declares its extra packages the standard way for a single-file script, an inline
metadata block (PEP 723), read here without running the file:

    # /// script
    # dependencies = ["requests"]
    # ///

The worker installs them with micropip: a package whose wheel is in web/dist/ (it is in the
generated pyodide-lock.json) comes from there, offline; any other from PyPI (pure-Python
wheels only), when the page is online. Then it patches `requests` and `urllib` with
pyodide-http, so they go through the browser's synchronous XMLHttpRequest in the worker.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from ..core.errors import ConfigurationError

Installer: TypeAlias = Callable[[list[str]], Awaitable[None]]
"""Installs requirements (micropip in the worker); raises when one cannot be had."""

_BLOCK = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")
"""A PEP 723 metadata block (the specification's reference regular expression)."""


def declared_packages(source: str, filename: str = "agent.py") -> list[str]:
    """The requirements in the `dependencies` of `source`'s `# /// script` block; [] without one.

    Raises `ConfigurationError` naming the file when there are two such blocks, the block is
    not TOML, or `dependencies` is not a list of strings.
    """
    blocks = [m for m in _BLOCK.finditer(source) if m.group("type") == "script"]
    if not blocks:
        return []
    if len(blocks) > 1:
        raise ConfigurationError(f"{filename} has {len(blocks)} `# /// script` blocks; keep one")
    lines = blocks[0].group("content").splitlines(keepends=True)
    text = "".join(line[2:] if line.startswith("# ") else line[1:] for line in lines)
    try:
        metadata = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{filename}: its `# /// script` block is not TOML: {error}") from error
    dependencies = metadata.get("dependencies", [])
    if not isinstance(dependencies, list) or not all(isinstance(d, str) and d.strip() for d in dependencies):
        raise ConfigurationError(
            f'{filename}: `dependencies` in its `# /// script` block must be a list of requirement '
            f'strings, like ["requests"]; found {dependencies!r}'
        )
    return [d.strip() for d in dependencies]


async def micropip_install(requirements: list[str]) -> None:
    """Install `requirements` with micropip (loaded from the lock first): the lock's wheels, then
    PyPI's. Works only in Pyodide."""
    import pyodide_js  # type: ignore[import-not-found]

    await pyodide_js.loadPackage("micropip")
    import micropip  # type: ignore[import-not-found]

    await micropip.install(requirements, keep_going=True)


async def install_declared_packages(
    source: str, filename: str = "agent.py", install: Installer | None = None
) -> list[str]:
    """Install the packages `source` declares (see the module), then patch HTTP; returns them.

    Raises `ConfigurationError` naming the file and the package when one cannot be installed.
    """
    requirements = declared_packages(source, filename)
    if requirements:
        try:
            await (install or micropip_install)(requirements)
        except Exception as error:
            raise ConfigurationError(
                f"{filename} declares packages that could not be installed: {_first_line(error)} "
                "(offline only the wheels in web/dist/ can be installed; online also PyPI's "
                "pure-Python wheels)"
            ) from error
    patch_http()
    return requirements


async def load_package(name: str) -> None:
    """Load package `name` (and what it depends on) from the page's lock, in Pyodide: how
    jsonschema is loaded on first use rather than at boot (see `remi_web.core.json_schema`)."""
    import pyodide_js

    await pyodide_js.loadPackage(name)


def patch_http() -> bool:
    """Route `requests` (if installed) and `urllib` through the browser with pyodide-http, when
    pyodide-http is installed; returns whether it was."""
    try:
        import pyodide_http  # type: ignore[import-not-found]
    except ImportError:
        return False
    pyodide_http.patch_all()
    return True


def _first_line(error: Exception) -> str:
    """The first line of `error`'s message (micropip adds a "See: <FAQ>" line), or its type."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
