"""The mock server's `/v1/messages` on the wire (raw httpx): what it checks, the events it
names, its whole messages, and the faults it plays as Anthropic would, typed by
`AnthropicModel` like the real API's."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from transport.transport_helpers import running

from remi_web.core.ctx import ChatCtx
from remi_web.core.messages import Message
from remi_web.core.model_io import ModelRequest
from remi_web.http.sse import SseDecoder
from remi_web.model import (
    NO_RETRY,
    AnthropicModel,
    AuthenticationError,
    ContextLengthError,
    ModelHTTPError,
    ModelNotFoundError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    StreamError,
)
from remi_web.testing.mock_server import MockConfig, create_app

HEADERS = {"anthropic-version": "2023-06-01", "x-api-key": "sk-ant-k"}
BODY: dict[str, Any] = {
    "model": "mock", "max_tokens": 64, "messages": [{"role": "user", "content": "count to 3"}],
}


async def _post(root: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{root}/v1/messages", json=body, headers=headers or HEADERS)


def _root(mock_llm: str) -> str:
    return mock_llm.removesuffix("/v1")


async def test_the_stream_names_each_event_by_its_type(mock_llm: str) -> None:
    response = await _post(_root(mock_llm), {**BODY, "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = SseDecoder().feed(response.content)
    assert all(e.event == json.loads(e.data)["type"] for e in events)
    names = [e.event for e in events]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-2:] == ["message_delta", "message_stop"]
    text = "".join(
        json.loads(e.data)["delta"]["text"] for e in events if e.event == "content_block_delta"
    )
    assert text == "1 2 3"


async def test_a_whole_message_without_stream(mock_llm: str) -> None:
    response = await _post(_root(mock_llm), BODY)
    message = response.json()
    assert message["type"] == "message" and message["stop_reason"] == "end_turn"
    assert message["content"] == [{"type": "text", "text": "1 2 3"}]
    assert message["usage"]["input_tokens"] > 0 and message["usage"]["output_tokens"] > 0


@pytest.mark.parametrize(
    ("body", "headers", "message"),
    [
        (BODY, {"x-api-key": "sk-ant-k"}, "anthropic-version: header is required"),
        ({**BODY, "max_tokens": None}, HEADERS, "max_tokens: Field required"),
        ({"model": "mock", "max_tokens": 9}, HEADERS, "messages: Field required"),
        ({**BODY, "model": "replay-nope"}, HEADERS, "model: replay-nope"),
    ],
)
async def test_what_anthropic_rejects_the_mock_rejects(
    mock_llm: str, body: Any, headers: dict[str, str], message: str
) -> None:
    response = await _post(_root(mock_llm), body, headers)
    assert response.status_code in (400, 404)
    error = response.json()
    assert error["type"] == "error" and message in error["error"]["message"]


async def test_a_server_key_is_checked_as_x_api_key_or_bearer() -> None:
    async with running(create_app(MockConfig(api_key="sk-ant-right"))) as root:
        wrong = await _post(root, BODY, {**HEADERS, "x-api-key": "sk-ant-wrong"})
        right = await _post(root, BODY, {**HEADERS, "x-api-key": "sk-ant-right"})
        bearer = await _post(
            root, BODY, {"anthropic-version": "2023-06-01", "authorization": "Bearer sk-ant-right"}
        )
        model = AnthropicModel("mock", base_url=root, api_key="sk-ant-wrong", retry=NO_RETRY)
        with pytest.raises(AuthenticationError, match="invalid x-api-key"):
            [c async for c in model.chat(ModelRequest([Message.user("hi")]), ChatCtx())]
        await model.aclose()
    assert wrong.status_code == 401 and wrong.json()["error"]["type"] == "authentication_error"
    assert right.status_code == 200 and bearer.status_code == 200


@pytest.mark.parametrize(
    ("fault", "status", "kind", "typed"),
    [
        ("overloaded", 529, "overloaded_error", ServerError),
        ("429; retry_after=2", 429, "rate_limit_error", RateLimitError),
        ("500", 500, "api_error", ServerError),
        ("401", 401, "authentication_error", AuthenticationError),
        ("404", 404, "not_found_error", ModelNotFoundError),
        ("context", 400, "invalid_request_error", ContextLengthError),
        ("quota", 400, "invalid_request_error", QuotaExceededError),
    ],
)
async def test_faults_come_as_anthropic_errors_and_are_typed(
    mock_llm: str, fault: str, status: int, kind: str, typed: type[ModelHTTPError]
) -> None:
    root = _root(mock_llm)
    response = await _post(root, BODY, {**HEADERS, "x-mock-fault": fault})
    assert response.status_code == status and response.json()["error"]["type"] == kind
    model = AnthropicModel(
        "mock", base_url=root, api_key="k", retry=NO_RETRY, extra_headers={"x-mock-fault": fault}
    )
    with pytest.raises(ModelHTTPError) as raised:
        [c async for c in model.chat(ModelRequest([Message.user("hi")]), ChatCtx())]
    await model.aclose()
    assert type(raised.value) is typed and raised.value.status == status
    if fault.startswith("429"):
        assert response.headers["retry-after"] == "2" and raised.value.retry_after == 2.0


@pytest.mark.parametrize("fault", ["cut; after=3", "truncate; after=3", "malformed; after=3"])
async def test_stream_faults_are_stream_errors(mock_llm: str, fault: str) -> None:
    model = AnthropicModel(
        "mock", base_url=_root(mock_llm), api_key="k", extra_headers={"x-mock-fault": fault}
    )
    with pytest.raises(StreamError):
        [c async for c in model.chat(ModelRequest([Message.user("count to 30")]), ChatCtx())]
    await model.aclose()
