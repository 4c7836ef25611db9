"""remi-web: a browser-first agent SDK. One thread-free core, natively and in Pyodide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core.agent import Agent, Layer
from .core.builder import AgentBuilder, NoModel
from .core.compose import Composable, boxed, layer, map_err, map_request, map_response
from .core.content import (
    AudioPart,
    Content,
    ContentPart,
    FilePart,
    ImageBase64Part,
    ImageUrlPart,
    TextPart,
    content_text,
)
from .core.ctx import ChatCtx
from .core.errors import (
    ConfigurationError,
    MaxTurnsExceeded,
    MissingResumePayload,
    ModelError,
    RemiError,
    RequestError,
    RunNotFound,
    RunNotResumable,
    ScriptExhausted,
    StoreError,
    ToolInputError,
    UnknownInterrupt,
)
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
from .core.function_tool import FunctionTool, tool
from .core.ids import InterruptId, MessageId, RunId, SpanId, ThreadId
from .core.layers import LoggingLayer, RetryLayer
from .core.loop import AgentLoop
from .core.memory_store import MemoryStore
from .core.messages import Message, ToolCallRequest
from .core.model_io import ChatModel, ModelChunk, ModelRequest, ToolDefinition
from .core.outcome import ToolOutcome
from .core.registry import ToolRegistry
from .core.requests import ChatRequest, Resume, RunOverrides, Start, ToolResults
from .core.state import Checkpoint, LoopState
from .core.step import StepEnd, step
from .core.store import CheckpointStore, Store, ThreadStore
from .core.tool import Interrupt, Tool, ToolCtx
from .core.usage import Usage
from .core.wire import event_from_json, event_to_json
from .model.errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelNotFoundError,
    ModelTimeoutError,
    NetworkError,
    RateLimitError,
    ServerError,
    StreamError,
)
from .model.openai import OpenAIModel
from .model.scripted import ScriptedModel, Thinking, ToolCall
from .tools import Quota, VirtualFS, VirtualWorkspace, vfs_tools
from .transport import (
    ApprovalRefused,
    HttpAgent,
    RemoteAuthError,
    RemoteRefusal,
    RemoteUnavailable,
    RunInfo,
)
from .tracing import (
    BaseTracer,
    CompositeTracer,
    LangSmithTracer,
    RecordingTracer,
    Redactor,
    StdoutTracer,
    TracedAgent,
    Tracer,
    TracingLayer,
    trace_custom,
)

if TYPE_CHECKING:
    from .stores.indexeddb import IndexedDBStore
    from .stores.indexeddb_snapshots import IndexedDBSnapshotStore
    from .stores.sqlite import SQLiteStore
    from .tools.host_fs import host_fs_tools
    from .tools.shell import shell_tool
    from .tracing.otel import OpenTelemetryTracer
    from .transport.app import create_app
    from .transport.config import ServerConfig
    from .guest.build import build_component
    from .guest.protocol import GuestConfig
    from .wasm.agent import WasmAgent
    from .wasm.engine import Limits as WasmLimits

_LAZY = {
    "SQLiteStore": "remi_web.stores.sqlite",
    "IndexedDBStore": "remi_web.stores.indexeddb",
    "IndexedDBSnapshotStore": "remi_web.stores.indexeddb_snapshots",
    "host_fs_tools": "remi_web.tools.host_fs",
    "shell_tool": "remi_web.tools.shell",
    "OpenTelemetryTracer": "remi_web.tracing.otel",
    "create_app": "remi_web.transport.app",
    "ServerConfig": "remi_web.transport.config",
    "WasmAgent": "remi_web.wasm.agent",
    "WasmLimits": "remi_web.wasm.engine",
    "GuestConfig": "remi_web.guest.protocol",
    "build_component": "remi_web.guest.build",
}
_RENAMED = {"WasmLimits": "Limits"}


def __getattr__(name: str) -> object:
    # Native-only or optional pieces load only when asked for: the browser build never needs them.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'remi_web' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), _RENAMED.get(name, name))


__all__ = [
    "GuestConfig", "WasmAgent", "WasmLimits", "build_component",
    "Agent", "AgentBuilder", "BaseTracer", "CompositeTracer", "LangSmithTracer",
    "OpenTelemetryTracer", "Quota", "RecordingTracer", "Redactor", "StdoutTracer", "TracedAgent",
    "Tracer", "TracingLayer", "VirtualFS", "VirtualWorkspace", "host_fs_tools", "shell_tool",
    "trace_custom", "vfs_tools", "AuthenticationError", "BadRequestError", "ContextLengthError",
    "ModelNotFoundError", "ModelTimeoutError", "NetworkError", "OpenAIModel", "RateLimitError",
    "ServerError", "StreamError", "AgentEvent", "AgentLoop", "AudioPart", "Cancelled",
    "ChatCtx", "ChatModel", "ChatRequest", "Checkpoint", "CheckpointEvent", "CheckpointStore",
    "Composable", "ConfigurationError", "Content", "ContentPart", "Custom", "Done",
    "ErrorEvent", "FilePart", "FunctionTool", "ImageBase64Part", "ImageUrlPart",
    "IndexedDBSnapshotStore", "IndexedDBStore", "Interrupt",
    "InterruptEvent", "InterruptId", "InterruptInfo", "Layer", "LoggingLayer", "LoopState",
    "MaxTurnsExceeded", "MemoryStore", "Message", "MessageId", "MissingResumePayload",
    "ModelChunk", "ModelError", "ModelRequest", "NeedToolExecution", "NoModel", "RemiError",
    "RequestError", "Resume", "RetryLayer", "RunId", "RunNotFound", "RunNotResumable",
    "RunOverrides", "RunResumed", "RunStart", "SQLiteStore", "ScriptExhausted",
    "ScriptedModel", "SpanId", "Start", "StepEnd", "Store", "StoreError", "SubSession",
    "TextDelta", "TextPart", "ThinkingDelta", "Thinking", "ThreadId", "ThreadStore", "Tool",
    "ToolCall", "ToolCallArgsDelta", "ToolCallReady", "ToolCallRequest", "ToolCallStart",
    "ToolCtx", "ToolDefinition", "ToolInputError", "ToolOutcome", "ToolProgress",
    "ToolRegistry", "ToolResult", "ToolResults", "TurnEnd", "TurnStart", "UnknownInterrupt",
    "Usage", "UsageEvent", "boxed", "content_text", "event_from_json", "event_to_json",
    "layer", "map_err", "map_request", "map_response", "step", "tool",
    "ApprovalRefused", "HttpAgent", "RemoteAuthError", "RemoteRefusal", "RemoteUnavailable",
    "RunInfo", "ServerConfig", "create_app",
]
