"""Bearer-token authentication: every route but the health check needs
`Authorization: Bearer <token>` when the server has a token (`REMI_API_TOKEN`)."""

from __future__ import annotations

import hmac
from collections.abc import Collection

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .problems import HttpProblem

class BearerAuth:
    """ASGI middleware refusing requests without the right bearer token (401).

    Args:
        app: the application it guards.
        token: the token clients must send.
        open_paths: paths served without a token (the health check).
    """

    def __init__(self, app: ASGIApp, token: str, open_paths: Collection[str] = ()) -> None:
        self.app = app
        self._expected = ("Bearer " + token).encode()
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on if it may go through, else answer 401."""
        if scope["type"] != "http" or scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
            return
        given = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                given = value
                break
        if hmac.compare_digest(given, self._expected):
            await self.app(scope, receive, send)
            return
        problem = HttpProblem(
            401, "unauthorized",
            "This server needs `Authorization: Bearer <token>` (the server's REMI_API_TOKEN)."
            if not given
            else "The bearer token is not valid for this server.",
            "authorization",
            {"www-authenticate": 'Bearer realm="remi"'},
        )
        response = JSONResponse(problem.body(), problem.status, problem.headers)
        await response(scope, receive, send)
