"""Reading a request body: a size limit, a nesting limit, JSON, then a `ChatRequest`, with
4xx answers naming the field at fault."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from itertools import accumulate

from pydantic import JsonValue, ValidationError
from starlette.requests import Request

from ..core.json_schema import json_kind
from ..core.requests import CHAT_REQUEST_ADAPTER, ChatRequest
from .problems import HttpProblem

MAX_ERRORS_SHOWN = 3
MAX_DEPTH = 64
"""The deepest nesting of arrays and objects a request body may have (400 `too_deep`)."""


BODY_TIMEOUT = 30.0
"""Seconds a client may take to send a request body."""


async def read_body(request: Request, max_bytes: int, timeout: float = BODY_TIMEOUT) -> bytes:
    """The raw body, refused with 413 past `max_bytes` (announced or actually sent), and
    with 408 when it takes longer than `timeout` seconds to arrive."""
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > max_bytes:
        raise _too_large(max_bytes)
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind and kind != "application/json" and not kind.endswith("+json"):
        raise HttpProblem(
            415, "unsupported_media_type",
            f"Send the body as application/json (got {kind!r}).", None,
        )
    parts: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                parts.append(chunk)
    except TimeoutError:
        raise HttpProblem(
            408, "body_timeout", f"The request body took longer than {timeout:g} s to arrive."
        ) from None
    return b"".join(parts)


def parse_json(raw: bytes) -> JsonValue:
    """The JSON document of `raw`, or a 400 saying where it is malformed."""
    if not raw.strip():
        raise HttpProblem(400, "invalid_json", "The request body is empty; send a JSON object.")
    if nests_deeper_than(raw, MAX_DEPTH):
        raise HttpProblem(
            400, "too_deep",
            f"The request body nests arrays and objects deeper than this server's limit of "
            f"{MAX_DEPTH} levels.",
        )
    try:
        value: JsonValue = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except UnicodeDecodeError:
        raise HttpProblem(400, "invalid_json", "The request body is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise HttpProblem(
            400, "invalid_json",
            f"The request body is not valid JSON: {error.msg} at line {error.lineno} "
            f"column {error.colno}.",
        ) from None
    except ValueError as error:  # a number JSON allows but Python will not read
        raise HttpProblem(400, "invalid_json", f"The request body is not valid JSON: {error}.") from None
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:20]}{'...' if len(text) > 20 else ''} is too large")
    return number


_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
"""A JSON string, escapes honoured; one never closed runs to the end of the text."""
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as signed bytes
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether the JSON text `raw` opens more than `limit` arrays or objects at once.

    Checked before parsing, in linear time and without recursion (so a body of 200,000 `[`
    costs what its size costs): strings are cut out (brackets inside them do not count,
    escaped quotes do not end them), then the depth is the running sum of the brackets left.
    Malformed text gets an answer too; the parser then says what is wrong with it.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    steps = _STRING.sub(b"", raw).translate(_STEPS, _NOT_BRACKETS)
    return max(accumulate(memoryview(steps).cast("b")), default=0) > limit


def parse_chat_request(raw: bytes) -> ChatRequest:
    """The `ChatRequest` of a body, or a 400/422 naming the first field at fault."""
    document = parse_json(raw)
    if not isinstance(document, dict):
        raise HttpProblem(
            422, "invalid_request",
            f"The body must be a JSON object (a ChatRequest), not {json_kind(document)}.",
        )
    try:
        return CHAT_REQUEST_ADAPTER().validate_python(document)
    except ValidationError as error:
        raise validation_problem(error, document) from None


def validation_problem(error: ValidationError, document: JsonValue) -> HttpProblem:
    """A 422 naming the fields of a validation error (the first one in `field`)."""
    by_field: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        messages = by_field.setdefault(field_path(item["loc"], document) or "(body)", [])
        if item["msg"] not in messages:
            messages.append(str(item["msg"]))
    shown = list(by_field.items())[:MAX_ERRORS_SHOWN]
    message = "; ".join(f"{field}: {' or '.join(msgs)}" for field, msgs in shown)
    if len(by_field) > len(shown):
        message += f" (and {len(by_field) - len(shown)} more fields)"
    first = shown[0][0]
    return HttpProblem(422, "invalid_request", f"Invalid request: {message}.", first)


def field_path(loc: Sequence[int | str], document: JsonValue) -> str:
    """A validation error's location as the dotted path of the field the client sent.

    Pydantic puts union labels in locations: the tag of a discriminated union (`start`)
    and the member tried for a plain union (`str`, `list[...]`); neither is a field of the
    document, so both are left out.
    """
    parts: list[str] = []
    node: JsonValue = document
    for step in loc:
        if isinstance(node, dict):
            if isinstance(step, str) and step not in node and node.get("type") == step:
                continue  # a union tag, not a key
            node = node.get(str(step))
        elif isinstance(node, list) and isinstance(step, int):
            node = node[step] if 0 <= step < len(node) else None
        elif isinstance(step, str):
            continue  # a union member's label under a value that has no fields
        else:
            node = None
        parts.append(str(step))
    return ".".join(parts)


def _too_large(limit: int) -> HttpProblem:
    return HttpProblem(
        413, "body_too_large", f"The request body is larger than this server's limit of {limit} bytes."
    )
