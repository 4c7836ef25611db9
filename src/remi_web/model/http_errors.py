"""Turn an HTTP error response of an OpenAI-compatible provider into a typed model error."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ..core.schema_types import JsonValue

from .errors import (
    AuthenticationError,
    BadRequestError,
    ContextLengthError,
    ModelHTTPError,
    ModelNotFoundError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)
from .retry import retry_after_seconds

_CONTEXT = re.compile(
    r"context[ _](length|window)|maximum context|too many tokens|prompt is too long"
    r"|reduce the length|input is too long|exceeds? the (model's )?(max|context)",
    re.IGNORECASE,
)
_NO_MODEL = re.compile(
    r"model.{0,80}(does not exist|not found|not exist|unknown|is not a valid|no such)"
    r"|(unknown|invalid|no such) model|not a valid model",
    re.IGNORECASE | re.DOTALL,
)


def provider_error(body: bytes) -> tuple[str, str]:
    """The provider's `(message, code)` from an error body (OpenAI, FastAPI or plain text)."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data: JsonValue = json.loads(text)
    except ValueError:
        return text[:500], ""
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, str):
        return error[:500], ""
    if isinstance(error, dict):
        message = error.get("message") or error.get("detail") or error.get("msg")
        code = error.get("code") or error.get("type") or ""
        if not isinstance(message, str):
            message = json.dumps(message if message is not None else error)
        return message[:500], str(code)
    if isinstance(data, list) and data:  # e.g. [{"error": {...}}]
        return provider_error(json.dumps(data[0]).encode())
    return text[:500], ""


def error_from_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    where: str,
    model: str,
    now: float,
    key_sent: bool,
    key_env: str = "OPENAI_API_KEY",
) -> ModelHTTPError:
    """The typed error for an HTTP error status (the message is not yet redacted).

    Args:
        status: the HTTP status.
        body: the start of the response body.
        headers: response headers with lower-case names.
        where: the endpoint, already stripped of credentials.
        model: the model asked for.
        now: wall time, to read an HTTP-date `Retry-After`.
        key_sent: whether an API key was sent (to say so when auth fails).
        key_env: the environment variable the key comes from (named when auth fails).
    """
    message, code = provider_error(body)
    said = f": {message}" if message else ""
    retry_after = retry_after_seconds(headers, now)

    def make(kind: type[ModelHTTPError], text: str) -> ModelHTTPError:
        return kind(text, status=status, provider_message=message, retry_after=retry_after)

    if status in (401, 403):
        hint = (
            f"check the API key (api_key= or {key_env}) and that it may use model {model!r}"
            if key_sent
            else f"no API key was sent: pass api_key= or set {key_env}"
        )
        return make(AuthenticationError, f"HTTP {status} from {where}{said}. {hint}")
    if status == 404 or code == "model_not_found" or (status == 400 and _NO_MODEL.search(message)):
        return make(
            ModelNotFoundError,
            f"model {model!r} was not found at {where} (HTTP {status}){said}. "
            "Check model= and base_url= (it usually ends with /v1)",
        )
    if status in (400, 413, 422):
        if code == "context_length_exceeded" or _CONTEXT.search(message):
            return make(
                ContextLengthError,
                f"the conversation is too long for model {model!r}{said}. "
                "Shorten the history or use a model with a larger context window",
            )
        return make(
            BadRequestError,
            f"{where} rejected the request for model {model!r} (HTTP {status}){said}",
        )
    if status == 429:
        if code == "insufficient_quota":
            return make(
                QuotaExceededError,
                f"the account is out of quota at {where}{said}. Add credit or raise the quota",
            )
        wait = f" (retry after {retry_after:g} s)" if retry_after is not None else ""
        return make(RateLimitError, f"rate limited by {where}{wait}{said}")
    if status >= 500 or status in (408, 409):
        return make(ServerError, f"the provider failed (HTTP {status} from {where}){said}")
    return make(ModelHTTPError, f"HTTP {status} from {where}{said}")
