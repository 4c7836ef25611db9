"""remi-web: a browser-first agent SDK. One thread-free core, natively and in Pyodide.

This is the API most programs need. Everything else is imported from its package:
`remi_web.model` (clients, errors), `remi_web.testing` (test doubles, mock LLM server),
`remi_web.tools` (built-in tools), `remi_web.tracing`, `remi_web.stores`, `remi_web.server`,
`remi_web.remote`, `remi_web.wasm`, `remi_web.browser`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Protocols
from .core.agent import Agent, Layer
from .core.model_io import ChatModel, ToolDefinition
from .core.store import CheckpointStore, Store, ThreadStore
from .core.tool import Interrupt, Tool, ToolCtx

# Core types
from .core.content import Content
from .core.ctx import ChatCtx
from .core.messages import Message, ToolCallRequest
from .core.outcome import ToolOutcome
from .core.requests import ChatRequest, Resume, Start, ToolResults
from .core.usage import Usage

# Events and their one JSON form
from .core.events import (
    AgentEvent,
    Cancelled,
    CheckpointEvent,
    Custom,
    Done,
    ErrorEvent,
    InterruptEvent,
    InterruptInfo,
    NeedToolExecution,
    RunResumed,
    RunStart,
    SubSession,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallReady,
    ToolCallStart,
    ToolProgress,
    ToolResult,
    TurnEnd,
    TurnStart,
    UsageEvent,
)
from .core.wire import event_from_json, event_to_json

# Building agents
from .builder import AgentBuilder
from .core.compose import boxed, layer, map_err, map_request, map_response
from .core.function_tool import tool
from .core.layers import RetryLayer
from .core.loop import AgentLoop
from .core.step import step

# Errors
from .core.errors import (
    ConfigurationError,
    MaxTurnsExceeded,
    ModelError,
    RemiError,
    RequestError,
    RunNotFound,
    RunNotResumable,
    ToolInputError,
)

# Models, stores and agents every README example uses
from .model.openai import OpenAIModel
from .remote.http_agent import HttpAgent
from .stores.memory import MemoryStore
from .testing.scripted_model import ScriptedModel, ToolCall

if TYPE_CHECKING:
    from .server.app import create_app
    from .stores.postgres import PostgresStore
    from .stores.sqlite import SQLiteStore

# Native-only names, imported on first use; without their dependency they stay importable
# (so `from remi_web import *` works everywhere) and say what to install when used.
_LAZY = {
    "SQLiteStore": ("remi_web.stores.sqlite", "the standard library's sqlite3"),
    "PostgresStore": ("remi_web.stores.postgres", "psycopg: pip install 'remi-web[postgres]'"),
    "create_app": ("remi_web.server.app", "the server extra: pip install 'remi-web[server]'"),
    # Also here for older code, though not in `__all__` (import them from `remi_web.stores`):
    "IndexedDBStore": ("remi_web.stores.indexeddb", "a browser"),
    "IndexedDBSnapshotStore": ("remi_web.stores.indexeddb_snapshots", "a browser"),
}


class _Unavailable:
    """Stands in for a name whose optional dependency is missing; using it explains why."""

    def __init__(self, name: str, needs: str, error: ImportError) -> None:
        self._message = f"remi_web.{name} needs {needs} ({error})."

    def __call__(self, *args: object, **kwargs: object) -> object:
        raise ConfigurationError(self._message)

    def __repr__(self) -> str:
        return f"<unavailable: {self._message}>"


def __getattr__(name: str) -> object:
    entry = _LAZY.get(name)
    if entry is None:
        raise AttributeError(f"module 'remi_web' has no attribute {name!r}")
    from importlib import import_module

    module, needs = entry
    try:
        return getattr(import_module(module), name)
    except ImportError as error:
        return _Unavailable(name, needs, error)


__all__ = [
    # Protocols
    "Agent", "ChatModel", "CheckpointStore", "Interrupt", "Layer", "Store", "ThreadStore",
    "Tool", "ToolCtx", "ToolDefinition",
    # Core types
    "ChatCtx", "ChatRequest", "Content", "Message", "Resume", "Start", "ToolCallRequest",
    "ToolOutcome", "ToolResults", "Usage",
    # Events
    "AgentEvent", "Cancelled", "CheckpointEvent", "Custom", "Done", "ErrorEvent",
    "InterruptEvent", "InterruptInfo", "NeedToolExecution", "RunResumed", "RunStart",
    "SubSession", "TextDelta", "ThinkingDelta", "ToolCallArgsDelta", "ToolCallReady",
    "ToolCallStart", "ToolProgress", "ToolResult", "TurnEnd", "TurnStart", "UsageEvent",
    "event_from_json", "event_to_json",
    # Building agents
    "AgentBuilder", "AgentLoop", "RetryLayer", "boxed", "layer", "map_err", "map_request",
    "map_response", "step", "tool",
    # Errors
    "ConfigurationError", "MaxTurnsExceeded", "ModelError", "RemiError", "RequestError",
    "RunNotFound", "RunNotResumable", "ToolInputError",
    # Models, stores, agents
    "HttpAgent", "MemoryStore", "OpenAIModel", "PostgresStore", "SQLiteStore", "ScriptedModel",
    "ToolCall", "create_app",
]
