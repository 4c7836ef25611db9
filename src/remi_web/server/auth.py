"""Bearer-token authentication: every route but the open ones (health check, OpenAPI document)
needs `Authorization: Bearer <token>`; the token's `Principal` goes on the request."""

from __future__ import annotations

from collections.abc import Collection

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .principals import ANONYMOUS, Authenticator, Principal
from .problems import HttpProblem


def principal_of(request: Request) -> Principal:
    """The principal `Authentication` found for `request` (anonymous without it)."""
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else ANONYMOUS


class Authentication:
    """ASGI middleware: finds the caller's principal, or answers 401.

    Args:
        app: the application it guards.
        authenticator: maps a bearer token to its principal (None: no authentication,
            every caller is `ANONYMOUS`).
        open_paths: paths served without a token.
    """

    def __init__(
        self, app: ASGIApp, authenticator: Authenticator | None, open_paths: Collection[str] = ()
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its principal if it may go through, else answer 401."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if self.authenticator is None or scope["path"] in self.open_paths:
            state["principal"] = ANONYMOUS if self.authenticator is None else None
            await self.app(scope, receive, send)
            return
        given = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                given = value
                break
        scheme, _, token = given.decode("latin-1").strip().partition(" ")
        principal = None
        if scheme.lower() == "bearer" and token.strip():
            principal = self.authenticator(token.strip())
        if principal is not None:
            state["principal"] = principal
            await self.app(scope, receive, send)
            return
        problem = HttpProblem(
            401, "unauthorized",
            "This server needs `Authorization: Bearer <token>` (its REMI_API_TOKEN, or a token "
            "of REMI_API_TOKENS; see docs/deploying.md)."
            if not given
            else "The bearer token is not valid for this server.",
            "authorization",
            {"www-authenticate": 'Bearer realm="remi"'},
        )
        response = JSONResponse(problem.body(), problem.status, problem.headers)
        await response(scope, receive, send)
