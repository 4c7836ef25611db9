"""`remi serve module:agent`: serve an agent over HTTP + SSE (see docs/protocol.md)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DEFAULT_PORT = 8000
SHUTDOWN_GRACE = 3


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
        "~/.local/share/remi-web/server.db)",
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
    cli.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    """Run `remi serve` until interrupted."""
    args = parser().parse_args(list(argv) if argv is not None else None)
    import uvicorn

    from ..server.agent_source import load_agent
    from ..server.app import create_app
    from ..server.config import ServerConfig

    db = Path(args.db) if args.db is not None else default_db()
    db.parent.mkdir(parents=True, exist_ok=True)
    settings: dict[str, Any] = {"db": str(db), "allow_edits": not args.no_edits}
    if args.cors is not None:
        settings["cors_origins"] = tuple(args.cors)
    for name in ("max_body", "reconnect_grace", "keepalive", "lease_seconds", "recover_every"):
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
    config = ServerConfig.from_env(**settings)
    app = create_app(load_agent(args.agent), config)
    auth = "bearer token required" if config.token else "no authentication (set REMI_API_TOKEN)"
    print(f"serving {args.agent} at http://{args.host}:{args.port}/v1/runs ({auth}; db {db})",
          flush=True)
    # Open streams get a few seconds to end on shutdown; then the remaining runs are
    # cancelled (and logged as such) as the app's lifespan ends.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level=args.log_level,
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
    )
    return 0
