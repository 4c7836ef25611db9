"""`remi tui [module:agent]`: the Textual terminal chat (the `tui` extra)."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence

from ..core.errors import RemiError
from .agent_choice import MOCK_TPS_ENV, ChosenAgent, choose_agent

NEEDS_TEXTUAL = "remi tui needs Textual: pip install 'remi-web[tui]'"
"""What `remi tui` says (exit code 2) when Textual is not installed."""


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    """`remi tui [module:agent] [--url URL] [--token T] [--db FILE] [--thread NAME]
    [--model NAME]`: chat with the agent in a terminal UI; the exit code."""
    parser = argparse.ArgumentParser(
        prog="remi tui",
        description="Chat with an agent in a terminal UI: streamed Markdown, tool cards, "
        "approvals, threads, slash commands (/help). Without an agent and a model, the demo "
        f"agent on the built-in mock model ({MOCK_TPS_ENV}=N paces it at N tokens a second).",
    )
    parser.add_argument("agent", nargs="?", default=None,
                        help="MODULE:ATTRIBUTE (an agent, a builder or a factory); "
                        "default: the demo agent")
    parser.add_argument("--url", default=None, help="drive a `remi serve` at this root instead")
    parser.add_argument("--token", default=None, help="its bearer token (default REMI_API_TOKEN)")
    parser.add_argument("--db", default=None, help="the SQLite file of threads and runs")
    parser.add_argument("--thread", default=None, help="the thread to open (default: a new one)")
    parser.add_argument("--model", default=None, help="the model name (default REMI_MODEL)")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("textual") is None:
        print(NEEDS_TEXTUAL, file=sys.stderr)
        return 2
    try:
        chosen = choose_agent(args.agent, url=args.url, token=args.token, db=args.db,
                              model=args.model, environ=environ)
    except RemiError as error:
        print(f"remi tui: {error}", file=sys.stderr)
        return 2
    asyncio.run(_run(chosen, args.thread))
    return 0


async def _run(chosen: ChosenAgent, thread: str | None) -> None:
    from ..tui.app import ChatApp

    app = ChatApp(chosen.agent, about=chosen.about, model=chosen.model, store=chosen.store,
                  thread=thread)
    try:
        await app.run_async()
    finally:
        await chosen.aclose()
