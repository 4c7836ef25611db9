"""`TmuxSession`: a command in a real terminal (tmux), driven with `send-keys` and read with
`capture-pane`, for the end-to-end tests of the terminal commands."""

from __future__ import annotations

import shlex
import subprocess
import time
import uuid
from collections.abc import Mapping


class TmuxSession:
    """`command` running in a detached tmux session of `width` x `height`.

    Args:
        command: the shell command line.
        env: environment variables set for it.
        width, height: the terminal's size.
    """

    def __init__(
        self, command: str, env: Mapping[str, str] | None = None, width: int = 120, height: int = 40
    ) -> None:
        self.name = f"remi-test-{uuid.uuid4().hex[:8]}"
        exports = "".join(f"export {key}={shlex.quote(value)}; " for key, value in (env or {}).items())
        line = f"{exports}{command}; echo '[exit '$?']'; sleep 600"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), line],
            check=True,
        )

    def send(self, *keys: str) -> None:
        """Type `keys` (tmux key names such as "Enter" or "C-c", or literal text)."""
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def type(self, text: str) -> None:
        """Type `text` literally, then Enter."""
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)
        self.send("Enter")

    def screen(self) -> str:
        """What the terminal shows now (with the scrollback)."""
        done = subprocess.run(
            ["tmux", "capture-pane", "-p", "-J", "-S", "-2000", "-t", self.name],
            capture_output=True, text=True, check=True,
        )
        return done.stdout

    def wait_for(self, text: str, timeout: float = 30.0, after: int = 0) -> str:
        """The screen once `text` shows (at or past character `after`); AssertionError with
        the screen if it does not within `timeout` seconds (bounded polling)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen[after:]:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never showed; the screen:\n{screen}")
            time.sleep(0.1)

    def kill(self) -> None:
        """End the session; safe to call twice."""
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True, check=False)
