"""`ServerConfig`: every setting of the agent server, with their environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .keys import APPROVAL_KEY_ENV

API_TOKEN_ENV = "REMI_API_TOKEN"
CORS_ORIGINS_ENV = "REMI_CORS_ORIGINS"
DEFAULT_MAX_BODY = 1 << 20


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """How the agent server behaves.

    Args:
        db: the SQLite file of checkpoints, threads, the event log and the approval
            ledger (":memory:" keeps everything in this process only).
        token: the bearer token every request must carry (None: no authentication).
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

    @staticmethod
    def from_env(environ: Mapping[str, str] | None = None, **settings: Any) -> ServerConfig:
        """A config from `REMI_API_TOKEN`, `REMI_APPROVAL_KEY` and `REMI_CORS_ORIGINS`
        (comma separated), then `settings` (which win).

        Args:
            environ: where to read the variables (default: `os.environ`).
            settings: any field of `ServerConfig`.
        """
        env = os.environ if environ is None else environ
        origins = tuple(o.strip() for o in env.get(CORS_ORIGINS_ENV, "").split(",") if o.strip())
        base = ServerConfig(
            token=env.get(API_TOKEN_ENV) or None,
            approval_key=env.get(APPROVAL_KEY_ENV) or None,
            cors_origins=origins,
        )
        return replace(base, **settings)
