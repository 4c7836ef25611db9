"""`StatusBar`: the model, the thread, the turn, the tokens and the elapsed time."""

from __future__ import annotations

import time

from textual.timer import Timer
from textual.widgets import Static

from ..core.usage import Usage


class StatusBar(Static):
    """One line at the bottom; the clock ticks while a run goes.

    Args:
        model: the model's name.
        thread: the current thread.
    """

    def __init__(self, model: str, thread: str) -> None:
        super().__init__(markup=False, id="status")
        self.model = model
        self.thread = thread
        self.turn = 0
        self.usage = Usage()
        self.state = "ready"
        self._started: float | None = None
        self._elapsed = 0.0
        self._ticker: Timer | None = None

    def on_mount(self) -> None:
        """Draw the line."""
        self.draw()

    @property
    def elapsed(self) -> float:
        """Seconds of the current (or last) exchange."""
        if self._started is not None:
            return time.monotonic() - self._started
        return self._elapsed

    def begin(self) -> None:
        """An exchange starts: reset the turn, tokens and clock."""
        self.turn, self.usage, self.state = 0, Usage(), "running"
        self._started = time.monotonic()
        if self._ticker is None:
            self._ticker = self.set_interval(0.5, self.draw, name="status-clock")
        self.draw()

    def end(self, state: str) -> None:
        """The exchange ended (`state`: done, cancelled, failed, paused)."""
        self._elapsed = self.elapsed
        self._started = None
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.state = state
        self.draw()

    def add_usage(self, usage: Usage) -> None:
        """Count one model call's tokens."""
        self.usage = self.usage + usage
        self.draw()

    def set(self, *, model: str | None = None, thread: str | None = None,
            turn: int | None = None, state: str | None = None) -> None:
        """Change some of the fields and redraw."""
        self.model = self.model if model is None else model
        self.thread = self.thread if thread is None else thread
        self.turn = self.turn if turn is None else turn
        self.state = self.state if state is None else state
        self.draw()

    def line(self) -> str:
        """The text of the bar."""
        tokens = f"{self.usage.prompt_tokens} in / {self.usage.completion_tokens} out tokens"
        return (f" {self.model} │ thread {self.thread} │ turn {self.turn} │ {tokens} │ "
                f"{self.elapsed:.1f} s │ {self.state}")

    def draw(self) -> None:
        """Redraw the line."""
        self.update(self.line())
