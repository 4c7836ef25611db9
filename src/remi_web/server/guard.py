"""`RequestGuard`: defences before anything else runs.

- DNS rebinding: a `Host` that is not this server's (loopback names, `allowed_hosts`) gets
  421, so a page that rebinds its own name to 127.0.0.1 reaches nothing.
- Cross-site requests: a body of another type than `application/json` gets 415 (an HTML form
  or a `text/plain` fetch cannot send JSON without a preflight; a body with no
  `Content-Type` is read as JSON); an `Origin` that is neither this server nor one of the
  CORS origins gets 403, whatever the body (preflights are answered by the CORS middleware).

Both come before authentication: an attacker's page never gets as far as a token check.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .problems import HttpProblem


class RequestGuard:
    """ASGI middleware refusing foreign hosts, foreign origins and non-JSON bodies.

    Args:
        app: the application it guards.
        hosts: the host names served (lower case, without port).
        origins: the CORS origins allowed (`*`: any).
    """

    def __init__(self, app: ASGIApp, hosts: Collection[str], origins: Collection[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)
        self.origins = frozenset(o.rstrip("/").lower() for o in origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer why not."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name: value.decode("latin-1") for name, value in scope["headers"]}
        problem = self._problem(scope["method"], headers)
        if problem is None:
            await self.app(scope, receive, send)
            return
        response = JSONResponse(problem.body(), problem.status)
        await response(scope, receive, send)

    def _problem(self, method: str, headers: dict[bytes, str]) -> HttpProblem | None:
        host = headers.get(b"host", "")
        if _hostname(host) not in self.hosts:
            return HttpProblem(
                421, "misdirected_host",
                f"This server does not answer for host {host[:100]!r}; add it with "
                "--allowed-host if it is yours.",
                "host",
            )
        has_body = headers.get(b"content-length", "0") not in ("", "0") or (
            b"transfer-encoding" in headers
        )
        kind = headers.get(b"content-type", "").split(";")[0].strip().lower()
        if method in ("POST", "PUT", "PATCH") and has_body and kind:
            if kind != "application/json" and not kind.endswith("+json"):
                return HttpProblem(
                    415, "unsupported_media_type",
                    f"Send the body as application/json (got {kind or 'no Content-Type'!r}).",
                    "content-type",
                )
        origin = headers.get(b"origin")  # (preflights are the CORS middleware's to answer)
        if origin is not None and method != "OPTIONS" and not self._origin_allowed(origin, host):
            return HttpProblem(
                403, "origin_forbidden",
                f"Requests from origin {origin[:100]!r} are not allowed (CORS origins: "
                "--cors / REMI_CORS_ORIGINS).",
                "origin",
            )
        return None

    def _origin_allowed(self, origin: str, host: str) -> bool:
        normalized = origin.rstrip("/").lower()
        if "*" in self.origins or normalized in self.origins:
            return True
        return urlsplit(normalized).netloc == host.lower()  # same origin


def _hostname(host: str) -> str:
    """`host` without its port, lower case (`[::1]:8000` -> `[::1]`)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
