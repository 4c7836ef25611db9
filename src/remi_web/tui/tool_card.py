"""`ToolCard`: one tool call: its state, arguments, progress, result and elapsed time."""

from __future__ import annotations

import json
import time

from ..core.schema_types import JsonValue
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

RESULT_CHARS = 600
"""How much of a result a card shows."""

ARGUMENT_CHARS = 300
"""How much of the arguments a card shows."""

_MARKS = {
    "preparing": "…", "running": "⚙", "awaiting approval": "?", "approved": "⚙",
    "denied": "✗", "done": "✓", "error": "✗", "stopped": "■",
}


class ToolCard(Vertical):
    """A tool call as it goes: preparing, running (or awaiting approval), done or failed.

    Args:
        call_id: the call's id.
        name: the tool's name.
    """

    def __init__(self, call_id: str, name: str) -> None:
        super().__init__(classes="tool-card")
        self.call_id = call_id
        self.tool_name = name
        self.state = "preparing"
        self.arguments = ""
        self.result = ""
        self._started: float | None = None
        self._elapsed: float | None = None
        self._ticker: Timer | None = None
        self._head = Static(markup=False, classes="tool-head")
        self._args = Static(markup=False, classes="tool-args")
        self._progress = Static(markup=False, classes="tool-progress")
        self._result = Static(markup=False, classes="tool-result")

    def compose(self) -> ComposeResult:
        """The head line, the arguments, the progress and the result."""
        self._progress.display = self._result.display = False
        yield self._head
        yield self._args
        yield self._progress
        yield self._result

    def on_mount(self) -> None:
        """Draw the head."""
        self._draw_head()

    @property
    def elapsed(self) -> float | None:
        """Seconds from ready to result (so far, while running; None before)."""
        if self._elapsed is not None:
            return self._elapsed
        return None if self._started is None else time.monotonic() - self._started

    async def attach(self, widget: Widget) -> None:
        """Show `widget` in the card above the result (a sub-agent's work)."""
        await self.mount(widget, before=self._result)

    def args_delta(self, delta: str) -> None:
        """A fragment of the arguments arrived."""
        self.arguments += delta
        self._args.update(f"{len(self.arguments)} characters of arguments…")

    def ready(self, arguments: str) -> None:
        """The call is complete and starts running."""
        self.arguments = arguments
        self._args.update(pretty_arguments(arguments))
        self._start("running")

    def waiting(self) -> None:
        """The call waits for the user's approval."""
        self._stop_clock()
        self._set("awaiting approval")

    def answered(self, approved: bool, arguments: str | None = None) -> None:
        """The user approved (possibly with edited `arguments`) or denied the call."""
        if arguments is not None:
            self.arguments = arguments
            self._args.update(pretty_arguments(arguments) + "  (edited)")
        if approved:
            self._start("approved")
        else:
            self._set("denied")

    def progress(self, data: JsonValue) -> None:
        """The running tool reported progress."""
        self._progress.display = True
        shown = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        self._progress.update(f"… {shown}")

    def finish(self, result: str, is_error: bool = False) -> None:
        """The tool's result (an error when `is_error`)."""
        self.result = result
        shown = result if len(result) <= RESULT_CHARS else result[:RESULT_CHARS] + "…"
        self._result.display = True
        self._result.update(("✗ " if is_error else "→ ") + shown)
        self._stop_clock()
        self._set("denied" if self.state == "denied" else "error" if is_error else "done")

    def recorded(self, arguments: str, result: str | None) -> None:
        """Show a call of the thread's history: its arguments and result, no timing."""
        self.arguments = arguments
        self._args.update(pretty_arguments(arguments))
        if result is None:
            self._set("stopped")
        else:
            self.finish(result)

    def stop(self) -> None:
        """The run was cancelled while the call was unfinished."""
        if self.state in ("preparing", "running", "approved", "awaiting approval"):
            self._stop_clock()
            self._set("stopped")

    def _start(self, state: str) -> None:
        self._started, self._elapsed = time.monotonic(), None
        if self._ticker is None and self.is_attached:
            self._ticker = self.set_interval(0.2, self._draw_head, name="tool-clock")
        self._set(state)

    def _stop_clock(self) -> None:
        if self._started is not None and self._elapsed is None:
            self._elapsed = time.monotonic() - self._started
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _set(self, state: str) -> None:
        self.state = state
        self.set_classes(f"tool-card state-{state.replace(' ', '-')}")
        self._draw_head()

    def _draw_head(self) -> None:
        elapsed = self.elapsed
        took = "" if elapsed is None else f" · {format_duration(elapsed)}"
        self._head.update(f"{_MARKS.get(self.state, '·')} {self.tool_name} · {self.state}{took}")


def pretty_arguments(arguments: str, limit: int = ARGUMENT_CHARS) -> str:
    """JSON arguments on one line (as given when they are not JSON), cut at `limit`."""
    try:
        shown = json.dumps(json.loads(arguments), ensure_ascii=False)
    except ValueError:
        shown = arguments
    return shown if len(shown) <= limit else shown[:limit] + "…"


def format_duration(seconds: float) -> str:
    """A duration as the cards show it: milliseconds under a second, else seconds."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
