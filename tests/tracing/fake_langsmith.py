"""A fake LangSmith API for tests: records every request; serve it on loopback with `serve`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class Captured:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: Any


@dataclass
class FakeLangSmith:
    """Records requests; answers 202 (or `fail_with` while it is set)."""

    requests: list[Captured] = field(default_factory=list)
    fail_with: int | None = None

    def app(self) -> Starlette:
        async def record(request: Request) -> JSONResponse:
            raw = await request.body()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            self.requests.append(Captured(request.method, request.url.path,
                                          dict(request.headers), raw, body))
            if self.fail_with is not None:
                return JSONResponse({"detail": "failing on purpose"}, self.fail_with)
            if request.url.path == "/info":
                return JSONResponse({})
            return JSONResponse({}, 202)

        return Starlette(routes=[
            Route("/info", record, methods=["GET"]),
            Route("/runs/batch", record, methods=["POST"]),
            Route("/runs/multipart", record, methods=["POST"]),
            Route("/runs", record, methods=["POST"]),
            Route("/runs/{run_id}", record, methods=["PATCH"]),
        ])

    def runs(self, project: str | None = None) -> dict[str, dict[str, Any]]:
        """Every run as the server would store it: creates, then updates merged in order."""
        runs: dict[str, dict[str, Any]] = {}
        for req in self.requests:
            if not isinstance(req.body, dict):
                continue
            if req.path == "/runs/batch":
                creates, updates = req.body.get("post", []), req.body.get("patch", [])
            elif req.path == "/runs" and req.method == "POST":
                creates, updates = [req.body], []
            elif req.method == "PATCH":
                creates, updates = [], [{**req.body, "id": req.path.rsplit("/", 1)[1]}]
            else:
                continue
            for run in creates:
                runs[str(run["id"])] = dict(run)
            for update in updates:
                runs.setdefault(str(update["id"]), {}).update(update)
        if project is not None:
            runs = {k: r for k, r in runs.items() if r.get("session_name") == project}
        return runs
