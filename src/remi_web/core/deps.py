"""Typed dependencies: the objects a run's tools read as `ToolCtx.deps` (a database handle, the
user, an HTTP client...), given per run and never checkpointed, and the checks that the agent,
its tools and the caller agree on their type.

`AgentBuilder().deps_type(T)` makes the agent an `AgentLoop[T, ...]`: `agent.chat(request,
deps=...)` then takes a `T` (under mypy --strict), and a tool reads it through a `ToolCtx[T]`
parameter.
Which deps type a tool's `ToolCtx[...]` names cannot be seen by a type checker through `@tool`,
so `build()` compares those annotations and raises `ConfigurationError` on a mismatch.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Union, get_args, get_origin

from .agent import Agent
from .compose import Composable
from .ctx import ChatCtx
from .errors import ConfigurationError, DepsError, MissingDeps

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    DepsT = TypeVar("DepsT", default=Any)
else:  # a default is only for the type checker (typing's TypeVar takes none before 3.13)
    from typing import TypeVar

    DepsT = TypeVar("DepsT")
"""The type of a run's deps; a bare `ToolCtx` or `AgentLoop` means `Any`."""

R = TypeVar("R")
E = TypeVar("E")

__all__ = ["DepsT", "WithDeps", "check_tool_deps", "use_deps"]


@dataclass(slots=True)
class WithDeps(Composable[R, E], Generic[R, E]):
    """An agent whose runs get their deps from `provide(ctx)` when the caller gave none: how
    a served agent gets deps, since an HTTP request carries none (they are objects of the
    serving process, not JSON):

        create_app(lambda store: WithDeps(builder.store(store).build(), lambda ctx: Bank()))

    `provide` is called once per request (a start or a resume), with the request's context.
    """

    inner: Agent[R, E]
    provide: Callable[[ChatCtx], object]

    async def chat(self, request: R, ctx: ChatCtx) -> AsyncIterator[E]:
        if ctx.deps is None:
            ctx.deps = self.provide(ctx)
        async for event in self.inner.chat(request, ctx):
            yield event


def check_tool_deps(deps_type: object | None, tools: Iterable[object]) -> None:
    """Raise `ConfigurationError` when a tool's `ToolCtx[X]` does not fit the agent's deps type.

    A tool states what it reads in its `deps_type` attribute (`@tool` sets it from the
    parameter's annotation; None or `Any`: whatever the run has). It fits when the agent's
    deps type is `X`, a subclass of `X`, or a member of a union `X`.
    """
    for tool in tools:
        wanted = getattr(tool, "deps_type", None)
        if wanted is None or wanted is Any or wanted is object:
            continue
        name = getattr(tool, "name", repr(tool))
        if deps_type is None:
            raise ConfigurationError(
                f"Tool {name!r} reads deps of type {_name(wanted)} (a ToolCtx[{_name(wanted)}] "
                f"parameter), but the agent declares no deps: call .deps_type({_name(wanted)}) "
                "on the builder."
            )
        if not _fits(deps_type, wanted):
            raise ConfigurationError(
                f"Tool {name!r} reads deps of type {_name(wanted)} (a ToolCtx[{_name(wanted)}] "
                f"parameter), but the agent's deps are {_name(deps_type)} (.deps_type(...)): "
                f"make the tool take ToolCtx[{_name(deps_type)}], or the deps a {_name(wanted)}."
            )


def use_deps(ctx: ChatCtx, deps: object, deps_type: object | None, agent: str) -> None:
    """Give the run `deps` (when not None: they replace `ctx.deps`), and check what it has
    against the agent's `deps_type`: `MissingDeps` when there are none, `DepsError` when
    they are not an instance of it (checked only when it is a plain class)."""
    if deps is not None:
        ctx.deps = deps
    if deps_type is None:
        return
    if ctx.deps is None:
        raise MissingDeps(
            f"{agent} needs deps of type {_name(deps_type)}: pass them with "
            "agent.chat(request, deps=...) or ChatCtx(deps=...). Deps are never stored in "
            "checkpoints, so a resumed run needs them again."
        )
    if isinstance(deps_type, type):
        try:
            fits = isinstance(ctx.deps, deps_type)
        except TypeError:  # a protocol that is not runtime-checkable, a generic alias...
            return
        if not fits:
            raise DepsError(
                f"{agent} needs deps of type {_name(deps_type)}, got a "
                f"{type(ctx.deps).__name__}."
            )


def _fits(given: object, wanted: object) -> bool:
    """Whether deps of type `given` are what a tool wanting `wanted` may read; an annotation
    too rich to compare (a protocol, a parametrised generic) is taken on trust."""
    if given == wanted:
        return True
    if get_origin(given) in (Union, types.UnionType):
        return all(_fits(member, wanted) for member in get_args(given))
    if get_origin(wanted) in (Union, types.UnionType):
        return any(_fits(given, member) for member in get_args(wanted))
    if isinstance(given, type) and isinstance(wanted, type):
        try:
            return issubclass(given, wanted)
        except TypeError:
            return True
    return True


def _name(kind: object) -> str:
    return kind.__name__ if isinstance(kind, type) else repr(kind).replace("typing.", "")
