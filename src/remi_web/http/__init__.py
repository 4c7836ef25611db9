"""HTTP for everything that talks to a server: the narrow transport protocol, its httpx (native)
and fetch (Pyodide) implementations, the SSE codec and the failures of an exchange.

The model client, the LangSmith tracer and the remote agent all speak through it. `HttpxTransport`
(native only) is imported from `remi_web.http.httpx_transport`.
"""

from __future__ import annotations

from .errors import ModelTimeoutError, NetworkError, TimeoutPhase
from .fetch_transport import FetchTransport
from .redact import safe_url
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
from .default import default_transport
from .transport import HttpRequest, HttpResponse, HttpTransport, Timeouts

__all__ = [
    "FetchTransport", "HttpRequest", "HttpResponse", "HttpTransport", "ModelTimeoutError",
    "NetworkError", "SseDataDecoder", "SseDecoder", "SseEvent", "TimeoutPhase", "Timeouts",
    "aiter_events", "decode_events", "default_transport", "encode_comment", "encode_event",
    "encode_sse", "safe_url",
]
