"""`create_app`: any agent served over HTTP + SSE as an ASGI (Starlette) application.

Run it with uvicorn (`remi serve module:agent`, or `uvicorn.run(create_app(agent))`).
Native only: the browser never imports this module.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.loop import AgentLoop
from ..core.secrets import Redactor, secrets_of
from ..core.run_claim import DEFAULT_LEASE_SECONDS
from .agent_source import AgentSource, bind_agent
from .agui import agui_routes
from .auth import Authentication
from .config import ServerConfig
from .database import close_store, open_databases
from .guard import RequestGuard
from .log_redaction import install as install_log_redaction
from .log_redaction import uninstall as uninstall_log_redaction
from .keys import key_from_text
from .problems import HttpProblem
from ..remote.protocol import (
    HEALTH_PATH,
    LAST_EVENT_ID_HEADER,
    OPENAPI_PATH,
    RUN_ID_HEADER,
    STREAM_AFTER_HEADER,
)
from .routes import make_routes
from .run_handoff import handoff_routes
from .runs import RunService
from .signing import ApprovalSigner
from .threads import thread_routes
from .ui_stream import ui_stream_routes

_log = logging.getLogger("remi_web.server")

OPEN_PATHS = (HEALTH_PATH, OPENAPI_PATH)
"""Paths served without a token."""


def create_app(agent: AgentSource, config: ServerConfig | None = None) -> Starlette:
    """The ASGI app serving `agent` (see `docs/protocol.md`).

    Args:
        agent: an `Agent[ChatRequest, AgentEvent]`, or a function `(store) -> Agent` given
            the server's store (SQLite, or Postgres for a `postgresql://` db). An `AgentLoop` left on the builder's default
            in-memory store is moved onto the server's store.
        config: the settings; by default `ServerConfig.from_env()` (so `REMI_API_TOKEN`,
            `REMI_APPROVAL_KEY` and `REMI_CORS_ORIGINS` apply).

    The app's `state.runs` is its `RunService`; leaving the app's lifespan (or calling
    `await app.state.close()`) cancels live runs and closes the database.
    """
    cfg = config if config is not None else ServerConfig.from_env()
    authenticator = cfg.resolve_authenticator()  # refuses a server with no way to log in
    store, db = open_databases(cfg.db)
    signer = ApprovalSigner(key_from_text(cfg.approval_key)) if cfg.approval_key else None
    served, checkpoints = bind_agent(agent, store)
    if cfg.lease_seconds is not None and isinstance(served, AgentLoop):
        served = replace(served, lease_seconds=cfg.lease_seconds)
    redactor = Redactor().extended(secrets=secrets_of(served))
    log_filter = install_log_redaction(redactor)
    runs = RunService(
        served,
        checkpoints,
        db,
        signer,
        reconnect_grace=cfg.reconnect_grace,
        cancel_wait=cfg.cancel_wait,
        allow_edits=cfg.allow_edits,
        recover_every=cfg.recover_every,
        settle_after=getattr(served, "lease_seconds", None) or DEFAULT_LEASE_SECONDS,
        owned=authenticator is not None,
        approver=cfg.approver,
        max_runs=cfg.max_runs,
        max_runs_per_principal=cfg.max_runs_per_principal,
        run_timeout=cfg.run_timeout,
        redactor=redactor,
    )
    closed = False

    async def close() -> None:
        nonlocal closed
        if closed:
            return
        closed = True
        uninstall_log_redaction(log_filter)
        await runs.close()
        if isinstance(served, AgentLoop):
            await served.tools.aclose()
        await db.close()
        await close_store(store)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            if isinstance(served, AgentLoop):
                await served.tools.open()  # its toolsets' connections (MCP servers)
            await runs.open()  # the key, the other servers; runs a dead server left go on
        except BaseException:
            await close()
            raise
        yield
        await close()

    middleware = [Middleware(RequestGuard, hosts=cfg.hosts(), origins=cfg.cors_origins)]
    if cfg.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cfg.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "accept", LAST_EVENT_ID_HEADER],
                expose_headers=[RUN_ID_HEADER, STREAM_AFTER_HEADER],
                max_age=600,
            )
        )
    middleware.append(
        Middleware(Authentication, authenticator=authenticator, open_paths=OPEN_PATHS)
    )
    app = Starlette(
        routes=handoff_routes(runs, cfg)
        + make_routes(runs, cfg) + ui_stream_routes(runs, cfg) + agui_routes(runs, cfg) + thread_routes(
            served.store if isinstance(served, AgentLoop) else store, cfg,
            scoped=authenticator is not None,
        ),
        middleware=middleware,
        exception_handlers={
            HttpProblem: _problem,
            HTTPException: _http_exception,
            Exception: _crash,
        },
        lifespan=lifespan,
    )
    app.state.runs = runs
    app.state.config = cfg
    app.state.close = close
    return app


async def _problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, HttpProblem)
    return JSONResponse(error.body(), error.status, error.headers)


async def _http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    message = {
        404: f"No endpoint {request.url.path}; see docs/protocol.md for the routes.",
        405: f"{request.method} is not allowed on {request.url.path}.",
    }.get(error.status_code, str(error.detail))
    problem = HttpProblem(error.status_code, codes.get(error.status_code, "http_error"), message)
    return JSONResponse(problem.body(), problem.status, dict(error.headers or {}))


async def _crash(request: Request, error: Exception) -> Response:
    _log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    problem = HttpProblem(500, "internal", "The server failed on this request; see its log.")
    return JSONResponse(problem.body(), problem.status)
