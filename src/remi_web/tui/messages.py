"""The simple parts of the message list: the user's messages, notices, and thinking."""

from __future__ import annotations

from typing import Any

from textual.widgets import Collapsible, Static

from .stream import StreamedMarkdown


class UserMessage(Static):
    """A message the user sent."""

    def __init__(self, text: str) -> None:
        super().__init__(f"❯ {text}", markup=False, classes="user-message")
        self.text = text


class Notice(Static):
    """A line of the app's own: `kind` is "info", "done", "warning" or "error"."""

    def __init__(self, text: str, kind: str = "info") -> None:
        super().__init__(text, markup=False, classes=f"notice notice-{kind}")
        self.text = text


class Fold(Collapsible):
    """A collapsible section that folds itself (`fold_quietly`) without scrolling the message
    list to it, so the list stays at its end."""

    _quiet = False

    def fold_quietly(self) -> None:
        """Fold, leaving the scroll position alone."""
        if not self.collapsed:
            self._quiet = True
            self.collapsed = True

    def scroll_visible(self, *args: Any, **kwargs: Any) -> None:
        """Scroll to the section, unless it just folded itself."""
        if self._quiet:
            self._quiet = False
            return
        super().scroll_visible(*args, **kwargs)


class ThinkingBlock(Fold):
    """The model's reasoning: open while it streams, folded once the answer starts."""

    def __init__(self) -> None:
        self.body = StreamedMarkdown(classes="thinking-text")
        super().__init__(self.body, title="Thinking", collapsed=False, classes="thinking")

    def feed(self, text: str) -> None:
        """More reasoning."""
        self.body.feed(text)

    async def fold(self) -> None:
        """The reasoning ended: show it all, then fold it away."""
        await self.body.settle()
        self.fold_quietly()
