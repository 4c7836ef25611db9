"""The model layer: an OpenAI-compatible streaming client, its SSE codec and transports.

Everything here runs natively and in Pyodide. Native-only pieces are imported from their
modules: `remi_web.model.httpx_transport.HttpxTransport` and
`remi_web.model.mock_server` (`create_app`, `MockConfig`, `main`).
"""

from __future__ import annotations

from .errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelHTTPError,
    ModelNotFoundError,
    ModelTimeoutError,
    NetworkError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    StreamError,
    is_retryable,
)
from .fetch_transport import FetchTransport
from .openai import DEFAULT_BASE_URL, OpenAIModel
from .openai_wire import ChunkParser, build_body, message_to_wire
from .redact import Secret, redact
from .retry import NO_RETRY, Clock, RetryPolicy, SystemClock, retry_after_seconds
from .scripted import ScriptedModel, Thinking, ToolCall
from .scripted_transport import ScriptedResponse, ScriptedTransport, Stall
from .sse import (
    SseDataDecoder,
    SseDecoder,
    SseEvent,
    aiter_events,
    decode_events,
    encode_comment,
    encode_event,
    encode_sse,
)
from .transport import HttpRequest, HttpResponse, HttpTransport, Timeouts, default_transport

__all__ = [
    "DEFAULT_BASE_URL",
    "NO_RETRY",
    "AuthenticationError",
    "BadRequestError",
    "ChunkParser",
    "Clock",
    "ContextLengthError",
    "FetchTransport",
    "HttpRequest",
    "HttpResponse",
    "HttpTransport",
    "ModelHTTPError",
    "ModelNotFoundError",
    "ModelTimeoutError",
    "NetworkError",
    "OpenAIModel",
    "QuotaExceededError",
    "RateLimitError",
    "RetryPolicy",
    "ScriptedModel",
    "ScriptedResponse",
    "ScriptedTransport",
    "Secret",
    "ServerError",
    "SseDataDecoder",
    "SseDecoder",
    "SseEvent",
    "Stall",
    "StreamError",
    "SystemClock",
    "Thinking",
    "Timeouts",
    "ToolCall",
    "aiter_events",
    "build_body",
    "decode_events",
    "default_transport",
    "encode_comment",
    "encode_event",
    "encode_sse",
    "is_retryable",
    "message_to_wire",
    "redact",
    "retry_after_seconds",
]
