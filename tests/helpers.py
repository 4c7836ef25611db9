"""Small helpers shared by the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

from remi_web import AgentEvent

T = TypeVar("T")


async def collect(stream: AsyncIterator[T]) -> list[T]:
    """Every item of `stream`."""
    return [item async for item in stream]


def types(events: list[AgentEvent]) -> list[str]:
    """The `type` of each event."""
    return [event.type for event in events]


def of_type(events: list[AgentEvent], kind: type[T]) -> list[T]:
    """The events of one class."""
    return [event for event in events if isinstance(event, kind)]
