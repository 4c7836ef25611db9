"""The one idea: every layer is an `Agent[Req, Ev]`, and a `Layer` turns one into another."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, TypeVar

from .ctx import ChatCtx

Req = TypeVar("Req", contravariant=True)
Ev = TypeVar("Ev", covariant=True)
Inner = TypeVar("Inner", contravariant=True)
Outer = TypeVar("Outer", covariant=True)


class Agent(Protocol[Req, Ev]):
    """Anything that answers a request with a lazy stream of events.

    `chat` must not do work until the stream is iterated. Failures before the first
    event may raise (setup errors); failures after it are events.
    """

    def chat(self, request: Req, ctx: ChatCtx) -> AsyncIterator[Ev]:
        """Stream the events answering `request`."""
        ...


class Layer(Protocol[Inner, Outer]):
    """Wraps an agent into another agent (retry, logging, tracing...)."""

    def layer(self, inner: Inner) -> Outer:
        """The wrapped agent."""
        ...
