"""Who is calling: a bearer token maps to a `Principal` (a name and its scopes).

Tokens come from `ServerConfig.token` (one principal, "default", every scope), `tokens`
(`REMI_API_TOKENS="name:token[:scope+scope],..."` or a tokens file, one `name:token[:scopes]`
per line), or any `Authenticator`: a function from the token to a principal (or None), for
JWT or OIDC deployments.

Scopes: `run` (start runs, continue and answer your own), `approve` (answer the interrupts of
other principals' runs, and read them), `admin` (everything).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeAlias

from ..core.errors import ConfigurationError

Scope: TypeAlias = Literal["run", "approve", "admin"]
SCOPES: tuple[Scope, ...] = ("run", "approve", "admin")


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller of the server: its name (runs and threads are owned by it) and scopes."""

    name: str
    scopes: frozenset[Scope] = field(default_factory=lambda: frozenset({"run"}))

    def can(self, scope: Scope) -> bool:
        """Whether the principal has `scope` (an admin has every scope)."""
        return scope in self.scopes or "admin" in self.scopes


ANONYMOUS = Principal("anonymous", frozenset(SCOPES))
"""The caller of a server running without authentication (`insecure_no_auth`)."""

Authenticator: TypeAlias = Callable[[str], "Principal | None"]
"""Maps a bearer token to its principal, or None when the token is not valid."""


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """One token of the server's table: who it is, and what it may do."""

    name: str
    token: str
    scopes: frozenset[Scope] = field(default_factory=lambda: frozenset({"run"}))


class TokenTable:
    """An `Authenticator` over fixed tokens; every token is compared in constant time."""

    def __init__(self, grants: Iterable[TokenGrant]) -> None:
        self._grants = [(g.token.encode(), Principal(g.name, g.scopes)) for g in grants]
        if not self._grants:
            raise ConfigurationError("a token table needs at least one token")

    def __call__(self, token: str) -> Principal | None:
        """The principal of `token`, if any."""
        given, found = token.encode(), None
        for expected, principal in self._grants:  # no early exit: the time says nothing
            if hmac.compare_digest(given, expected):
                found = principal
        return found


def parse_grants(text: str, where: str = "REMI_API_TOKENS") -> list[TokenGrant]:
    """Grants from `name:token[:scope+scope]` items, separated by commas or new lines
    (blank lines and `#` comments skipped)."""
    grants = []
    for item in text.replace(",", "\n").splitlines():
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        name, _, rest = item.partition(":")
        token, _, scopes = rest.partition(":")
        chosen = [s for s in scopes.split("+") if s] or ["run"]
        unknown = [s for s in chosen if s not in SCOPES]
        if not name or len(token) < 16 or unknown:
            raise ConfigurationError(
                f"{where}: expected name:token[:scope+scope] with a token of 16 characters or "
                f"more and scopes among {', '.join(SCOPES)}; got {name or '(no name)'!r}"
                + (f" with unknown scopes {unknown}" if unknown else "")
            )
        grants.append(TokenGrant(name, token, frozenset(chosen)))  # type: ignore[arg-type]
    return grants


def read_grants(path: str | Path) -> list[TokenGrant]:
    """Grants from a tokens file (see `parse_grants`)."""
    try:
        return parse_grants(Path(path).read_text(), str(path))
    except OSError as error:
        raise ConfigurationError(f"cannot read the tokens file {path}: {error}") from None
