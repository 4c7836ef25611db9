"""The one JSON form of events, used everywhere (SSE, the browser worker, WASM, logs)."""

from __future__ import annotations

from .schema_types import LazyAdapter

from .events import AgentEvent

EVENT_ADAPTER = LazyAdapter[AgentEvent](AgentEvent)


def event_to_json(event: AgentEvent) -> str:
    """Serialize any event to its JSON text."""
    return EVENT_ADAPTER().dump_json(event).decode()


def event_from_json(data: str | bytes) -> AgentEvent:
    """Parse JSON text back into the event it came from."""
    return EVENT_ADAPTER().validate_json(data)
