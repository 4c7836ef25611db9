"""The contenders: remi-web and its peers, each behind the same small interface.

Each module builds the same three workloads with its framework's public API and its own
fake model: a text stream of N prebuilt deltas, a run of `rounds` sequential tool calls
(`rounds=1` is the one-tool run: two model turns), and a text stream from the mock server
over HTTP with the framework's own OpenAI client. A peer that is not installed is reported
as such, never as a failure.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from ..measure import Run

MODULES = {
    "remi-web": "benchmarks.peers.remi",
    "pydantic-ai": "benchmarks.peers.pydantic_ai_peer",
    "openai-agents": "benchmarks.peers.openai_agents_peer",
    "langgraph": "benchmarks.peers.langgraph_peer",
    "openai SDK": "benchmarks.peers.openai_sdk",
}
"""Every contender's module, by display name. "openai SDK" (the bare client) is HTTP only."""


class Contender(Protocol):
    """What each contender module provides (as module-level functions)."""

    def version(self) -> str:
        """The installed version of the framework."""
        ...

    def stream_run(self, deltas: int) -> Run | None:
        """A run that streams `deltas` prebuilt text deltas through the framework and
        returns how many it saw (None: not supported). The agent is built once."""
        ...

    def tool_run(self, rounds: int) -> Run | None:
        """A run with `rounds` sequential calls of an `add` tool, then a final answer."""
        ...

    def http_session(self, base_url: str, prompt: str) -> AbstractAsyncContextManager[Run]:
        """Inside an event loop: a run that streams the mock server's answer to `prompt`
        with the framework's own OpenAI-compatible client; returns the text deltas seen."""
        ...


def load(name: str) -> Contender | str:
    """The contender's module, or why it cannot run (e.g. "not installed")."""
    try:
        module = importlib.import_module(MODULES[name])
    except ImportError as error:
        return f"not installed ({error.name or error})"
    contender: Contender = module
    return contender


async def aiter_count(stream: AsyncIterator[object]) -> int:
    """Consume an async iterator; how many items it gave."""
    count = 0
    async for _ in stream:
        count += 1
    return count
