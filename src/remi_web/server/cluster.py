"""What one server process hears of the others serving the same database: new events of
runs streamed elsewhere (so a reader here can tail them), and cancels (so a cancel sent to
any server stops the run where it streams). One server alone hears nothing: `SingleServer`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from ..core.ids import RunId


class Follower(Protocol):
    """Wakes its reader when the followed run logs new events (on any server)."""

    async def wait(self, gone: asyncio.Future[None], timeout: float) -> bool:
        """Wait for news of the run, or `gone`; False if `timeout` passed first. News may be
        spurious (after a lost connection): the reader re-reads the log either way."""
        ...

    def close(self) -> None:
        """Stop following; safe to call twice."""
        ...


class Cluster(Protocol):
    """The other server processes of this deployment, as far as this one can hear them."""

    spans_servers: bool
    """Whether other processes may stream runs of this database (a run not live here may be
    live elsewhere)."""

    async def start(self, on_cancel: Callable[[RunId], None]) -> None:
        """Start listening; `on_cancel(run_id)` is called for every cancel sent by any
        server (this one included)."""
        ...

    def follow(self, run_id: RunId) -> Follower:
        """Be woken when `run_id` logs new events."""
        ...

    async def send_cancel(self, run_id: RunId) -> None:
        """Ask whichever server streams `run_id` to cancel it."""
        ...

    async def close(self) -> None:
        """Stop listening."""
        ...


class SingleServer:
    """The cluster of a server alone on its database (SQLite): nothing to hear."""

    spans_servers = False

    async def start(self, on_cancel: Callable[[RunId], None]) -> None:
        """Nothing to listen to."""

    def follow(self, run_id: RunId) -> Follower:
        """A follower that is never woken (the run's events are all local)."""
        return _Silent()

    async def send_cancel(self, run_id: RunId) -> None:
        """Nobody else to tell."""

    async def close(self) -> None:
        """Nothing to stop."""


class _Silent:
    async def wait(self, gone: asyncio.Future[None], timeout: float) -> bool:
        try:
            await asyncio.wait_for(asyncio.shield(gone), timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        pass
