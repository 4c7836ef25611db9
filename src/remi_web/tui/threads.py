"""`ThreadList`: the conversations kept in the store; Enter opens one, Delete deletes it, n
starts a new one."""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, ListItem, ListView


class ThreadItem(ListItem):
    """One thread of the list."""

    def __init__(self, thread: str, current: bool) -> None:
        super().__init__(Label(("● " if current else "  ") + thread, markup=False))
        self.thread = thread


class ThreadList(Vertical):
    """The threads panel (hidden until `/threads` or Ctrl+T)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,d", "delete", "Delete thread"),
        Binding("n", "new", "New thread"),
        Binding("escape", "close", "Close"),
    ]

    class Open(Message):
        """The user chose a thread."""

        def __init__(self, thread: str) -> None:
            super().__init__()
            self.thread = thread

    class Delete(Message):
        """The user deletes a thread."""

        def __init__(self, thread: str) -> None:
            super().__init__()
            self.thread = thread

    class New(Message):
        """The user starts a new thread."""

    def __init__(self) -> None:
        super().__init__(id="threads")
        self.threads: list[str] = []

    def compose(self) -> ComposeResult:
        """A title and the list."""
        yield Label("Threads\nEnter open · d delete\nn new · Esc close", classes="panel-title")
        yield ListView(id="thread-items")

    async def show_threads(self, threads: list[str], current: str) -> None:
        """List `threads`, marking (and highlighting) `current`."""
        self.threads = list(threads)
        items = self.query_one(ListView)
        await items.clear()
        await items.extend(ThreadItem(t, t == current) for t in threads)
        if current in threads:
            items.index = threads.index(current)

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        """Enter on a thread opens it."""
        if isinstance(event.item, ThreadItem):
            self.post_message(self.Open(event.item.thread))

    def action_delete(self) -> None:
        """Delete the highlighted thread."""
        item = self.query_one(ListView).highlighted_child
        if isinstance(item, ThreadItem):
            self.post_message(self.Delete(item.thread))

    def action_new(self) -> None:
        """Start a new thread."""
        self.post_message(self.New())

    def action_close(self) -> None:
        """Hide the panel."""
        self.display = False
        self.app.set_focus(None)


_SUB_RUN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.")


def is_conversation(thread: str) -> bool:
    """Whether a stored thread is a conversation (not a deep agent's sub-run, whose thread id
    is `<run id>.<call id>`)."""
    return _SUB_RUN.match(thread) is None


def new_thread_name(taken: Collection[str] = ()) -> str:
    """A fresh thread name from the date and time (`chat-2025-01-31-1405`), not in `taken`."""
    base = time.strftime("chat-%Y-%m-%d-%H%M%S")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name
