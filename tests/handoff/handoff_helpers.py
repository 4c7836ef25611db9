"""Helpers of the hand-off tests: a page-side agent (in-process, its own store) and a real
`remi serve` app (uvicorn on loopback) serving the same tools, each with a recording tracer
and a ledger of what its tools really did."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from transport.transport_helpers import Ledger, running, served_agent

from remi_web import InterruptEvent, MemoryStore, Store
from remi_web.core.loop import AgentLoop
from remi_web.tracing import RecordingTracer

NOTE = 'call save_note with {"text": "buy milk"}'
"""What makes the mock model call the approval-gated `save_note`."""
APPROVAL_KEY = "handoff-test-approval-key-0123456789"


@dataclass
class Side:
    """One side of a hand-off: its agent's tracer and ledger."""

    tracer: RecordingTracer = field(default_factory=RecordingTracer)
    ledger: Ledger = field(default_factory=Ledger)


def page_agent(model_url: str, side: Side) -> AgentLoop[Any, Any]:
    """The page's agent: the served agent's tools, on a store of its own."""
    return replace(served_agent(model_url, side.ledger, MemoryStore()), tracer=side.tracer)


@asynccontextmanager
async def serving(model_url: str, side: Side, tmp: Path, **settings: Any) -> AsyncIterator[str]:
    """`remi serve` of the same tools on an SQLite file under `tmp`; yields its root URL."""
    from remi_web.server import ServerConfig, create_app

    def factory(store: Store) -> AgentLoop[Any, Any]:
        return replace(served_agent(model_url, side.ledger, store), tracer=side.tracer)

    settings.setdefault("db", str(tmp / "server.db"))
    settings.setdefault("approval_key", APPROVAL_KEY)
    if not {"token", "tokens"} & set(settings):
        settings.setdefault("insecure_no_auth", True)
    async with running(create_app(factory, ServerConfig(**settings))) as root:
        yield root


def the_interrupt(events: list[Any]) -> InterruptEvent:
    """The interrupt a run's events end with."""
    last = events[-1]
    assert isinstance(last, InterruptEvent), [e.type for e in events]
    return last
