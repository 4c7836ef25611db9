"""A cancellation token tree: no threads, callbacks run on the event loop that cancels."""

from __future__ import annotations

from collections.abc import Callable


class CancellationToken:
    """Cancelled once and for all; cancelling a token cancels its children, not its parent."""

    __slots__ = ("_cancelled", "_callbacks", "_children")

    def __init__(self) -> None:
        self._cancelled = False
        self._callbacks: list[Callable[[], None]] = []
        self._children: list[CancellationToken] = []

    @property
    def cancelled(self) -> bool:
        """Whether `cancel()` was called on this token or an ancestor."""
        return self._cancelled

    def cancel(self) -> None:
        """Cancel this token and its children; idempotent."""
        if self._cancelled:
            return
        self._cancelled = True
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()
        for child in self._children:
            child.cancel()

    def child(self) -> CancellationToken:
        """A token cancelled with this one (and born cancelled if this one is)."""
        token = CancellationToken()
        if self._cancelled:
            token._cancelled = True
        else:
            self._children.append(token)
        return token

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` on cancellation (at once if already cancelled); returns an undo."""
        if self._cancelled:
            callback()
            return _noop
        self._callbacks.append(callback)

        def remove() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return remove


def _noop() -> None:
    return None
