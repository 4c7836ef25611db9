"""The JSON-RPC 2.0 messages of MCP, as `McpHttpClient` writes and reads them."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..core.schema_types import JsonValue
from .errors import McpError

METHOD_NOT_FOUND = -32601
"""The JSON-RPC error code for a method the receiver does not offer."""


def request(request_id: int, method: str, params: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """A request the server must answer."""
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": dict(params)}


def notification(method: str, params: Mapping[str, JsonValue] | None = None) -> dict[str, JsonValue]:
    """A notification (no answer)."""
    message: dict[str, JsonValue] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = dict(params)
    return message


def answer(server_request: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """The answer to a request from the server: `ping` gets an empty result, any other method
    an error (this client offers no sampling, elicitation or roots)."""
    request_id = server_request.get("id")
    if server_request.get("method") == "ping":
        return {"jsonrpc": "2.0", "id": request_id, "result": {}}
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {"code": METHOD_NOT_FOUND, "message": f"{server_request.get('method')} is not offered"},
    }


def encode(message: Mapping[str, JsonValue]) -> bytes:
    """`message` as the body of a POST."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def decode(text: str | bytes, server: str) -> list[dict[str, JsonValue]]:
    """The messages of a JSON body or an SSE event's data (one message or a batch)."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise McpError(f"MCP server {server} sent a message that is not JSON ({error}).") from None
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


def result_of(message: Mapping[str, JsonValue], method: str, server: str) -> dict[str, JsonValue]:
    """The result of the response `message` to `method`; `McpError` for an error response."""
    error = message.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        raise McpError(
            f"MCP server {server} refused {method}: {error.get('message')} (code {code}).",
            rpc_code=code if isinstance(code, int) else None,
        )
    result = message.get("result")
    if not isinstance(result, dict):
        raise McpError(f"MCP server {server} answered {method} without a result object.")
    return result
