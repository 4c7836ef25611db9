"""`default_transport`: the one platform choice of HTTP, made at the edge: the browser's fetch
under Pyodide, httpx elsewhere."""

from __future__ import annotations

import sys

from ..core.errors import ConfigurationError
from .transport import HttpTransport


def default_transport() -> HttpTransport:
    """The platform's transport: browser fetch under Pyodide, httpx elsewhere."""
    if sys.platform == "emscripten":
        from .fetch_transport import FetchTransport

        return FetchTransport()
    try:
        from .httpx_transport import HttpxTransport
    except ImportError as error:
        raise ConfigurationError(
            "no HTTP transport: install httpx (pip install 'remi-web[http]') "
            "or pass transport= to the model"
        ) from error
    return HttpxTransport()
