"""How `remi chat` shows a run: streamed text, dimmed thinking, tool calls and results with
their timings, a usage line. Colour only on a terminal (and never with `NO_COLOR`)."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TextIO

from ..core.content import content_text
from ..core.events import (
    AgentEvent,
    Cancelled,
    Custom,
    Done,
    ErrorEvent,
    InterruptEvent,
    NeedToolExecution,
    SubSession,
    TextDelta,
    ThinkingDelta,
    ToolCallReady,
    ToolProgress,
    ToolResult,
    TurnStart,
    UsageEvent,
)
from ..core.usage import Usage
from ..deep.todos import plan_of

_DIM, _BOLD, _CYAN, _GREEN, _RED, _YELLOW, _RESET = (
    "\x1b[2m", "\x1b[1m", "\x1b[36m", "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[0m"
)
RESULT_CHARS = 300
QUIET_TOOLS = frozenset({"write_todos"})


def use_colour(stream: TextIO) -> bool:
    """Whether to colour `stream`: a terminal, and `NO_COLOR` unset."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


class ChatView:
    """Prints the events of runs to `out`.

    Args:
        out: where to print (stdout).
        colour: whether to use ANSI colours.
    """

    def __init__(self, out: TextIO = sys.stdout, colour: bool | None = None) -> None:
        self.out = out
        self.colour = use_colour(out) if colour is None else colour
        self.usage = Usage()
        self.turns = 0
        self._started = time.monotonic()
        self._calls: dict[str, float] = {}
        self._line_open = False
        self._thinking = False

    def paint(self, text: str, style: str) -> str:
        """`text` in `style` (when colouring)."""
        return f"{style}{text}{_RESET}" if self.colour else text

    def begin(self) -> None:
        """A new exchange: reset the timers and counters."""
        self.usage, self.turns, self._started = Usage(), 0, time.monotonic()

    def show(self, event: AgentEvent) -> None:
        """Print one event."""
        if isinstance(event, TextDelta):
            self._end_thinking()
            self._write(event.text)
        elif isinstance(event, ThinkingDelta):
            if not self._thinking:
                self._newline()
                self._thinking = True
            self._write(self.paint(event.text, _DIM))
        elif isinstance(event, TurnStart):
            self.turns = event.turn
        elif isinstance(event, ToolCallReady | ToolResult) and event.name in QUIET_TOOLS:
            pass  # the plan itself is shown, from its `todo` event
        elif isinstance(event, ToolCallReady):
            self._end_thinking()
            self._calls[event.call_id] = time.monotonic()
            self._line(self.paint(f"→ {event.name}({_compact(event.arguments)})", _CYAN))
        elif isinstance(event, ToolProgress):
            self._line(self.paint(f"  … {event.name}: {json.dumps(event.data)}", _DIM))
        elif isinstance(event, ToolResult):
            took = time.monotonic() - self._calls.pop(event.call_id, time.monotonic())
            text = content_text(event.content)
            shown = text if len(text) <= RESULT_CHARS else text[:RESULT_CHARS] + "…"
            mark, style = ("✗", _RED) if event.is_error else ("←", _GREEN)
            self._line(self.paint(f"{mark} {event.name}: {shown} ({took * 1000:.0f} ms)", style))
        elif isinstance(event, UsageEvent):
            self.usage = self.usage + event.usage
        elif isinstance(event, Custom) and event.name == "todo":
            self._plan(event)
        elif isinstance(event, SubSession) and isinstance(event.event, dict):
            if event.event.get("type") == "done":
                self._line(self.paint(f"  [{event.agent_name} finished]", _DIM))
        elif isinstance(event, ErrorEvent):
            self._line(self.paint(f"error ({event.code}): {event.message}", _RED))
        elif isinstance(event, Cancelled):
            self._line(self.paint("cancelled", _YELLOW))
        elif isinstance(event, NeedToolExecution):
            names = ", ".join(call.name for call in event.calls)
            self._line(self.paint(f"the agent waits for tool results: {names}", _YELLOW))
        elif isinstance(event, Done | InterruptEvent):
            self._newline()

    def summary(self) -> None:
        """The usage line of the exchange."""
        took = time.monotonic() - self._started
        turns = f"{self.turns} turn{'s' if self.turns != 1 else ''}"
        line = (f"{turns}, {self.usage.prompt_tokens} in / {self.usage.completion_tokens} out "
                f"tokens, {took:.1f} s")
        self._line(self.paint(f"— {line}", _DIM))

    def note(self, text: str) -> None:
        """A line of the command's own (dimmed)."""
        self._line(self.paint(text, _DIM))

    def _plan(self, event: Custom) -> None:
        for todo in plan_of(event):
            self._line(self.paint(f"  {todo.line()}", _DIM))

    def _end_thinking(self) -> None:
        if self._thinking:
            self._thinking = False
            self._newline()

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
        self._line_open = not text.endswith("\n")

    def _newline(self) -> None:
        if self._line_open:
            self._write("\n")

    def _line(self, text: str) -> None:
        self._newline()
        self._write(text + "\n")


def _compact(arguments: str) -> str:
    try:
        return json.dumps(json.loads(arguments), ensure_ascii=False)
    except ValueError:
        return arguments
