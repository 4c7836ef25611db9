"""`remi chat` with pipes instead of a terminal: plain text (no colour codes), and exit codes
that say how the run ended."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def chat(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REMI_DATA_DIR": str(tmp_path), "OPENAI_BASE_URL": ""}
    env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "remi_web.cli.main", "chat", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=120,
    )


def test_one_answer_in_plain_text_exits_0(tmp_path: Path) -> None:
    done = chat(tmp_path, "-m", "what is 2+3*4?")
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout  # no colour when stdout is not a terminal
    lines = done.stdout.splitlines()
    assert lines[0].startswith("remi chat: the built-in mock model")
    assert "2+3*4 = 14." in lines and lines[-1].startswith("— 2 turns,")


def test_an_interrupt_without_a_terminal_exits_3_and_leaves_the_run_waiting(tmp_path: Path) -> None:
    done = chat(tmp_path, "-m", 'call save_note with {"text": "hi"}')
    assert done.returncode == 3
    assert "waiting for an answer: approval for save_note" in done.stdout


def test_a_bad_option_exits_2(tmp_path: Path) -> None:
    assert chat(tmp_path, "--no-such-option").returncode == 2
    assert chat(tmp_path, "not_a_module_xyz:agent", "-m", "hi").returncode == 2


def test_an_unreachable_remote_agent_exits_1(tmp_path: Path) -> None:
    done = chat(tmp_path, "--url", "http://127.0.0.1:9", "-m", "hi")
    assert done.returncode == 1
    assert "error" in done.stdout


def test_the_repl_reads_lines_until_the_end_of_input(tmp_path: Path) -> None:
    done = chat(tmp_path, stdin="remember kiwi\nwhat did I say?\n")
    assert done.returncode == 0, done.stderr
    assert "You first said: remember kiwi" in done.stdout  # one conversation per session


@pytest.mark.parametrize("agent", ["agent_file:agent", "agent_file:builder", "agent_file:make"])
def test_an_agent_of_your_own(tmp_path: Path, agent: str) -> None:
    (tmp_path / "agent_file.py").write_text(
        "from remi_web import AgentBuilder\n"
        "from remi_web.testing.scripted_model import ScriptedModel\n"
        "builder = AgentBuilder().model(ScriptedModel([['mine']]))\n"
        "agent = builder.build()\n"
        "def make(store):\n"
        "    return builder.store(store).build()\n"
    )
    env = {**os.environ, "REMI_DATA_DIR": str(tmp_path), "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "remi_web.cli.main", "chat", agent, "-m", "hi"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mine" in done.stdout and f"agent {agent}" in done.stdout
