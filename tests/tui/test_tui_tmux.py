"""`remi tui` end to end in a real terminal: tmux runs it against the built-in mock model,
keys go in with `send-keys`, the screen comes back with `capture-pane`.

Each test has its own tmux server (`-L`), its own home and data directory, and kills the
server at the end."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("textual")

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (scripts/setup.sh)")
UNSET = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "REMI_MODEL", "REMI_CONFIG", "REMI_API_TOKEN",
         "COLUMNS", "LINES", "NO_COLOR", "TEXTUAL")


class Terminal:
    """`remi tui` in a 120x40 tmux pane of a private tmux server."""

    def __init__(self, home: Path, environ: dict[str, str]) -> None:
        self.home = home
        self.socket = f"remi-tui-{uuid.uuid4().hex[:10]}"
        self.session = "tui"
        variables = {"HOME": str(home), "REMI_DATA_DIR": str(home), "XDG_DATA_HOME": str(home),
                     "TERM": "xterm-256color", "COLORTERM": "truecolor", **environ}
        unset = " ".join(f"-u {name}" for name in UNSET)
        assigned = " ".join(f"{k}={shlex.quote(v)}" for k, v in variables.items())
        command = (f"cd {shlex.quote(str(home))} && exec env {unset} {assigned} "
                   f"{shlex.quote(sys.executable)} -m remi_web.cli.main tui "
                   f"--db {shlex.quote(str(home / 'chat.db'))}")
        self.tmux("start-server", ";", "set-option", "-g", "default-size", "120x40", ";",
                  "new-session", "-d", "-s", self.session, "-x", "120", "-y", "40", command)

    def tmux(self, *args: str) -> str:
        """Run a tmux command on this test's server."""
        assert TMUX is not None
        done = subprocess.run([TMUX, "-L", self.socket, "-f", os.devnull, *args],
                              capture_output=True, text=True, timeout=20, check=True)
        return done.stdout

    def screen(self) -> str:
        """The pane's text now."""
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def type(self, text: str) -> None:
        """Type `text` and press Enter."""
        self.tmux("send-keys", "-t", self.session, "-l", text)
        self.tmux("send-keys", "-t", self.session, "Enter")

    def key(self, key: str) -> None:
        """Press one key (tmux names: `C-c`, `y`...)."""
        self.tmux("send-keys", "-t", self.session, key)

    def wait(self, check: Callable[[str], object], seconds: float = 30.0) -> str:
        """The screen, once `check(screen)` is true (fails after `seconds`)."""
        deadline = time.monotonic() + seconds
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out after {seconds} s; the screen:\n{screen}")

    def close(self) -> None:
        """Kill this test's tmux server (and the app in it)."""
        try:
            self.tmux("kill-server")
        except subprocess.CalledProcessError:
            pass


def counted(screen: str) -> int:
    """The highest number of "count to N" on the screen."""
    runs = re.findall(r"^\s*((?:\d+ )+\d+)\s*$", screen, re.M)
    return max((int(n) for line in runs for n in line.split()), default=0)


@pytest.fixture
def terminal(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Terminal]:
    """`remi tui` started in tmux, ready for input; an indirect parameter adds environment
    variables (`{"REMI_MOCK_TPS": "100"}` paces the mock model)."""
    environ: dict[str, str] = getattr(request, "param", {})
    term = Terminal(tmp_path, environ)
    try:
        term.wait(lambda s: "Type a message" in s, 60)
        yield term
    finally:
        term.close()


def test_the_calculator_question_shows_the_tool_and_14(terminal: Terminal) -> None:
    terminal.type("what is 2+3*4")
    screen = terminal.wait(lambda s: "2+3*4 = 14." in s and "│ done" in s)
    assert "calculator · done" in screen
    assert '{"expression": "2+3*4"}' in screen
    assert "→ 14" in screen
    assert "mock │ thread" in screen and "turn 2" in screen


def test_an_approved_call_ends_with_its_result_in_the_same_run(terminal: Terminal) -> None:
    terminal.type('call save_note with {"text": "hi"}')
    screen = terminal.wait(lambda s: "Approve save_note?" in s)
    assert '"text": "hi"' in screen and "waiting for approval" in screen
    terminal.key("y")
    screen = terminal.wait(lambda s: "save_note returned Saved note: hi." in s and "│ done" in s)
    assert "→ Saved note: hi" in screen and "Approve save_note?" not in screen
    paused = re.search(r"run (\w{8}) paused: save_note waits for approval", screen)
    ended = re.search(r"— run (\w{8}) ·", screen)
    assert paused and ended and paused.group(1) == ended.group(1)


@pytest.mark.parametrize("terminal", [{"REMI_MOCK_TPS": "100"}], indirect=True)
def test_ctrl_c_stops_a_long_stream_and_the_app_goes_on(terminal: Terminal) -> None:
    terminal.type("count to 5000")
    terminal.wait(lambda s: re.search(r"\b30 31 32\b", s) and "│ running" in s)
    terminal.key("C-c")
    stopped = re.compile(r"^\s*cancelled\s*$", re.M)
    screen = terminal.wait(lambda s: "│ cancelled" in s and stopped.search(s))
    reached = counted(screen)
    assert 32 <= reached < 5000
    time.sleep(0.5)
    assert counted(terminal.screen()) == reached  # the stream stays stopped
    terminal.type("hello")
    terminal.wait(lambda s: "You said: hello" in s and "│ done" in s)
