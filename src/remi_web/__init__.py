"""remi-web: a browser-first agent SDK. One thread-free core, natively and in Pyodide.

This is the API most programs need. Everything else is imported from its package:
`remi_web.model` (clients, errors), `remi_web.testing` (test doubles, mock LLM server),
`remi_web.tools` (built-in tools), `remi_web.tracing`, `remi_web.stores`, `remi_web.server`,
`remi_web.remote`, `remi_web.wasm`, `remi_web.browser`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    from .core.usage_limits import UsageLimits

    # Events and their one JSON form
    from .core.events import (
        AgentEvent,
        Cancelled,
        CheckpointEvent,
        Custom,
        Done,
        ErrorEvent,
        InterruptAnswered,
        InterruptEvent,
        InterruptInfo,
        ModelRetry,
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
    from .core.history import fit_to_budget, keep_last_turns
    from .core.interrupt_router import InterruptRouter
    from .core.layers import RetryLayer
    from .core.loop import AgentLoop
    from .core.output import OutputSpec
    from .core.step import step

    # Errors
    from .core.errors import (
        ConfigurationError,
        MaxTurnsExceeded,
        ModelError,
        OutputValidationFailed,
        RemiError,
        RequestError,
        RunNotFound,
        RunNotResumable,
        ToolInputError,
        ToolSchemaError,
        UsageLimitExceeded,
    )

    # Models, stores and agents every README example uses
    from .mcp.connect import mcp_tools
    from .model.anthropic import AnthropicModel
    from .model.fallback import FallbackModel
    from .model.openai import OpenAIModel
    from .model.openai_responses import OpenAIResponsesModel
    from .remote.http_agent import HttpAgent
    from .stores.memory import MemoryStore
    from .testing.scripted_model import ScriptedModel, ToolCall
    from .server.app import create_app
    from .stores.postgres import PostgresStore
    from .stores.sqlite import SQLiteStore

# Every name is imported on first use: `import remi_web` costs next to nothing, and
# `from remi_web import X` imports X's module and what it needs (benchmarks/imports.py).
_HOMES: dict[str, tuple[str, ...]] = {
    "core.agent": ("Agent", "Layer"),
    "core.model_io": ("ChatModel", "ToolDefinition"),
    "core.store": ("CheckpointStore", "Store", "ThreadStore"),
    "core.tool": ("Interrupt", "Tool", "ToolCtx"),
    "core.content": ("Content",),
    "core.ctx": ("ChatCtx",),
    "core.messages": ("Message", "ToolCallRequest"),
    "core.outcome": ("ToolOutcome",),
    "core.requests": ("ChatRequest", "Resume", "Start", "ToolResults"),
    "core.usage": ("Usage",),
    "core.usage_limits": ("UsageLimits",),
    "core.events": (
        "AgentEvent", "Cancelled", "CheckpointEvent", "Custom", "Done", "ErrorEvent",
        "InterruptAnswered", "InterruptEvent",
        "InterruptInfo", "ModelRetry", "NeedToolExecution", "RunResumed", "RunStart", "SubSession",
        "TextDelta", "ThinkingDelta", "ToolCallArgsDelta", "ToolCallReady", "ToolCallStart",
        "ToolProgress", "ToolResult", "TurnEnd", "TurnStart", "UsageEvent",
    ),
    "core.wire": ("event_from_json", "event_to_json"),
    "builder": ("AgentBuilder",),
    "core.compose": ("boxed", "layer", "map_err", "map_request", "map_response"),
    "core.function_tool": ("tool",),
    "core.history": ("fit_to_budget", "keep_last_turns"),
    "core.interrupt_router": ("InterruptRouter",),
    "core.layers": ("RetryLayer",),
    "core.loop": ("AgentLoop",),
    "core.output": ("OutputSpec",),
    "core.step": ("step",),
    "core.errors": (
        "ConfigurationError", "MaxTurnsExceeded", "ModelError", "OutputValidationFailed", "RemiError", "RequestError", "RunNotFound",
        "RunNotResumable", "ToolInputError", "ToolSchemaError", "UsageLimitExceeded",
    ),
    "mcp.connect": ("mcp_tools",),
    "model.anthropic": ("AnthropicModel",),
    "model.fallback": ("FallbackModel",),
    "model.openai": ("OpenAIModel",),
    "model.openai_responses": ("OpenAIResponsesModel",),
    "remote.http_agent": ("HttpAgent",),
    "stores.memory": ("MemoryStore",),
    "testing.scripted_model": ("ScriptedModel", "ToolCall"),
}
_OPTIONAL = {
    # Native-only names: without their dependency they stay importable (so
    # `from remi_web import *` works everywhere) and say what to install when used.
    "SQLiteStore": ("stores.sqlite", "the standard library's sqlite3"),
    "PostgresStore": ("stores.postgres", "psycopg: pip install 'remi-web[postgres]'"),
    "create_app": ("server.app", "the server extra: pip install 'remi-web[server]'"),
    # Also here for older code, though not in `__all__` (import them from `remi_web.stores`):
    "IndexedDBStore": ("stores.indexeddb", "a browser"),
    "IndexedDBSnapshotStore": ("stores.indexeddb_snapshots", "a browser"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


class _Unavailable:
    """Stands in for a name whose optional dependency is missing; using it explains why."""

    def __init__(self, name: str, needs: str, error: ImportError) -> None:
        self._message = f"remi_web.{name} needs {needs} ({error})."

    def __call__(self, *args: object, **kwargs: object) -> object:
        from .core.errors import ConfigurationError

        raise ConfigurationError(self._message)

    def __repr__(self) -> str:
        return f"<unavailable: {self._message}>"


def __getattr__(name: str) -> object:
    from importlib import import_module

    home = _HOME.get(name)
    if home is not None:
        value = getattr(import_module(f"remi_web.{home}"), name)
    elif name in _OPTIONAL:
        module, needs = _OPTIONAL[name]
        try:
            value = getattr(import_module(f"remi_web.{module}"), name)
        except ImportError as error:
            return _Unavailable(name, needs, error)
    else:
        raise AttributeError(f"module 'remi_web' has no attribute {name!r}")
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    # Protocols
    "Agent", "ChatModel", "CheckpointStore", "Interrupt", "Layer", "Store", "ThreadStore",
    "Tool", "ToolCtx", "ToolDefinition",
    # Core types
    "ChatCtx", "ChatRequest", "Content", "Message", "Resume", "Start", "ToolCallRequest",
    "ToolOutcome", "ToolResults", "Usage", "UsageLimits",
    # Events
    "AgentEvent", "Cancelled", "CheckpointEvent", "Custom", "Done", "ErrorEvent",
    "InterruptAnswered", "InterruptEvent", "InterruptInfo", "ModelRetry", "NeedToolExecution",
    "RunResumed", "RunStart",
    "SubSession", "TextDelta", "ThinkingDelta", "ToolCallArgsDelta", "ToolCallReady",
    "ToolCallStart", "ToolProgress", "ToolResult", "TurnEnd", "TurnStart", "UsageEvent",
    "event_from_json", "event_to_json",
    # Building agents
    "AgentBuilder", "AgentLoop", "InterruptRouter", "OutputSpec", "RetryLayer", "boxed", "layer", "map_err", "map_request",
    "map_response", "step", "tool", "fit_to_budget", "keep_last_turns",
    # Errors
    "ConfigurationError", "MaxTurnsExceeded", "ModelError", "OutputValidationFailed", "RemiError", "RequestError",
    "RunNotFound", "RunNotResumable", "ToolInputError", "ToolSchemaError", "UsageLimitExceeded",
    # Models, stores, agents, MCP tools
    "AnthropicModel", "FallbackModel", "HttpAgent", "MemoryStore", "OpenAIModel", "OpenAIResponsesModel",
    "mcp_tools", "PostgresStore", "SQLiteStore", "ScriptedModel",
    "ToolCall", "create_app",
]
