"""`AguiStream`: a reader of a run whose frames are AG-UI events (`data: <event JSON>`, as
the `ag-ui-protocol` package's `EventEncoder` writes them) instead of the native ones.

It reads the run as every native reader does (the event log, then live), so it keeps their
keep-alives, disconnect handling and replay, and translates each event on the way out.
"""

from __future__ import annotations

import asyncio

from ag_ui.encoder import EventEncoder
from pydantic import ValidationError

from ..core.wire import event_from_json
from ..http.sse import SseDecoder
from .agui_events import AguiTranslator
from .live_run import Subscription
from .log_tail import LogTail


class AguiStream:
    """The AG-UI frames of one stream of a run.

    Args:
        source: the run's native reader (`RunService.subscribe`).
        translator: turns its events into AG-UI events.
    """

    def __init__(self, source: Subscription | LogTail, translator: AguiTranslator) -> None:
        self._source = source
        self._translator = translator
        self._decoder = SseDecoder()
        self._encoder = EventEncoder()

    async def next_chunk(self, gone: asyncio.Future[None], keepalive: float) -> bytes | None:
        """The next AG-UI frames, a keep-alive comment after `keepalive` seconds of silence,
        or None once the run's stream is over (or the reader is `gone`)."""
        while not self._translator.finished:
            data = await self._source.next_chunk(gone, keepalive)
            if data is None:
                return None
            frames = self._decoder.feed(data)
            if not frames:  # a keep-alive comment: sent as it is
                return data
            out: list[str] = []
            for frame in frames:
                try:
                    event = event_from_json(frame.data)
                except ValidationError:  # an event this version cannot read
                    continue
                out += [self._encoder.encode(agui) for agui in self._translator.translate(event)]
            if out:
                return "".join(out).encode()
        return None

    def close(self) -> None:
        """The reader is gone; safe to call twice."""
        self._source.close()
