"""`remi chat` end to end in a real terminal (tmux) on the built-in mock model: a tool call
and its answer, an approval answered and the same run resumed, a thread remembered across
invocations, Ctrl+C stopping a long stream."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmux_session import TmuxSession

CHAT = f"{sys.executable} -m remi_web.cli.main chat"


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[list[TmuxSession]]:
    sessions: list[TmuxSession] = []
    yield sessions
    for session in sessions:
        session.kill()


def start(terminal: list[TmuxSession], tmp_path: Path, command: str, **env: str) -> TmuxSession:
    session = TmuxSession(command, {"REMI_DATA_DIR": str(tmp_path), "OPENAI_BASE_URL": "", **env})
    terminal.append(session)
    return session


def test_a_calculator_question_shows_the_tool_and_the_answer(
    terminal: list[TmuxSession], tmp_path: Path
) -> None:
    chat = start(terminal, tmp_path, CHAT)
    chat.wait_for("you>")
    chat.type("what is 2+3*4?")
    screen = chat.wait_for("2+3*4 = 14.")
    assert "built-in mock model" in screen
    assert '→ calculator({"expression": "2+3*4"})' in screen
    assert "← calculator: 14 (" in screen


def test_an_approval_resumes_the_same_run(terminal: list[TmuxSession], tmp_path: Path) -> None:
    chat = start(terminal, tmp_path, f"{CHAT} --thread notes")
    chat.wait_for("you>")
    chat.type('call save_note with {"text": "hi"}')
    chat.wait_for("[a]pprove, [d]eny or [e]dit")
    assert 'save_note wants to run with {"text": "hi"}' in chat.screen()
    chat.type("a")
    screen = chat.wait_for("save_note returned Saved note: hi.")
    assert "← save_note: Saved note: hi" in screen

    async def runs_of_the_thread() -> set[str]:
        from remi_web.stores.sqlite import SQLiteStore

        async with SQLiteStore(tmp_path / "chat.db") as store:
            return {cp.run_id for cp in await store.list_checkpoints("notes")}  # type: ignore[arg-type]

    assert len(asyncio.run(runs_of_the_thread())) == 1  # paused and resumed: one run


def test_an_edited_approval_runs_with_the_new_arguments(
    terminal: list[TmuxSession], tmp_path: Path
) -> None:
    chat = start(terminal, tmp_path, CHAT)
    chat.wait_for("you>")
    chat.type('call save_note with {"text": "hi"}')
    chat.wait_for("[a]pprove, [d]eny or [e]dit")
    chat.type("e")
    chat.wait_for("arguments as JSON:")
    chat.type('{"text": "edited"}')
    assert "← save_note: Saved note: edited" in chat.wait_for("Saved note: edited.")


def test_a_thread_is_remembered_by_the_next_invocation(
    terminal: list[TmuxSession], tmp_path: Path
) -> None:
    first = f"{CHAT} --thread t1 -m 'remember the word kiwi'"
    second = f"{CHAT} --thread t1 -m 'what did I say?'"
    chat = start(terminal, tmp_path, f"{first} && {second}")
    screen = chat.wait_for("[exit 0]")
    assert "You first said: remember the word kiwi" in screen


def test_ctrl_c_stops_a_long_stream_and_the_chat_goes_on(
    terminal: list[TmuxSession], tmp_path: Path
) -> None:
    chat = start(terminal, tmp_path, CHAT, REMI_MOCK_TPS="50")
    chat.wait_for("you>")
    chat.type("count to 2000")
    chat.wait_for("20 21 22")
    chat.send("C-c")
    screen = chat.wait_for("cancelled")
    assert "1999 2000" not in screen
    chat.type("what is 1+1?")
    assert "1+1 = 2." in chat.wait_for("1+1 = 2.")
