"""Let a cancellation token interrupt an await on I/O at once, and nothing else."""

from __future__ import annotations

import asyncio

from .cancel import CancellationToken


class Aborted(Exception):
    """The token was cancelled during I/O; the owner stops quietly."""


class IoGuard:
    """Watches a token on behalf of the task awaiting the network.

    The owner calls `enter()` before each await on the network and sets `in_io` back to
    False after it. If the token is cancelled during such an await (from another task or a
    callback), that task is cancelled there; `absorb()` then undoes the cancellation so the
    owner can stop quietly. Cancelled at any other moment, only `cancelled` turns true and
    the owner checks it.
    """

    __slots__ = ("_loop", "_task", "_undo", "_interrupted", "in_io", "cancelled")

    def __init__(self, token: CancellationToken) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[object] | None = None
        self._interrupted = False
        self.in_io = False
        self.cancelled = False
        self._undo = token.on_cancel(self._on_cancel)

    def enter(self) -> None:
        """An await on the network begins in the current task."""
        # Given the loop, `current_task` skips `get_running_loop()`, which makes a `getpid()`
        # system call on CPython 3.11: this runs once per network read.
        task = None if self._loop is None else asyncio.current_task(self._loop)
        if task is None:  # the first call, or the guard moved to another loop
            self._loop = asyncio.get_running_loop()
            task = asyncio.current_task(self._loop)
        self._task = task
        self.in_io = True

    def _on_cancel(self) -> None:
        self.cancelled = True
        task = self._task
        if not self.in_io or task is None or task.done():
            return
        try:
            current = asyncio.current_task()
        except RuntimeError:  # cancelled from outside any event loop
            current = None
        if task is not current:
            self._interrupted = True
            task.cancel()

    def absorb(self) -> bool:
        """After a `CancelledError`: whether it was ours (now undone) rather than a real one."""
        if not self._interrupted:
            return False
        self._interrupted = False
        task = self._task
        return task is None or task.uncancel() == 0

    def close(self) -> None:
        """Stop watching the token."""
        self._undo()
