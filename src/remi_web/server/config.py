"""`ServerConfig`: every setting of the agent server, with their environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..core.errors import ConfigurationError
from .keys import APPROVAL_KEY_ENV
from .principals import SCOPES, Authenticator, TokenGrant, TokenTable, parse_grants, read_grants

API_TOKEN_ENV = "REMI_API_TOKEN"
API_TOKENS_ENV = "REMI_API_TOKENS"
TOKENS_FILE_ENV = "REMI_TOKENS_FILE"
CORS_ORIGINS_ENV = "REMI_CORS_ORIGINS"
DEFAULT_MAX_BODY = 1 << 20
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """How the agent server behaves.

    Args:
        db: where checkpoints, threads, the event log and the approval ledger live: an
            SQLite file (":memory:" keeps everything in this process only), or a
            `postgresql://` URL, which any number of servers may share.
        token: a bearer token for the principal "default", with every scope.
        tokens: more tokens, each its principal's (`REMI_API_TOKENS`, `REMI_TOKENS_FILE`).
        authenticator: maps a bearer token to its principal (JWT, OIDC...), instead of
            the token table.
        insecure_no_auth: serve without authentication (every caller is "anonymous");
            without it and without any token or authenticator, `create_app` refuses.
        cors_origins: browser origins allowed to call the server (empty: none; "*": any).
        max_body: the largest request body accepted, in bytes (413 beyond).
        approval_key: the secret that signs approval tokens (None: one is made once and
            kept in `db`, so it survives restarts).
        keepalive: seconds of silence on a stream before a keep-alive comment.
        reconnect_grace: seconds a run goes on after its last reader disconnected before
            it is cancelled (a reader may reconnect with `Last-Event-ID` meanwhile).
        cancel_wait: seconds `POST .../cancel` waits for a live run to stop.
        allow_edits: whether approval answers may carry edited tool arguments.
        lease_seconds: the lease of the served `AgentLoop`'s running runs (None: the
            agent's own, 30 s by default): how soon after this server dies another one may
            take its runs over.
        recover_every: seconds between sweeps for runs to recover (runs whose server died
            mid-stream); the first sweep is at start-up. None: no sweeps.
        allowed_hosts: `Host` names served besides the loopback ones (a DNS-rebinding
            defence: any other host gets 421).
        approver: who may answer a run's interrupts: "any" principal allowed to, or
            "other" than the one who started it (four eyes).
        max_runs, max_runs_per_principal: live runs at once, in all (default 1,000) and per
            principal (default: no limit of its own); 429 beyond.
        allowed_models: the models a request's `overrides.model` may name (None: any).
        max_tokens_cap: the largest `overrides.max_tokens` a request may ask (None: no cap).
        run_timeout: seconds a run may stream before it is cancelled (None: no limit).
        body_timeout: seconds a client may take to send a request body (408 beyond).
    """

    db: str = ":memory:"
    token: str | None = None
    cors_origins: tuple[str, ...] = ()
    max_body: int = DEFAULT_MAX_BODY
    approval_key: str | None = None
    keepalive: float = 15.0
    reconnect_grace: float = 5.0
    cancel_wait: float = 10.0
    allow_edits: bool = True
    lease_seconds: float | None = None
    recover_every: float | None = 10.0
    tokens: tuple[TokenGrant, ...] = ()
    authenticator: Authenticator | None = None
    insecure_no_auth: bool = False
    allowed_hosts: tuple[str, ...] = ()
    approver: Literal["any", "other"] = "any"
    max_runs: int = 1000
    max_runs_per_principal: int | None = None
    allowed_models: tuple[str, ...] | None = None
    max_tokens_cap: int | None = None
    run_timeout: float | None = 3600.0
    body_timeout: float = 30.0

    def resolve_authenticator(self) -> Authenticator | None:
        """The authenticator of this config: the given one, else the token table; None
        when authentication is off (`insecure_no_auth`)."""
        if self.authenticator is not None:
            return self.authenticator
        grants = list(self.tokens)
        if self.token:
            grants.append(TokenGrant("default", self.token, frozenset(SCOPES)))
        if grants:
            return TokenTable(grants)
        if self.insecure_no_auth:
            return None
        raise ConfigurationError(
            "The server has no token: set REMI_API_TOKEN (or REMI_API_TOKENS, a tokens file, "
            "an authenticator), or pass insecure_no_auth=True to serve without "
            "authentication (loopback only)."
        )

    def hosts(self) -> frozenset[str]:
        """The `Host` names this server answers (lower case, without port)."""
        return frozenset(h.lower() for h in (*LOOPBACK_HOSTS, *self.allowed_hosts))

    @staticmethod
    def from_env(environ: Mapping[str, str] | None = None, **settings: Any) -> ServerConfig:
        """A config from `REMI_API_TOKEN`, `REMI_API_TOKENS`, `REMI_TOKENS_FILE`,
        `REMI_APPROVAL_KEY` and `REMI_CORS_ORIGINS` (comma separated), then `settings`
        (which win).

        Args:
            environ: where to read the variables (default: `os.environ`).
            settings: any field of `ServerConfig`.
        """
        env = os.environ if environ is None else environ
        origins = tuple(o.strip() for o in env.get(CORS_ORIGINS_ENV, "").split(",") if o.strip())
        grants = parse_grants(env.get(API_TOKENS_ENV, ""))
        if env.get(TOKENS_FILE_ENV):
            grants += read_grants(env[TOKENS_FILE_ENV])
        base = ServerConfig(
            token=env.get(API_TOKEN_ENV) or None,
            tokens=tuple(grants),
            approval_key=env.get(APPROVAL_KEY_ENV) or None,
            cors_origins=origins,
        )
        return replace(base, **settings)
