"""`StreamedMarkdown`: a Markdown widget fed token by token that redraws at most 30 times a
second, so a fast stream costs a few appends a frame instead of one per token."""

from __future__ import annotations

import asyncio
import time

from textual.timer import Timer
from textual.widgets import Markdown

FRAME = 1 / 30
"""The shortest time between two appends (seconds)."""


class StreamedMarkdown(Markdown):
    """Markdown that grows by `feed(text)`; pending text is appended once a frame, and
    `settle()` appends what is left at once."""

    def __init__(self, markdown: str = "", *, classes: str | None = None) -> None:
        super().__init__(markdown, classes=classes)
        self._pending: list[str] = []
        self._next_at = 0.0
        self._timer: Timer | None = None
        self._flush_task: asyncio.Task[None] | None = None

    @property
    def text(self) -> str:
        """Everything fed so far (shown or still pending)."""
        return self.source + "".join(self._pending)

    def feed(self, text: str) -> None:
        """Add `text` to the document (drawn within a frame)."""
        if text:
            self._pending.append(text)
            self._kick()

    async def settle(self) -> None:
        """Append every pending piece now and wait until it is in the document."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        while self._flush_task is not None:
            await self._flush_task
        if self._pending and self.is_attached:
            await self._append_pending()

    def _kick(self) -> None:
        if self._flush_task is not None or self._timer is not None or not self._pending:
            return
        wait = self._next_at - time.monotonic()
        if wait > 0:
            self._timer = self.set_timer(wait, self._on_timer, name="markdown-frame")
        else:
            self._flush_task = asyncio.create_task(self._run())

    def _on_timer(self) -> None:
        self._timer = None
        self._kick()

    async def _run(self) -> None:
        try:
            if self.is_attached:
                await self._append_pending()
        finally:
            self._flush_task = None
        self._kick()

    async def _append_pending(self) -> None:
        chunk = "".join(self._pending)
        self._pending.clear()
        self._next_at = time.monotonic() + FRAME
        await self.append(chunk)
