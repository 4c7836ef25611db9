"""`CompositeTracer`: fan-out to several tracers, each isolated from the others and the run."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from ..core.secrets import Secret, secret_values, secrets_of
from .records import TraceRecord
from .base import BaseTracer
from .tracer import Tracer

_log = logging.getLogger("remi_web.tracing")


@dataclass(slots=True)
class TracerFailure:
    """The first failure of one backend, and how many it has had."""

    tracer: Tracer
    where: str
    error: str
    count: int = 1


class CompositeTracer(BaseTracer):
    """Sends every record to each tracer in turn. A tracer that raises never stops the run
    or the others, and its first failure is logged once (all are in `failures`). A tracer
    whose `flush()` hangs is given up on after `flush_timeout` seconds.

    Args:
        tracers: the backends.
        flush_timeout: seconds `flush()` waits for each backend.
    """

    def __init__(self, *tracers: Tracer, flush_timeout: float = 30.0) -> None:
        self.tracers: tuple[Tracer, ...] = tracers
        self.flush_timeout = flush_timeout
        self.failures: dict[int, TracerFailure] = {}
        self._stopping: set[asyncio.Future[None]] = set()

    def secrets(self) -> tuple[Secret, ...]:
        """The secrets its backends declare (`HoldsSecrets`)."""
        return secret_values(s for tracer in self.tracers for s in secrets_of(tracer))

    def on_record(self, record: TraceRecord) -> None:
        """Hand `record` to every backend."""
        for index, tracer in enumerate(self.tracers):
            try:
                tracer.on_record(record)
            except Exception as error:
                self._failed(index, f"on_{record.type}", error)

    async def flush(self, timeout: float | None = None) -> None:
        """Flush every backend concurrently; failures and backends still flushing after
        `timeout` (default `flush_timeout`) are reported, never raised."""
        tasks = {asyncio.ensure_future(_flush(t)): i for i, t in enumerate(self.tracers)}
        if not tasks:
            return
        limit = self.flush_timeout if timeout is None else timeout
        done, slow = await asyncio.wait(tasks, timeout=limit)
        for task in slow:
            task.cancel()
            self._failed(tasks[task], "flush", TimeoutError(f"no flush within {limit} s"))
        for task in done:
            error = task.exception()
            if isinstance(error, Exception):
                self._failed(tasks[task], "flush", error)
        for task in slow:  # cancelled; kept until they really stop, never waited for
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)

    def _failed(self, index: int, where: str, error: Exception) -> None:
        known = self.failures.get(index)
        if known is not None:
            known.count += 1
            return
        tracer = self.tracers[index]
        self.failures[index] = TracerFailure(tracer, where, repr(error))
        _log.warning(
            "tracer %d (%s) failed in %s: %r; its later failures are not reported",
            index, type(tracer).__name__, where, error,
        )


async def _flush(tracer: Tracer) -> None:
    await tracer.flush()
