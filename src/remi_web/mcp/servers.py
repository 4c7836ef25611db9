"""Where an MCP server is: a command to run (stdio, native only) or a streamable HTTP URL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..http.redact import safe_url

_SECRET_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "proxy-authorization", "cookie"})


@dataclass(frozen=True, slots=True)
class StdioServer:
    """An MCP server started as a child process and spoken to over its stdin and stdout
    (native only: a page cannot start processes). It stops when the toolset closes.

    Args:
        command: the program, e.g. `"python"` or `"npx"`.
        args: its arguments.
        env: more environment variables (over a few safe ones the SDK passes on: PATH, HOME...).
        cwd: its working directory (default: this process's).
    """

    command: str
    args: Sequence[str] = ()
    env: Mapping[str, str] | None = None
    cwd: str | None = None

    @property
    def label(self) -> str:
        """How messages name this server."""
        return " ".join([self.command, *self.args])


@dataclass(frozen=True, slots=True)
class HttpServer:
    """An MCP server at a streamable HTTP endpoint (natively and in the page).

    Args:
        url: the endpoint, e.g. `http://127.0.0.1:8000/mcp`.
        headers: sent with every request (e.g. `Authorization`); hidden in `repr`.
    """

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How messages name this server (the URL without credentials)."""
        return safe_url(self.url)

    def __repr__(self) -> str:
        shown = {k: ("***" if k.lower() in _SECRET_HEADERS else v) for k, v in self.headers.items()}
        return f"HttpServer({self.label!r}, headers={shown})"


McpServer = StdioServer | HttpServer
"""An MCP server to connect to."""


def stdio_server(spec: StdioServer | Sequence[str]) -> StdioServer:
    """`spec` as a `StdioServer`: given as one, or as a command line (`["python", "server.py"]`)."""
    if isinstance(spec, StdioServer):
        return spec
    if isinstance(spec, str) or not spec:
        raise ValueError(
            f"A stdio MCP server is a StdioServer or a non-empty command list such as "
            f'["python", "server.py"], not {spec!r}.'
        )
    command, *args = spec
    return StdioServer(command, tuple(args))


def http_server(spec: HttpServer | str) -> HttpServer:
    """`spec` as an `HttpServer`: given as one, or as its URL."""
    if isinstance(spec, HttpServer):
        return spec
    if not spec.startswith(("http://", "https://")):
        raise ValueError(f"An MCP server's URL starts with http:// or https://, not {spec!r}.")
    return HttpServer(spec)
