"""`PostgresCluster`: the servers of one Postgres database hear each other through
`LISTEN`/`NOTIFY`: a run's new events (every append notifies, as it commits) and cancels.

One connection per server listens; it hands each notification to the followers of its run
(no polling). If the connection drops, it reconnects with a backoff and wakes every follower
once, since notifications sent meanwhile are lost: the readers re-read the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable

import psycopg
from psycopg import AsyncConnection

from ..core.ids import RunId

EVENTS_CHANNEL = "remi_events"
"""Payload: `<run_id> <sequence>` of a logged event."""
CANCEL_CHANNEL = "remi_cancel"
"""Payload: the run id to cancel."""

_log = logging.getLogger("remi_web.server")


class PostgresCluster:
    """What this server hears of the others on the database at `dsn`.

    Args:
        dsn: the connection string (the listener opens a connection of its own).
        retry: the longest pause between reconnection attempts, in seconds.
    """

    spans_servers = True

    def __init__(self, dsn: str, *, retry: float = 2.0) -> None:
        self.dsn = dsn
        self.retry = retry
        self._followers: defaultdict[RunId, set[_Follower]] = defaultdict(set)
        self._listener: asyncio.Task[None] | None = None
        self._listening: asyncio.Future[None] | None = None
        self._conn: AsyncConnection[object] | None = None
        self._on_cancel: Callable[[RunId], None] = lambda run_id: None

    async def start(self, on_cancel: Callable[[RunId], None]) -> None:
        """Listen from now on (returns once listening, or raises if the first connection fails)."""
        self._on_cancel = on_cancel
        if self._listener is None:
            self._listening = asyncio.get_running_loop().create_future()
            self._listener = asyncio.create_task(self._listen())
            await asyncio.shield(self._listening)

    def follow(self, run_id: RunId) -> _Follower:
        """Be woken when `run_id` logs new events."""
        follower = _Follower(self, run_id)
        self._followers[run_id].add(follower)
        return follower

    async def send_cancel(self, run_id: RunId) -> None:
        """Tell every server (this one included) to cancel `run_id` where it streams."""
        async with await AsyncConnection.connect(self.dsn, autocommit=True) as conn:
            await conn.execute("SELECT pg_notify(%s, %s)", (CANCEL_CHANNEL, run_id))

    async def close(self) -> None:
        """Stop listening."""
        task, self._listener = self._listener, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _unfollow(self, follower: _Follower) -> None:
        followers = self._followers.get(follower.run_id)
        if followers is not None:
            followers.discard(follower)
            if not followers:
                del self._followers[follower.run_id]

    async def _listen(self) -> None:
        pause = 0.05
        while True:
            try:
                async with await AsyncConnection.connect(self.dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {EVENTS_CHANNEL}")
                    await conn.execute(f"LISTEN {CANCEL_CHANNEL}")
                    if self._listening is not None and not self._listening.done():
                        self._listening.set_result(None)
                    else:
                        self._wake_all()  # back after a drop: what was missed is in the log
                    pause = 0.05
                    async for notice in conn.notifies():
                        self._heard(notice.channel, notice.payload)
            except (psycopg.Error, OSError) as error:
                if self._listening is not None and not self._listening.done():
                    self._listening.set_exception(error)
                    return
                _log.warning("lost the Postgres listener (%s); reconnecting", error)
                self._wake_all()
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.retry)

    def _heard(self, channel: str, payload: str) -> None:
        if channel == CANCEL_CHANNEL:
            self._on_cancel(RunId(payload))
            return
        run_id = RunId(payload.rpartition(" ")[0])
        for follower in tuple(self._followers.get(run_id, ())):
            follower.wake()

    def _wake_all(self) -> None:
        for followers in tuple(self._followers.values()):
            for follower in tuple(followers):
                follower.wake()


class _Follower:
    """One reader's subscription to a run's notifications."""

    def __init__(self, cluster: PostgresCluster, run_id: RunId) -> None:
        self._cluster = cluster
        self.run_id = run_id
        self._news = asyncio.Event()

    def wake(self) -> None:
        self._news.set()

    async def _wait_news(self) -> None:
        await self._news.wait()

    async def wait(self, gone: asyncio.Future[None], timeout: float) -> bool:
        """Wait for news of the run, or `gone`; False if `timeout` passed first."""
        if not self._news.is_set():
            news: asyncio.Future[None] = asyncio.ensure_future(self._wait_news())
            try:
                done, _ = await asyncio.wait(
                    {news, gone}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                news.cancel()
            if not done:
                return False
        self._news.clear()
        return True

    def close(self) -> None:
        """Stop following; safe to call twice."""
        self._cluster._unfollow(self)
