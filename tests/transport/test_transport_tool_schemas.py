"""Tools a remote caller sends are checked against JSON Schema Draft 2020-12 on arrival: a bad
schema is a 422 `invalid_tool_schema` naming the tool and the field, and nothing starts."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
from helpers import collect
from transport_helpers import chat_body, post_run

from remi_web import ChatRequest, HttpAgent, Message, Start, ToolDefinition
from remi_web.core.errors import ToolSchemaError
from remi_web.remote import RemoteRefusal

Server = Callable[..., AbstractAsyncContextManager[str]]

GOOD = {"name": "weather", "description": "Weather.", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
}}
BAD = {"name": "lookup", "description": "Look up.", "parameters": {
    "type": "object", "properties": {"query": {"type": "text"}},
}}


async def test_a_tool_with_an_invalid_schema_gets_422_naming_the_tool_and_field(
    agent_server: Server,
) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{root}/v1/runs", content=chat_body("hi", tools=[GOOD, BAD]))
        health = await client.get(f"{root}/healthz")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_tool_schema"
    assert error["field"] == "tools.1.parameters.properties.query.type"
    assert error["message"].startswith("Tool 'lookup': ") and "'text' is not valid" in error["message"]
    assert "Traceback" not in response.text
    assert health.json()["live_runs"] == 0


async def test_valid_tool_schemas_are_accepted(agent_server: Server) -> None:
    async with agent_server() as root, httpx.AsyncClient(timeout=30) as client:
        frames = await post_run(client, f"{root}/v1/runs", chat_body("hi", tools=[GOOD]))
    assert frames[0].event == "run_start"
    assert frames[-1].event in ("done", "need_tool_execution")


async def test_http_agent_raises_the_typed_error(agent_server: Server) -> None:
    bad = ToolDefinition(BAD["name"], BAD["description"], BAD["parameters"])  # type: ignore[arg-type]
    request = ChatRequest(Start([Message.user("hi")]), tools=[bad])
    async with agent_server() as root:
        agent = HttpAgent(root)
        with pytest.raises(ToolSchemaError) as raised:
            await collect(agent.chat(request))
        await agent.aclose()
    error = raised.value
    assert isinstance(error, RemoteRefusal) and error.status == 422
    assert error.code == error.remote_code == "invalid_tool_schema"
    assert error.path == error.field == "tools.0.parameters.properties.query.type"
    assert "Tool 'lookup'" in str(error)
