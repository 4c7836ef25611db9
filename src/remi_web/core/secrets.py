"""Keep secrets out of text and JSON: `Secret`, `redact`, and the `Redactor` of trace payloads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import JsonValue

_KEY_LIKE = re.compile(r"\b(sk|rk|pk|key|gsk|xai|sk-or-v1)-[A-Za-z0-9_*.\-]{6,}")
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")
_KEY_PREFIXES = ("sk-", "rk-", "pk-", "key-", "gsk-", "xai-")
MASK = "***"

DEFAULT_SECRET_FIELDS = frozenset({
    "access_token", "api_key", "apikey", "auth", "authorization", "client_secret", "cookie",
    "credential", "credentials", "id_token", "passphrase", "passwd", "password", "private_key",
    "proxy_authorization", "refresh_token", "secret", "session_token", "set_cookie", "token",
    "x_api_key",
})
"""Field names (lower case, `-` read as `_`) whose values never reach a trace."""

_SECRET_SUFFIXES = ("_api_key", "_password", "_secret", "_token")


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
    # Plain substring checks first: the patterns cost far more on long texts without them.
    if "bearer" in text.lower():
        text = _BEARER.sub("Bearer " + MASK, text)
    if "-" in text and any(prefix in text for prefix in _KEY_PREFIXES):
        text = _KEY_LIKE.sub(lambda match: f"{match.group(1)}-{MASK}", text)
    return text


@dataclass(frozen=True, slots=True)
class Redactor:
    """Scrubs JSON before any tracer sees it: secret fields are masked, and every string
    loses bearer tokens, key-like tokens and the given secret values (a string holding a
    JSON object or array is scrubbed as JSON).

    Args:
        secret_fields: field names whose values are masked whole (compared in lower case,
            `-` read as `_`; names ending in `_api_key`, `_password`, `_secret` or `_token`
            are masked too).
        secrets: exact values to mask wherever they appear (an API key, a password...).
    """

    secret_fields: frozenset[str] = DEFAULT_SECRET_FIELDS
    secrets: tuple[Secret, ...] = field(default=(), repr=False)

    def extended(
        self, secret_fields: Iterable[str] = (), secrets: Iterable[str | Secret] = ()
    ) -> Redactor:
        """This redactor with more secret fields and secret values."""
        fields = {_normal(name) for name in secret_fields}
        values = tuple(s if isinstance(s, Secret) else Secret(s) for s in secrets)
        return Redactor(self.secret_fields | fields, self.secrets + values)

    def is_secret_field(self, name: str) -> bool:
        """Whether values under the field `name` are masked."""
        normal = _normal(name)
        return normal in self.secret_fields or normal.endswith(_SECRET_SUFFIXES)

    def text(self, text: str) -> str:
        """`text` without secrets; JSON text (a tool's result, say) is scrubbed as JSON."""
        if text[:1] in ("{", "[") and text[-1:] in ("}", "]"):
            try:
                parsed: JsonValue = json.loads(text)
            except ValueError:
                pass
            else:
                return json.dumps(self.scrub(parsed), ensure_ascii=False)
        return redact(text, *(secret.reveal() for secret in self.secrets))

    def scrub(self, value: JsonValue) -> JsonValue:
        """A copy of `value` with secret fields masked and every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {
                key: MASK if self.is_secret_field(key) else self.scrub(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        return value

    def scrub_dict(self, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        """`scrub` for a JSON object."""
        return {
            key: MASK if self.is_secret_field(key) else self.scrub(item)
            for key, item in value.items()
        }


def _normal(name: str) -> str:
    return name.lower().replace("-", "_")
