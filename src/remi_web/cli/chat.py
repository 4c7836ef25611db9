"""`remi chat [module:agent] [-m MESSAGE]`: talk to an agent from a terminal.

With `-m`, one answer and exit; without, a line-based REPL (one conversation for the session,
or `--thread NAME`, kept in a SQLite file across invocations). At an interrupt it asks
(approve / deny / edit the arguments) and resumes the same run. Ctrl+C stops the current run;
at the prompt, Ctrl+C or Ctrl+D quits. Exit codes: 0 done, 1 error (or cancelled), 2 usage,
3 an interrupt in non-interactive mode (the run waits: answer it in a later session, or over
HTTP).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Callable, Sequence

from ..core.schema_types import JsonValue

from ..core.ctx import ChatCtx
from ..core.errors import RemiError
from ..core.events import Cancelled, Done, ErrorEvent, InterruptEvent, InterruptInfo
from ..core.ids import RunId, ThreadId, new_thread_id
from ..core.messages import Message
from ..core.requests import ChatRequest, Resume, Start
from .agent_choice import ChosenAgent, choose_agent
from .chat_view import ChatView

DONE, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 3

Ask = Callable[[str], str]
"""Reads one answer from the user (`input`, in a terminal)."""


def parser() -> argparse.ArgumentParser:
    """The options of `remi chat`."""
    cli = argparse.ArgumentParser(
        prog="remi chat", description="Talk to an agent from the terminal (a REPL, or -m once)."
    )
    cli.add_argument("agent", nargs="?", help="MODULE:ATTRIBUTE (default: the demo agent)")
    cli.add_argument("-m", "--message", help="send one message, print the answer, exit")
    cli.add_argument("--thread", help="keep the conversation under this name (in --db)")
    cli.add_argument("--db", help="the SQLite file of conversations (default "
                     "$REMI_DATA_DIR/chat.db, else ~/.local/share/remi-web/chat.db)")
    cli.add_argument("--url", help="drive a remote agent (`remi serve`) at this URL")
    cli.add_argument("--token", help="its bearer token (default REMI_API_TOKEN)")
    cli.add_argument("--model", help="the model name (default REMI_MODEL, or the mock model)")
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    """Run `remi chat`; the exit code."""
    try:
        args = parser().parse_args(list(argv) if argv is not None else None)
    except SystemExit as exit_:
        return USAGE if exit_.code else DONE
    try:
        chosen = choose_agent(args.agent, url=args.url, token=args.token, db=args.db,
                              model=args.model)
    except RemiError as error:
        print(f"remi chat: {error}", file=sys.stderr)
        return USAGE
    interactive = sys.stdin.isatty()
    try:
        return asyncio.run(_session(chosen, args, interactive))
    except KeyboardInterrupt:
        return DONE


async def _session(chosen: ChosenAgent, args: argparse.Namespace, interactive: bool) -> int:
    view = ChatView()
    view.note(f"remi chat: {chosen.about}")
    thread = ThreadId(args.thread) if args.thread else None
    try:
        if args.message is not None:
            return await exchange(chosen, view, args.message, thread, input if interactive else None)
        session = thread or new_thread_id()  # the REPL remembers within the session
        code = DONE
        while True:
            try:
                line = input(view.paint("you> ", "\x1b[1m") if view.colour else "you> ")
            except (EOFError, KeyboardInterrupt):
                view.note("")
                return code
            if not line.strip():
                continue
            if line.strip() in ("/quit", "/exit"):
                return code
            code = await exchange(chosen, view, line, session, input if interactive else None)
            if code == INTERRUPTED:
                return code
    finally:
        await chosen.aclose()


async def exchange(
    chosen: ChosenAgent, view: ChatView, text: str, thread: ThreadId | None, ask: Ask | None
) -> int:
    """One message and its answer, interrupts answered with `ask` (None: non-interactive, the
    run stays paused and the code is 3); the exit code."""
    view.begin()
    request = ChatRequest(Start([Message.user(text)]), thread_id=thread)
    while True:
        ended = await _run(chosen, view, request)
        if isinstance(ended, InterruptEvent):
            if ask is None:
                for info in ended.interrupts:
                    view.note(f"waiting for an answer: {info.kind} for {info.tool_name} "
                              f"(run {ended.run_id}, interrupt {info.interrupt_id})")
                return INTERRUPTED
            payloads: dict[str, JsonValue] = {
                info.interrupt_id: answer(info, view, ask) for info in ended.interrupts
            }
            request = ChatRequest(Resume(ended.run_id, payloads), thread_id=thread)
            continue
        view.summary()
        return DONE if isinstance(ended, Done) else FAILED


async def _run(chosen: ChosenAgent, view: ChatView, request: ChatRequest) -> object:
    """Stream one segment of a run (Ctrl+C cancels it); its last event."""
    ctx = ChatCtx()
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, ctx.cancel)
    except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
        pass
    last: object = None
    try:
        async for event in chosen.agent.chat(request, ctx):
            view.show(event)
            last = event
    except RemiError as error:
        last = ErrorEvent(error.code, str(error))
        view.show(last)
    finally:
        try:
            loop.remove_signal_handler(signal.SIGINT)
        except (NotImplementedError, RuntimeError):
            pass
    if last is None:  # cancelled before the first event
        last = Cancelled(RunId(getattr(request.input, "run_id", "")))
    return last


def answer(info: InterruptInfo, view: ChatView, ask: Ask) -> JsonValue:
    """Ask the user about one interrupt: approve, deny (with a reason) or edit the
    arguments; the resume payload."""
    payload = info.payload if isinstance(info.payload, dict) else {}
    arguments = payload.get("arguments", info.arguments)
    shown = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    view.note(f"{info.tool_name} wants to run with {shown}")
    while True:
        choice = ask("[a]pprove, [d]eny or [e]dit the arguments? ").strip().lower()
        if choice in ("a", "approve", "y", "yes"):
            return {"approved": True}
        if choice in ("d", "deny", "n", "no"):
            reason = ask("why (optional)? ").strip()
            return {"approved": False, "reason": reason} if reason else {"approved": False}
        if choice in ("e", "edit"):
            edited = ask("arguments as JSON: ").strip()
            try:
                value = json.loads(edited)
            except ValueError as error:
                view.note(f"not JSON: {error}")
                continue
            if not isinstance(value, dict):
                view.note("the arguments must be a JSON object")
                continue
            return {"approved": True, "arguments": value}
