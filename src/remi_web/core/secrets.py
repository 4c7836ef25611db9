"""Keep secrets out of text and JSON: `Secret`, `redact`, the `Redactor` of trace payloads,
and `secrets_of`, the secret values a model client (or any agent) declares."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeAlias, runtime_checkable

from .schema_types import JsonValue

if TYPE_CHECKING:
    from pydantic import SecretStr
    from typing_extensions import TypeIs

_KEY_LIKE = re.compile(r"\b(sk|rk|pk|key|gsk|xai|sk-or-v1)-[A-Za-z0-9_*.\-]{6,}")
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")
_KEY_PREFIXES = ("sk-", "rk-", "pk-", "key-", "gsk-", "xai-")
# Well-known token formats with other prefixes (GitHub, GitLab, Hugging Face, Together,
# LangSmith, Slack, AWS); a safety net only: register a key to be sure it is masked.
_TOKEN_PREFIXES = (
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "hf_", "tgp_v1_", "lsv2_",
    "xoxa-", "xoxb-", "xoxp-", "xoxr-", "AKIA",
)
_TOKEN_LIKE = re.compile(
    r"(?<![A-Za-z0-9])(gh[pousr]_|github_pat_|glpat-|hf_|tgp_v1_|lsv2_[a-z]{2}_|xox[abpr]-|AKIA)"
    r"[A-Za-z0-9_\-]{16,}"
)
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


SecretValue: TypeAlias = "str | Secret | SecretStr"
"""A secret value as given: plain, a `Secret`, or a pydantic `SecretStr`."""


def is_secret_str(value: object) -> TypeIs[SecretStr]:
    """Whether `value` is a pydantic `SecretStr` (none exists before pydantic is imported)."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(value, pydantic.SecretStr)


def reveal(value: SecretValue) -> str:
    """The text of a secret value, however it is wrapped."""
    if isinstance(value, Secret):
        return value.reveal()
    if is_secret_str(value):
        return value.get_secret_value()
    return value


def redact(text: str, *secrets: str) -> str:
    """`text` with each secret, bearer token and key-like token replaced by `***` (the
    longest secrets first, so that one holding another is masked whole)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    # Plain substring checks first: the patterns cost far more on long texts without them.
    if "bearer" in text.lower():
        text = _BEARER.sub("Bearer " + MASK, text)
    if "-" in text and any(prefix in text for prefix in _KEY_PREFIXES):
        text = _KEY_LIKE.sub(lambda match: f"{match.group(1)}-{MASK}", text)
    if any(prefix in text for prefix in _TOKEN_PREFIXES):
        text = _TOKEN_LIKE.sub(lambda match: match.group(1) + MASK, text)
    return text


@runtime_checkable
class HoldsSecrets(Protocol):
    """Something that holds secret values and names them, so that traces never show them:
    a model client's API key (`OpenAIModel`), a remote agent's token, a tracer's own key."""

    def secrets(self) -> tuple[Secret, ...]:
        """The secret values held (empty ones left out)."""
        ...


_MAX_WRAPPERS = 64


def secrets_of(agent: object) -> tuple[Secret, ...]:
    """The secrets `agent` declares (`HoldsSecrets`), and those of the agents it wraps (its
    `inner` agent, through retry, logging, map... layers)."""
    found: list[SecretValue] = []
    seen: set[int] = set()
    current: object = agent
    for _ in range(_MAX_WRAPPERS):
        if current is None or id(current) in seen:
            break
        seen.add(id(current))
        if isinstance(current, HoldsSecrets):
            found.extend(current.secrets())
        current = getattr(current, "inner", None)
    return secret_values(found)


def header_secrets(headers: Mapping[str, str]) -> list[str]:
    """The values of the credential headers among `headers` (`Authorization`, `api-key`,
    `x-api-key`...), and their token alone when it follows a scheme (`Bearer <token>`)."""
    found: list[str] = []
    for name, value in headers.items():
        if _normal(name) in DEFAULT_SECRET_FIELDS or _normal(name).endswith(_SECRET_SUFFIXES):
            found.append(value)
            scheme, _, token = value.strip().partition(" ")
            if scheme and token.strip():
                found.append(token.strip())
    return found


def secret_values(values: Iterable[SecretValue]) -> tuple[Secret, ...]:
    """`values` as `Secret`s, empty and repeated values left out, longest first."""
    unique: dict[str, Secret] = {}
    for value in values:
        if not (isinstance(value, (str, Secret)) or is_secret_str(value)):
            raise TypeError(
                f"a secret value must be a str, Secret or SecretStr, not {type(value).__name__}"
            )
        text = reveal(value)
        if text and text not in unique:
            unique[text] = value if isinstance(value, Secret) else Secret(text)
    return tuple(sorted(unique.values(), key=lambda secret: len(secret.reveal()), reverse=True))


@dataclass(frozen=True, slots=True, init=False)
class Redactor:
    """Scrubs JSON before any tracer sees it: secret fields are masked, and every string
    (keys included) loses bearer tokens, key-like tokens and the given secret values (a
    string holding a JSON object or array is scrubbed as JSON); a number holding a secret
    value, a `Secret` and a pydantic `SecretStr` become `***` too.

    Args:
        secret_fields: field names whose values are masked whole (compared in lower case,
            `-` read as `_`; names ending in `_api_key`, `_password`, `_secret` or `_token`
            are masked too). Default: `DEFAULT_SECRET_FIELDS`.
        secrets: exact values to mask wherever they appear, whatever they look like (an API
            key, a password...): strings, `Secret`s or `SecretStr`s.
    """

    secret_fields: frozenset[str]
    secrets: tuple[Secret, ...] = field(repr=False)

    def __init__(
        self,
        secret_fields: Iterable[str] = DEFAULT_SECRET_FIELDS,
        secrets: Iterable[SecretValue] = (),
    ) -> None:
        object.__setattr__(self, "secret_fields", frozenset(_normal(n) for n in secret_fields))
        object.__setattr__(self, "secrets", secret_values(secrets))

    def extended(
        self, secret_fields: Iterable[str] = (), secrets: Iterable[SecretValue] = ()
    ) -> Redactor:
        """This redactor with more secret fields and secret values."""
        return Redactor(self.secret_fields | set(secret_fields), (*self.secrets, *secrets))

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

    def scrub(self, value: object) -> JsonValue:
        """A copy of `value` (JSON) with secret fields masked and every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return self.scrub_dict(value)
        if isinstance(value, (list, tuple)):
            return [self.scrub(item) for item in value]
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            shown = str(value)
            if any(secret.reveal() in shown for secret in self.secrets):
                return MASK
            return value
        if isinstance(value, Secret) or is_secret_str(value):
            return MASK
        return self.text(str(value))  # not JSON: traced as its text

    def scrub_dict(self, value: Mapping[str, object]) -> dict[str, JsonValue]:
        """`scrub` for a JSON object (its keys are redacted too)."""
        values = [secret.reveal() for secret in self.secrets]
        return {
            redact(str(key), *values): MASK if self.is_secret_field(str(key)) else self.scrub(item)
            for key, item in value.items()
        }


def _normal(name: str) -> str:
    return name.lower().replace("-", "_")
