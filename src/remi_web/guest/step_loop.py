"""`StepLoop`: an asyncio event loop that runs only when told to, and never blocks.

Inside a component the guest cannot block waiting for the host: the host calls in, the guest
does what it can, and returns. `StepLoop` gives the core's asyncio code (tasks, queues,
`gather`, cancellation) a loop that works that way: `run_until(done)` runs ready callbacks and
due timers until `done()` holds or nothing is ready, then returns. No threads, no selector,
no sleeping: a pending timer is reported by `next_timer()` for the host to wait on.
"""

from __future__ import annotations

import asyncio
import heapq
import threading
import time
from asyncio import events
from collections import deque
from collections.abc import Callable


class StepLoop(asyncio.BaseEventLoop):
    """A thread-free, non-blocking event loop driven step by step.

    Args:
        clock: seconds on a monotonic clock (the loop's `time()`, used for timers).
    """

    # Set by `BaseEventLoop.__init__`; declared here because typeshed leaves them out.
    _ready: deque[asyncio.Handle]
    _scheduled: list[asyncio.TimerHandle]
    _thread_id: int | None

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._step_clock = clock

    def time(self) -> float:
        """The loop's clock."""
        return self._step_clock()

    def run_until(self, done: Callable[[], bool]) -> None:
        """Run ready callbacks and due timers until `done()` or until nothing is ready."""
        previous = events._get_running_loop()
        events._set_running_loop(self)
        self._thread_id = threading.get_ident()  # what `is_running()` reports
        try:
            while not done():
                self._release_due_timers()
                if not self._ready:
                    return
                handle = self._ready.popleft()
                if not handle.cancelled():
                    handle._run()
        finally:
            self._thread_id = None
            events._set_running_loop(previous)

    @property
    def busy(self) -> bool:
        """Whether a callback is ready to run now."""
        self._release_due_timers()
        return bool(self._ready)

    def next_timer(self) -> float | None:
        """Seconds until the earliest pending timer, or None when there is none."""
        scheduled = self._scheduled
        while scheduled and scheduled[0].cancelled():
            heapq.heappop(scheduled)
        if not scheduled:
            return None
        return max(0.0, float(scheduled[0].when()) - self.time())

    def _release_due_timers(self) -> None:
        scheduled = self._scheduled
        if not scheduled:
            return  # no clock read: inside a component the clock is a call to the host
        now = self.time()
        while scheduled and (scheduled[0].cancelled() or scheduled[0].when() <= now):
            timer = heapq.heappop(scheduled)
            if not timer.cancelled():
                self._ready.append(timer)
