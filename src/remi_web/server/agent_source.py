"""What the server serves: an agent, or a factory given the server's store; and loading
one from a `module:attribute` reference (`remi serve module:agent`)."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeAlias, cast

from ..core.agent import Agent
from ..core.errors import ConfigurationError
from ..core.events import AgentEvent
from ..builder import AgentBuilder
from ..core.loop import AgentLoop
from ..deep.builder import DeepAgentBuilder
from ..stores.memory import MemoryStore
from ..core.requests import ChatRequest
from ..core.store import CheckpointStore, Store

ServedAgent: TypeAlias = Agent[ChatRequest, AgentEvent]
AgentFactory: TypeAlias = Callable[[Store], ServedAgent]
AgentSource: TypeAlias = "ServedAgent | AgentFactory | AgentBuilder[Any] | DeepAgentBuilder[Any]"
"""An agent to serve, a builder of one, or a function making it from the server's store."""


def bind_agent(source: AgentSource, store: Store) -> tuple[ServedAgent, CheckpointStore]:
    """The agent to serve, and the store its checkpoints live in.

    An `AgentLoop` on the builder's default `MemoryStore` is moved onto the server's
    store (so runs survive restarts); one given another store keeps it. A builder
    (`AgentBuilder`, `DeepAgentBuilder`) is built on the server's store, sub-agents included.
    A factory is called once with the server's store. Any other agent is served as it is.
    """
    if isinstance(source, AgentBuilder | DeepAgentBuilder):
        return source.store(store).build(), store
    if isinstance(source, AgentLoop):
        if isinstance(source.store, MemoryStore):
            return replace(source, store=store), store
        return source, source.store
    if hasattr(source, "chat"):
        return source, store
    if callable(source):
        agent = source(store)
        if not hasattr(agent, "chat"):
            raise ConfigurationError(
                f"the agent factory returned {type(agent).__name__}, which has no chat() method"
            )
        return bind_agent(agent, store)
    raise ConfigurationError(
        f"cannot serve {type(source).__name__}: give an Agent or a function (store) -> Agent"
    )


def load_agent(reference: str) -> AgentSource:
    """The object named by `module:attribute` (the attribute may be dotted); the current
    directory is importable, as with `python -m`."""
    module_name, colon, attribute = reference.partition(":")
    if not colon or not module_name or not attribute:
        raise ConfigurationError(
            f"expected MODULE:ATTRIBUTE (e.g. my_app.agents:agent), got {reference!r}"
        )
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        value: object = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigurationError(f"cannot import {module_name!r}: {error}") from error
    for name in attribute.split("."):
        try:
            value = getattr(value, name)
        except AttributeError:
            raise ConfigurationError(f"{reference!r}: no attribute {name!r}") from None
    if not callable(value) and not hasattr(value, "chat") and not hasattr(value, "build"):
        raise ConfigurationError(
            f"{reference!r} is neither an agent, nor an agent builder, nor an agent factory"
        )
    return cast(AgentSource, value)  # checked just above
