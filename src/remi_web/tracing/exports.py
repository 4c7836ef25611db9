"""`Exports`: a backend's export jobs, run as tasks on the event loop one after another.

Tracer hooks are synchronous and must not wait for the network; a backend hands its sends
to `Exports.start` instead. No thread is ever started: this works in the browser too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ..core.errors import RemiError

_log = logging.getLogger("remi_web.tracing")

ExportJob = Callable[[], Awaitable[None]]
"""One export: an async function of no arguments."""


class TraceExportError(RemiError):
    """A tracing backend could not export its records; the runs themselves were fine."""

    code = "trace_export"


class Exports:
    """Runs export jobs in order as event-loop tasks; failures are kept for `flush()`.

    Args:
        name: the backend's name, for the one warning logged on its first failure.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[Exception] = []
        self._tail: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._deferred: list[ExportJob] = []
        self._warned = False

    @property
    def pending(self) -> int:
        """Jobs started or deferred and not finished yet."""
        return len(self._tasks) + len(self._deferred)

    def start(self, job: ExportJob) -> None:
        """Run `job` after the jobs before it, without waiting for it. Outside a running
        event loop the job waits for the next `flush()`."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._deferred.append(job)
            return
        task = loop.create_task(self._run(self._tail, job))
        self._tail = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Wait for every job so far; raise `TraceExportError` if any failed since the last
        flush."""
        deferred, self._deferred = self._deferred, []
        for job in deferred:
            self.start(job)
        if self._tasks:
            await asyncio.wait(list(self._tasks))
        if self.errors:
            errors, self.errors = self.errors, []
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise TraceExportError(f"{self.name}: export failed: {errors[0]}{more}") from errors[0]

    async def _run(self, previous: asyncio.Task[None] | None, job: ExportJob) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        try:
            await job()
        except Exception as error:  # kept for flush(); the run never sees it
            self.errors.append(error)
            if not self._warned:
                self._warned = True
                _log.warning("%s: trace export failed (reported once): %s", self.name, error)
