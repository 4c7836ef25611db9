"""The `remi` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `remi`."""
    parser = argparse.ArgumentParser(prog="remi", description="remi-web: agents natively and in the browser.")
    parser.add_argument("--version", action="version", version=f"remi-web {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the demo agent in the terminal (scripted model)")
    commands.add_parser(
        "mock-llm", help="serve the mock OpenAI-compatible model (see `remi mock-llm --help`)",
        add_help=False,
    )
    commands.add_parser(
        "web", help="serve the web app and the mock model (see `remi web --help`)", add_help=False
    )
    commands.add_parser(
        "build", help="package an agent file as a WebAssembly component (see `remi build --help`)",
        add_help=False,
    )
    commands.add_parser(
        "dev", help="serve an agent file as a hot-reloaded component (see `remi dev --help`)",
        add_help=False,
    )
    commands.add_parser(
        "serve", help="serve an agent over HTTP + SSE (see `remi serve --help`)", add_help=False
    )
    commands.add_parser(
        "chat", help="talk to an agent in the terminal (see `remi chat --help`)", add_help=False
    )
    commands.add_parser(
        "init", help="write a commented remi.toml for the deep agent (see `remi init --help`)",
        add_help=False,
    )
    commands.add_parser(
        "tui", help="chat with an agent in a terminal UI (see `remi tui --help`)", add_help=False
    )
    commands.add_parser(
        "eval", help="run a dataset under variants and compare them (see `remi eval --help`)",
        add_help=False,
    )
    args, rest = parser.parse_known_args(argv)
    try:
        return _dispatch(parser, args, rest)
    except ModuleNotFoundError as error:
        extra = EXTRAS.get((error.name or "").split(".")[0])
        if extra is None:
            raise
        print(f"remi {args.command}: this needs the {extra!r} extra: "
              f"pip install 'remi-web[{extra}]'", file=sys.stderr)
        return 2


EXTRAS = {
    "starlette": "server", "uvicorn": "server", "wasmtime": "wasm", "componentize_py": "wasm",
    "watchfiles": "wasm", "textual": "tui", "psycopg": "postgres", "psycopg_pool": "postgres",
    "packaging": "server",
}
"""The extra that brings each optional module a command may need."""


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, rest: list[str]) -> int:
    """Run the chosen command; its exit code."""
    if args.command == "tui":
        from .tui import main as tui

        return tui(rest)
    if args.command == "chat":
        from .chat import main as chat

        return chat(rest)
    if args.command == "eval":
        from .eval import main as evaluate

        return evaluate(rest)
    if args.command == "init":
        from .init import main as init

        return init(rest)
    if args.command == "serve":
        from .serve import main as serve

        return serve(rest)
    if args.command == "build":
        from .build import main as build

        return build(rest)
    if args.command == "dev":
        from .dev import main as dev

        return dev(rest)
    if args.command == "web":
        from .web import main as web

        return web(rest)
    if args.command == "mock-llm":
        from ..testing.mock_server import main as mock_llm

        return mock_llm(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "demo":
        from .demo import run_demo

        asyncio.run(run_demo())
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("remi-web")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "(not installed)"


if __name__ == "__main__":
    raise SystemExit(main())
