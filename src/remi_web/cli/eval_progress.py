"""The progress bar of `remi eval` on stderr: redrawn in place on a terminal, a line per tenth
of the runs otherwise (a log or a pipe), and never on stdout (where the table goes)."""

from __future__ import annotations

from typing import TextIO

from ..evals.run_result import RunResult

BAR_WIDTH = 30
STEPS = 10
"""Lines written over a whole evaluation when the stream is not a terminal."""


class ProgressBar:
    """Counts finished runs and shows `eval [#####.....] 12/40 runs, 1 error`.

    Args:
        total: the runs to expect.
        stream: where to write (stderr).
        live: redraw one line in place (a terminal); by default, whether `stream` is one.
    """

    def __init__(self, total: int, stream: TextIO, *, live: bool | None = None) -> None:
        self.total = total
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self.done = 0
        self.ends: dict[str, int] = {}
        self._shown_step = -1

    def start(self) -> None:
        """Show the empty bar."""
        self._show()

    def advance(self, result: RunResult) -> None:
        """Count one finished run (the runner's `on_result`)."""
        self.done += 1
        self.ends[result.end] = self.ends.get(result.end, 0) + 1
        self._show()

    def finish(self) -> None:
        """End the line of a live bar."""
        if self.live:
            self.stream.write("\n")
            self.stream.flush()

    def line(self) -> str:
        """The bar as text."""
        filled = BAR_WIDTH * self.done // self.total if self.total else BAR_WIDTH
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        text = f"eval [{bar}] {self.done}/{self.total} runs"
        notes = [
            f"{count} {end.replace('_', ' ')}" for end, count in sorted(self.ends.items())
            if end != "done"
        ]
        return text + (", " + ", ".join(notes) if notes else "")

    def _show(self) -> None:
        if self.live:
            self.stream.write("\r" + self.line())
            self.stream.flush()
            return
        step = STEPS * self.done // self.total if self.total else STEPS
        if step != self._shown_step:
            self._shown_step = step
            self.stream.write(self.line() + "\n")
            self.stream.flush()
