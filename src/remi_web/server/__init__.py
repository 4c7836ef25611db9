"""The agent server (`remi serve`): any agent over HTTP + SSE, with runs, signed approvals, an
event log and replay. Native only; it needs the `server` extra (starlette, uvicorn), which is
imported on first use so that this package imports anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import create_app
    from .config import ServerConfig

__all__ = ["ServerConfig", "create_app"]

_LAZY = {"create_app": "app", "ServerConfig": "config"}


def __getattr__(name: str) -> object:
    """Import the server's names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
