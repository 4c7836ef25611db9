"""Agents over HTTP + SSE: a server exposing any agent, and `HttpAgent`, a remote agent used
like a local one (natively with httpx, in the browser with fetch).

`HttpAgent` and the protocol types import anywhere, Pyodide included. The server
(`create_app`, `ServerConfig`) needs starlette and uvicorn and is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import (
    ApprovalRefused,
    RemoteAuthError,
    RemoteRefusal,
    RemoteUnavailable,
)
from .http_agent import HttpAgent
from .protocol import RUN_INFO_ADAPTER, ErrorBody, ErrorDetail, RunInfo

if TYPE_CHECKING:
    from .app import create_app
    from .config import ServerConfig

_LAZY = {"create_app": "remi_web.transport.app", "ServerConfig": "remi_web.transport.config"}

__all__ = [
    "RUN_INFO_ADAPTER",
    "ApprovalRefused",
    "ErrorBody",
    "ErrorDetail",
    "HttpAgent",
    "RemoteAuthError",
    "RemoteRefusal",
    "RemoteUnavailable",
    "RunInfo",
    "ServerConfig",
    "create_app",
]


def __getattr__(name: str) -> object:
    """Import the server-side names lazily (they need starlette)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
