"""Chat model clients: the OpenAI-compatible Chat Completions client, Anthropic's Messages
client (`AnthropicModel`), their wire formats, retries and typed errors. Everything here runs
natively and in Pyodide (HTTP goes through `remi_web.http`; test doubles live in
`remi_web.testing`).
"""

from __future__ import annotations

from .anthropic import ANTHROPIC_VERSION, DEFAULT_ANTHROPIC_URL, AnthropicModel
from .anthropic_stream import MessageStreamParser
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
from .fallback import DEFAULT_FALLBACK_ON, FallbackModel
from .http_model import HttpChatModel, StreamParser
from .openai import DEFAULT_BASE_URL, OpenAIModel
from .openai_responses import OpenAIResponsesModel
from .openai_wire import ChunkParser, build_body, message_to_wire
from .responses_errors import IncompleteResponseError
from .responses_stream import ResponsesParser
from .retry import NO_RETRY, Clock, RetryPolicy, SystemClock, retry_after_seconds

__all__ = [
    "DEFAULT_BASE_URL", "DEFAULT_FALLBACK_ON", "NO_RETRY", "AuthenticationError",
    "BadRequestError", "ChunkParser", "Clock", "ContextLengthError", "FallbackModel", "HttpChatModel", "ModelHTTPError", "ModelNotFoundError", "ModelTimeoutError",
    "NetworkError", "OpenAIModel", "QuotaExceededError", "RateLimitError", "RetryPolicy",
    "ServerError", "StreamError", "StreamParser", "SystemClock", "build_body", "is_retryable", "message_to_wire",
    "retry_after_seconds",
    # the Anthropic Messages client
    "ANTHROPIC_VERSION", "DEFAULT_ANTHROPIC_URL", "AnthropicModel", "MessageStreamParser",
    # the OpenAI Responses client
    "IncompleteResponseError", "OpenAIResponsesModel", "ResponsesParser",
]
