"""`remi serve module:agent`: serve an agent over HTTP + SSE (see docs/protocol.md)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from dataclasses import replace
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DEFAULT_PORT = 8000
DB_ENV = "REMI_DB"
"""The database when `--db` is not given: an SQLite path or a `postgresql://` URL."""
SHUTDOWN_GRACE = 3
KEEP_ALIVE = 5
HEADER_TIMEOUT = 10.0  # the same as remi_web.server.slow_clients (which needs uvicorn)
MAX_CONNECTIONS = 1000


def default_db(environ: Mapping[str, str] = os.environ) -> Path:
    """Where `remi serve` keeps its database unless `--db` says otherwise:
    `$REMI_DATA_DIR/server.db`, else `$XDG_DATA_HOME/remi-web/server.db`, else
    `~/.local/share/remi-web/server.db` (never the current directory)."""
    if environ.get("REMI_DATA_DIR"):
        return Path(environ["REMI_DATA_DIR"]) / "server.db"
    data = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "remi-web" / "server.db"


def parser() -> argparse.ArgumentParser:
    """The command line of `remi serve`."""
    cli = argparse.ArgumentParser(
        prog="remi serve",
        description=(
            "Serve an agent over HTTP + SSE. AGENT is MODULE:ATTRIBUTE naming an agent, or a "
            "function (store) -> agent given the server's SQLite store. Environment: "
            "REMI_API_TOKEN (bearer token required when set), REMI_APPROVAL_KEY (signs "
            "approvals; by default a key is kept in the database), REMI_CORS_ORIGINS."
        ),
    )
    cli.add_argument("agent", help="MODULE:ATTRIBUTE, e.g. my_app.agents:agent")
    cli.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    cli.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    cli.add_argument(
        "--db", default=None,
        help="SQLite file of checkpoints, threads and event logs (default "
        "$REMI_DATA_DIR/server.db, else $XDG_DATA_HOME/remi-web/server.db, else "
        "~/.local/share/remi-web/server.db), or a postgresql://user@host/db URL: any number "
        "of servers on one Postgres database serve one deployment (default REMI_DB)",
    )
    cli.add_argument(
        "--cors", action="append", default=None, metavar="ORIGIN",
        help="a browser origin allowed to call the server (repeat; default REMI_CORS_ORIGINS)",
    )
    cli.add_argument("--max-body", type=int, default=None, help="largest request body in bytes")
    cli.add_argument(
        "--reconnect-grace", type=float, default=None,
        help="seconds a run survives without readers before it is cancelled",
    )
    cli.add_argument("--keepalive", type=float, default=None, help="seconds between keep-alives")
    cli.add_argument(
        "--lease", type=float, default=None, dest="lease_seconds", metavar="SECONDS",
        help="how long a running run is held without a heartbeat: after this server dies, "
        "another takes its runs over this much later (default: the agent's, 30 s)",
    )
    cli.add_argument(
        "--recover-every", type=float, default=None, metavar="SECONDS",
        help="seconds between sweeps for runs a dead server left behind (default 10; the "
        "first sweep is at start-up)",
    )
    cli.add_argument(
        "--no-edits", action="store_true", help="refuse approvals that edit tool arguments"
    )
    cli.add_argument(
        "--auto-approve", action="append", default=[], metavar="TOOL",
        help="approve the calls of TOOL without asking (repeat; each answer is an "
        "interrupt_answered event of the run); other approvals still wait for a human",
    )
    cli.add_argument(
        "--tokens-file", default=None, metavar="FILE",
        help="principals and their tokens, one name:token[:scope+scope] per line",
    )
    cli.add_argument(
        "--insecure-no-auth", action="store_true",
        help="serve without authentication (only on a loopback address); otherwise, with no "
        "token configured, one is made, printed once and kept in a 0600 file beside the db",
    )
    cli.add_argument(
        "--allowed-host", action="append", default=[], metavar="HOST",
        help="a Host name this server answers besides the loopback ones (repeat)",
    )
    cli.add_argument(
        "--approver", choices=("any", "other"), default="any",
        help="'other': a run's interrupts must be answered by another principal than its "
        "starter (four eyes)",
    )
    cli.add_argument("--max-runs", type=int, default=None, help="live runs at once (default 1000)")
    cli.add_argument(
        "--max-runs-per-principal", type=int, default=None,
        help="live runs at once per principal (default: no limit of its own)",
    )
    cli.add_argument(
        "--allowed-model", action="append", default=None, metavar="MODEL",
        help="a model a request's overrides may name (repeat; default: any)",
    )
    cli.add_argument("--max-tokens-cap", type=int, default=None, help="the largest max_tokens")
    cli.add_argument(
        "--run-timeout", type=float, default=None, help="seconds a run may stream (default 3600)"
    )
    cli.add_argument(
        "--header-timeout", type=float, default=HEADER_TIMEOUT, metavar="SECONDS",
        help=f"seconds a connection may take to send a request head (default {HEADER_TIMEOUT:g})",
    )
    cli.add_argument(
        "--max-connections", type=int, default=None,
        help=f"open connections at once; a new one evicts the oldest still sending its head "
        f"(default {MAX_CONNECTIONS}, or less below the file descriptor limit)",
    )
    cli.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    """Run `remi serve` until interrupted."""
    args = parser().parse_args(list(argv) if argv is not None else None)
    import uvicorn

    from ..server.agent_source import load_agent
    from ..server.agui import AGUI_PATH
    from ..server.app import create_app
    from ..server.config import ServerConfig
    from ..server.database import is_postgres, shown_dsn
    from ..server.ui_stream import UI_STREAM_PATH

    where = args.db or os.environ.get(DB_ENV) or str(default_db())
    postgres = is_postgres(where)
    if not postgres:
        Path(where).parent.mkdir(parents=True, exist_ok=True)
    settings: dict[str, Any] = {"db": where, "allow_edits": not args.no_edits}
    if args.cors is not None:
        settings["cors_origins"] = tuple(args.cors)
    for name in ("max_body", "reconnect_grace", "keepalive", "lease_seconds", "recover_every"):
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
    for name in ("max_runs", "max_runs_per_principal", "max_tokens_cap", "run_timeout"):
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
    if args.allowed_model is not None:
        settings["allowed_models"] = tuple(args.allowed_model)
    hosts = [*args.allowed_host, *([] if _loopback(args.host) else [args.host])]
    settings.update(allowed_hosts=tuple(hosts), approver=args.approver)
    if args.tokens_file is not None:
        from ..server.principals import read_grants

        settings["tokens"] = tuple(read_grants(args.tokens_file))
    config = ServerConfig.from_env(**settings)
    if args.insecure_no_auth:
        if not _loopback(args.host):
            print("remi serve: --insecure-no-auth is refused on a non-loopback address "
                  f"({args.host}); configure tokens instead.", file=sys.stderr)
            return 2
        print("WARNING: serving without authentication: anyone who can reach "
              f"{args.host}:{args.port} may run the agent.", file=sys.stderr, flush=True)
        config = replace(config, insecure_no_auth=True)
    elif config.authenticator is None and not config.token and not config.tokens:
        if postgres:  # every server of the deployment must accept the same tokens
            print("remi serve: a Postgres deployment needs its tokens configured (REMI_API_TOKEN, "
                  "REMI_API_TOKENS or --tokens-file), the same on every server.", file=sys.stderr)
            return 2
        config = replace(config, token=_made_token(Path(where)))
    source = load_agent(args.agent)
    if args.auto_approve:
        from ..server.policy import auto_approving

        source = auto_approving(source, args.auto_approve)
    app = create_app(source, config)
    auth = "no authentication" if args.insecure_no_auth else "bearer token required"
    shown = shown_dsn(where) if postgres else where
    root = f"http://{args.host}:{args.port}"
    print(f"serving {args.agent} at {root}/v1/runs ({auth}; db {shown})", flush=True)
    print(f"  AG-UI: POST {root}{AGUI_PATH}  Vercel AI UI message stream: POST {root}{UI_STREAM_PATH}",
          flush=True)
    # Open streams get a few seconds to end on shutdown; then the remaining runs are
    # cancelled (and logged as such) as the app's lifespan ends.
    from ..server.slow_clients import default_max_connections, guarded_protocol, limit_accept_logs

    limit_accept_logs()
    if args.max_connections is None:
        args.max_connections = default_max_connections()
    uvicorn.run(
        app, host=args.host, port=args.port, log_level=args.log_level,
        timeout_graceful_shutdown=SHUTDOWN_GRACE, timeout_keep_alive=KEEP_ALIVE,
        http=guarded_protocol(args.header_timeout, args.max_connections),
    )
    return 0


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1", "[::1]") or host.startswith("127.")


def _made_token(db: Path) -> str:
    """The token of a server started with none: made once, printed once, kept in a 0600 file
    beside the database (read again on later starts)."""
    path = db.with_name(db.name + ".token")
    if path.is_file():
        print(f"bearer token: in {path}", flush=True)
        return path.read_text().strip()
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(token + "\n")
    print(f"bearer token (shown once, kept in {path}): {token}", flush=True)
    return token
