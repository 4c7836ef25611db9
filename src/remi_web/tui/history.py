"""`InputHistory`: the messages sent, walked with the up and down arrows."""

from __future__ import annotations


class InputHistory:
    """Past inputs, oldest first, and a cursor into them.

    Args:
        limit: how many inputs to keep.
    """

    def __init__(self, limit: int = 500) -> None:
        self.limit = limit
        self.entries: list[str] = []
        self._position = 0
        self._draft = ""

    def add(self, text: str) -> None:
        """Remember `text` (not twice in a row) and put the cursor after the newest."""
        if text and (not self.entries or self.entries[-1] != text):
            self.entries.append(text)
            del self.entries[: -self.limit]
        self._position = len(self.entries)
        self._draft = ""

    def previous(self, current: str) -> str | None:
        """The input before the cursor (None at the oldest); `current` is kept as the draft
        the first time."""
        if self._position == 0:
            return None
        if self._position == len(self.entries):
            self._draft = current
        self._position -= 1
        return self.entries[self._position]

    def next(self) -> str | None:
        """The input after the cursor, the draft past the newest (None when already there)."""
        if self._position >= len(self.entries):
            return None
        self._position += 1
        return self.entries[self._position] if self._position < len(self.entries) else self._draft
