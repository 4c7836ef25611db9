"""`RecordingTracer`: keeps every record in memory, in order (tests, debugging, UIs)."""

from __future__ import annotations

from .records import TraceRecord
from .base import BaseTracer


class RecordingTracer(BaseTracer):
    """Keeps every record it receives in `records`; counts `flush()` calls in `flushes`."""

    def __init__(self) -> None:
        self.records: list[TraceRecord] = []
        self.flushes = 0

    def on_record(self, record: TraceRecord) -> None:
        """Keep `record`."""
        self.records.append(record)

    def types(self) -> list[str]:
        """The `type` of each record, in order."""
        return [record.type for record in self.records]

    def clear(self) -> None:
        """Forget the records so far."""
        self.records.clear()

    async def flush(self) -> None:
        """Nothing to export; counted."""
        self.flushes += 1
