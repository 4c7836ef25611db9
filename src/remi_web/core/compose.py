"""Combinators: small wrappers that forward to an inner agent and change one thing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .agent import Agent, Layer
from .ctx import ChatCtx

R = TypeVar("R")
E = TypeVar("E")
R2 = TypeVar("R2")
E2 = TypeVar("E2")
A = TypeVar("A")


class Composable(Generic[R, E]):
    """Mixin giving an agent the combinators as methods (`agent.map_response(f)`...)."""

    def chat(self, request: R, ctx: ChatCtx) -> AsyncIterator[E]:
        """Stream the events answering `request`."""
        raise NotImplementedError

    def map_request(self, f: Callable[[R2], R]) -> MapRequest[R2, R, E]:
        """An agent taking `R2`, turned into this agent's request by `f`."""
        return MapRequest(self, f)

    def map_response(self, f: Callable[[E], E2]) -> MapResponse[R, E, E2]:
        """An agent whose every event is passed through `f`."""
        return MapResponse(self, f)

    def map_err(self, f: Callable[[Exception], Exception]) -> MapErr[R, E]:
        """An agent whose raised errors are replaced by `f(error)`."""
        return MapErr(self, f)

    def layer(self, layer: Layer[Agent[R, E], A]) -> A:
        """This agent wrapped by `layer`."""
        return layer.layer(self)

    def boxed(self) -> Boxed[R, E]:
        """This agent behind a plain `Agent[R, E]` face (hides the concrete type)."""
        return Boxed(self)


@dataclass(slots=True)
class MapRequest(Composable[R2, E], Generic[R2, R, E]):
    """Turns each request with `f` before the inner agent sees it."""

    inner: Agent[R, E]
    f: Callable[[R2], R]

    async def chat(self, request: R2, ctx: ChatCtx) -> AsyncIterator[E]:
        async for event in self.inner.chat(self.f(request), ctx):
            yield event


@dataclass(slots=True)
class MapResponse(Composable[R, E2], Generic[R, E, E2]):
    """Turns each event of the inner agent with `f`."""

    inner: Agent[R, E]
    f: Callable[[E], E2]

    async def chat(self, request: R, ctx: ChatCtx) -> AsyncIterator[E2]:
        f = self.f
        async for event in self.inner.chat(request, ctx):
            yield f(event)


@dataclass(slots=True)
class MapErr(Composable[R, E]):
    """Replaces any exception the inner agent raises with `f(exception)`; events pass as-is."""

    inner: Agent[R, E]
    f: Callable[[Exception], Exception]

    async def chat(self, request: R, ctx: ChatCtx) -> AsyncIterator[E]:
        try:
            async for event in self.inner.chat(request, ctx):
                yield event
        except Exception as error:
            raise self.f(error) from error


@dataclass(slots=True)
class Boxed(Composable[R, E]):
    """An agent seen only through the `Agent[R, E]` protocol."""

    inner: Agent[R, E]

    def chat(self, request: R, ctx: ChatCtx) -> AsyncIterator[E]:
        return self.inner.chat(request, ctx)


def map_request(agent: Agent[R, E], f: Callable[[R2], R]) -> MapRequest[R2, R, E]:
    """`agent` taking `R2` requests, converted by `f`."""
    return MapRequest(agent, f)


def map_response(agent: Agent[R, E], f: Callable[[E], E2]) -> MapResponse[R, E, E2]:
    """`agent` with every event converted by `f`."""
    return MapResponse(agent, f)


def map_err(agent: Agent[R, E], f: Callable[[Exception], Exception]) -> MapErr[R, E]:
    """`agent` with raised errors converted by `f`."""
    return MapErr(agent, f)


def layer(agent: Agent[R, E], layer: Layer[Agent[R, E], A]) -> A:
    """`agent` wrapped by `layer`."""
    return layer.layer(agent)


def boxed(agent: Agent[R, E]) -> Boxed[R, E]:
    """`agent` behind a plain `Agent[R, E]` face."""
    return Boxed(agent)
