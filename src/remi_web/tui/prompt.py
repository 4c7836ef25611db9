"""`PromptInput`: the message line, with the history on the up and down arrows."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

from .history import InputHistory


class PromptInput(Input):
    """Where the user types messages and slash commands."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history_previous", "Previous input", show=False),
        Binding("down", "history_next", "Next input", show=False),
    ]

    def __init__(self, history: InputHistory | None = None) -> None:
        super().__init__(placeholder="Message, or /help", id="prompt")
        self.history = history or InputHistory()

    def action_history_previous(self) -> None:
        """Show the input before."""
        self._show(self.history.previous(self.value))

    def action_history_next(self) -> None:
        """Show the input after (the draft past the newest)."""
        self._show(self.history.next())

    def _show(self, text: str | None) -> None:
        if text is not None:
            self.value = text
            self.cursor_position = len(text)
