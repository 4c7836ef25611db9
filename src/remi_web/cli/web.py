"""`remi web`: serve the web app, the page's agent file and (unless a provider is set) the mock LLM.

Everything comes from one origin: `/` the app, `/dist/` the Pyodide runtime, the wheels and the
page's libraries in `/dist/vendor/`, `/agent.py` the agent file the worker runs, `/deep_agent.py`
the one it runs in deep mode (`/?mode=deep`), `/config.json` the page's default settings, and
`/v1/...` the mock OpenAI-compatible model. In a checkout the app is `web/` and the dist `web/dist/`
(`scripts/setup_web.sh` assembles it); from an installed wheel the app is packaged and the dist is
assembled on the first run into the user's cache (`webapp.cache`).
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..testing.mock_server import MockConfig
from ..testing.mock_server import create_app as create_mock_app
from .webapp.cache import cached_dist, is_assembled
from .webapp.errors import WebSetupError
from .webapp.files import AppFiles, checkout_app, packaged_app

DEFAULT_PORT = 8765

for _type, _suffix in (
    ("text/javascript", ".mjs"), ("text/javascript", ".js"), ("application/wasm", ".wasm"),
    ("application/zip", ".whl"), ("text/x-python", ".py"), ("application/json", ".json"),
):
    mimetypes.add_type(_type, _suffix)


class RevalidatedFiles(StaticFiles):
    """Static files the browser must revalidate (a cheap 304) before reuse: a rebuilt wheel
    keeps its file name, and a stale cached copy would fail the lock's integrity check."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "no-cache"
        return response


class DistFiles(RevalidatedFiles):
    """The dist: a pinned wheel (name and version fixed, its hash pinned in
    pyodide-requirements.txt) never changes, so the browser keeps it without asking; the
    project's own wheel (rebuilt under the same name), the lock, the runtime and the snapshot
    are revalidated."""

    def file_response(self, full_path: Any, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(full_path, *args, **kwargs)
        name = os.path.basename(str(full_path))
        if name.endswith(".whl") and not name.startswith("remi_web-"):
            response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


def locate_web() -> tuple[AppFiles, Path]:
    """The app's files and its dist: a checkout's `web/` and `web/dist/`, else the packaged app
    and the user cache's dist (assembled now, with progress on stderr, if it is not yet)."""
    checkout = checkout_app()
    if checkout is not None:
        dist = checkout.directory / "dist"
        if not is_assembled(dist):
            raise WebSetupError(f"{dist} is not assembled: run scripts/setup_web.sh first")
        return checkout, dist
    app = packaged_app()
    if not app.index.is_file():
        raise WebSetupError(f"the web app's files are missing from {app.directory}: reinstall remi-web")
    return app, cached_dist(app)


def create_web_app(
    *,
    web_dir: Path | None = None,
    dist_dir: Path | None = None,
    agent_file: Path | None = None,
    mock: MockConfig | None = None,
    base_url: str | None = None,
    model: str = "mock",
) -> Starlette:
    """The app. With `mock` the mock LLM is mounted at `/v1`; `base_url` overrides the page's
    default endpoint (a real provider). The API key is never served: users enter it in the page.
    `web_dir` (with `dist_dir`, by default `web_dir/dist`) replaces the app found by `locate_web`.
    """
    if web_dir is None:
        app, dist = locate_web()
    else:
        app, dist = AppFiles(web_dir), dist_dir or web_dir / "dist"
    if not is_assembled(dist):
        raise WebSetupError(f"{dist} is not assembled: run scripts/setup_web.sh first")
    agent = agent_file if agent_file is not None else app.agent
    if not agent.is_file():
        raise WebSetupError(f"agent file {agent} does not exist")

    async def config(request: Request) -> Response:
        endpoint = base_url or str(request.base_url).rstrip("/") + "/v1"
        return JSONResponse(
            {"base_url": endpoint, "model": model, "mock": mock is not None, "agent": agent.name},
            headers={"cache-control": "no-store"},
        )

    async def agent_source(request: Request) -> Response:
        return _python_file(agent)

    async def deep_agent_source(request: Request) -> Response:
        return _python_file(app.deep_agent)

    async def index(request: Request) -> Response:
        return FileResponse(app.index, headers={"cache-control": "no-store"})

    routes: list[Route | Mount] = [
        Route("/", index),
        Route("/config.json", config),
        Route("/agent.py", agent_source),
        Route("/deep_agent.py", deep_agent_source),
        Mount("/dist", DistFiles(directory=dist)),
    ]
    if mock is not None:
        routes.append(Mount("/v1", create_mock_app(mock)))
    routes.append(Mount("/", RevalidatedFiles(directory=app.directory)))
    return Starlette(routes=routes)


def _python_file(path: Path) -> Response:
    """An agent file, never cached (the author edits it and reloads), or a 404 naming it."""
    if not path.is_file():
        return PlainTextResponse(f"agent file {path} does not exist", status_code=404)
    return PlainTextResponse(
        path.read_text(encoding="utf-8"),
        media_type="text/x-python",
        headers={"cache-control": "no-store"},
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`remi web [--host H] [--port N] [--agent FILE] [--tps T]`: serve the app and print its URL."""
    parser = argparse.ArgumentParser(
        prog="remi web",
        description="Serve the web app (the agent runs in the page, in Pyodide) and the mock LLM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument("--agent", type=Path, default=None, help="the agent file the page runs")
    parser.add_argument("--web-dir", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--prepare", action="store_true",
        help="assemble the page's Pyodide dist (the first run does it), print where, and exit",
    )
    parser.add_argument(
        "--tps", type=float, default=40.0,
        help="mock model tokens per second (default 40; 0 = no pacing)",
    )
    parser.add_argument("--model", default=None, help="default model name shown in the settings")
    args = parser.parse_args(list(argv) if argv is not None else None)
    provider = os.environ.get("OPENAI_BASE_URL")
    mock = None if provider else MockConfig(tokens_per_second=args.tps or None)
    model = args.model or os.environ.get("OPENAI_MODEL") or ("mock" if mock else "gpt-4o-mini")
    try:
        if args.prepare:
            print(locate_web()[1])
            return 0
        app = create_web_app(
            web_dir=args.web_dir, agent_file=args.agent, mock=mock, base_url=provider, model=model
        )
    except WebSetupError as error:  # one line that says what to do, no traceback
        print(f"remi web: error: {error}", file=sys.stderr)
        return 2
    import uvicorn

    where = f"provider {provider}" if provider else "the built-in mock model"
    print(f"remi-web demo at http://{args.host}:{args.port}/  (model: {where})", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
