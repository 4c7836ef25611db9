"""Keep secrets out of messages: API keys, key-like tokens, and credentials in URLs.

`Secret` and `redact` live in `remi_web.core.secrets` (tracing needs them too); they are
re-exported here for the model layer.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from ..core.secrets import MASK, Secret, redact

__all__ = ["MASK", "Secret", "redact", "safe_url"]


def safe_url(url: str) -> str:
    """`url` without user info or query string (where keys sometimes hide)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port is not None:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "<invalid url>"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
