"""Keep secrets out of messages: API keys, key-like tokens, and credentials in URLs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_KEY_LIKE = re.compile(r"\b(sk|rk|pk|key|gsk|xai|sk-or-v1)-[A-Za-z0-9_*.\-]{6,}")
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")
MASK = "***"


class Secret:
    """A string that never shows itself in `repr`, `str` or f-strings; `reveal()` gets it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value, for the one place that must send it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    __str__ = __repr__

    def __reduce__(self) -> str:
        raise TypeError("a Secret cannot be pickled")


def redact(text: str, *secrets: str) -> str:
    """`text` with each secret, bearer token and key-like token replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = _BEARER.sub("Bearer " + MASK, text)
    return _KEY_LIKE.sub(lambda match: f"{match.group(1)}-{MASK}", text)


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
