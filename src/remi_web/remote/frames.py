"""SSE framing of events: `event: <type>`, `id: <sequence>`, `data: <event JSON>`.

Uses the one event adapter of the core and the project's SSE codec, both ways.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.events import AgentEvent
from ..core.wire import event_from_json, event_to_json
from ..http.sse import SseEvent, encode_comment, encode_event

KEEPALIVE = encode_comment("keep-alive")
"""The comment a server sends on an idle stream (readers ignore it)."""


def event_frame(sequence: int, event: AgentEvent) -> bytes:
    """The SSE bytes of `event`, numbered `sequence` within its run."""
    return json_frame(sequence, event.type, event_to_json(event))


def json_frame(sequence: int, kind: str, data: str) -> bytes:
    """The SSE bytes of an already serialized event."""
    return encode_event(data, event=kind, id=str(sequence))


@dataclass(frozen=True, slots=True)
class NumberedEvent:
    """An event read off the wire with its sequence number (None if the frame had no id)."""

    sequence: int | None
    event: AgentEvent


def read_frame(frame: SseEvent) -> NumberedEvent:
    """The event of one SSE frame; raises `ValueError` for a frame that is not an event."""
    sequence = int(frame.id) if frame.id is not None and frame.id.isdigit() else None
    return NumberedEvent(sequence, event_from_json(frame.data))
