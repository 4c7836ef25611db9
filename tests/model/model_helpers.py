"""Helpers of the model tests (a module with a unique name, importable from any test file)."""

from __future__ import annotations

import asyncio

from remi_web.core.model_io import ToolDefinition

CALCULATOR = ToolDefinition(
    "calculator",
    "Evaluate an arithmetic expression.",
    {
        "type": "object",
        "properties": {"expression": {"type": "string"}},
        "required": ["expression"],
    },
)
"""The calculator tool the mock model knows how to call."""


class FakeClock:
    """A `Clock` that records each wait instead of sleeping (and never takes wall time)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)
