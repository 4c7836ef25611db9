"""The mock server's `/v1/responses` on the wire: what it streams, what it refuses as OpenAI
does with `store: false`, and its faults (raw httpx, and `OpenAIResponsesModel`)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from transport.transport_helpers import running

from remi_web.core.ctx import ChatCtx
from remi_web.core.messages import Message
from remi_web.core.model_io import ModelRequest, TextChunk
from remi_web.http.sse import decode_events
from remi_web.model import NO_RETRY, AuthenticationError, OpenAIResponsesModel, StreamError
from remi_web.testing.mock_responses import seal
from remi_web.testing.mock_server import MockConfig, create_app

USER = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}


async def _post(base_url: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{base_url}/responses", json=body, headers=headers, timeout=30)


async def test_a_stream_is_event_lines_numbered_in_order(mock_llm: str) -> None:
    reply = await _post(mock_llm, {"model": "mock-reasoning", "input": [USER], "stream": True,
                                   "reasoning": {"summary": "auto"}})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = decode_events([reply.content])
    payloads = [json.loads(e.data) for e in events]
    assert [e.event for e in events] == [p["type"] for p in payloads]
    assert [p["sequence_number"] for p in payloads] == list(range(len(payloads)))
    kinds = [p["type"] for p in payloads]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert kinds[-1] == "response.completed" and "response.reasoning_summary_text.delta" in kinds
    final = payloads[-1]["response"]
    assert [item["type"] for item in final["output"]] == ["reasoning", "message"]
    assert final["output"][1]["content"][0]["text"] == "You said: hi"
    assert final["usage"]["output_tokens_details"]["reasoning_tokens"] > 0


async def test_a_whole_response_without_stream(mock_llm: str) -> None:
    reply = await _post(mock_llm, {"model": "mock", "input": "count to 3", "instructions": "Be brief."})
    assert reply.status_code == 200
    whole = reply.json()
    assert whole["object"] == "response" and whole["status"] == "completed"
    assert whole["instructions"] == "Be brief."
    assert whole["output"][0]["content"][0]["text"] == "1 2 3"


@pytest.mark.parametrize(
    ("items", "status", "said"),
    [
        ([USER, {"type": "reasoning", "id": "rs_1", "summary": []}], 404,
         "Items are not persisted when `store` is set to false"),
        ([USER, {"type": "function_call_output", "call_id": "call_x", "output": "1"}], 400,
         "No tool call found for function call output with call_id call_x"),
        ([USER, {"type": "reasoning", "summary": [], "encrypted_content": "forged"}], 400,
         "could not be verified"),
    ],
)
async def test_what_openai_refuses_without_store_is_refused(
    mock_llm: str, items: list[Any], status: int, said: str
) -> None:
    reply = await _post(mock_llm, {"model": "mock", "input": items, "stream": True})
    assert reply.status_code == status and said in reply.json()["error"]["message"]
    missing = await _post(mock_llm, {"model": "mock"})
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "input"


async def test_reasoning_it_gave_out_and_ids_with_content_are_accepted(mock_llm: str) -> None:
    items = [
        USER,
        {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": seal("hm")},
        {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
         "content": [{"type": "output_text", "text": "You said: hi", "annotations": []}]},
        {"type": "message", "role": "user", "content": "what did I say?"},
    ]
    reply = await _post(mock_llm, {"model": "mock", "input": items})
    assert reply.status_code == 200
    assert reply.json()["output"][0]["content"][0]["text"] == "You first said: hi"
    assert reply.json()["usage"]["input_tokens_details"]["cached_tokens"] > 0


async def test_a_key_is_checked() -> None:
    async with running(create_app(MockConfig(api_key="sk-mock-key-0123"))) as root:
        wrong = OpenAIResponsesModel("mock", base_url=root + "/v1", api_key="sk-wrong-0123456")
        try:
            with pytest.raises(AuthenticationError, match="Incorrect API key"):
                await _chunks(wrong, "hi")
        finally:
            await wrong.aclose()
        right = OpenAIResponsesModel("mock", base_url=root + "/v1", api_key="sk-mock-key-0123")
        try:
            chunks = await _chunks(right, "hi")
            assert chunks[:3] == [TextChunk("You "), TextChunk("said: "), TextChunk("hi")]
        finally:
            await right.aclose()


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("cut; after=4", "stream broke|connection was cut"),
        ("truncate; after=4", "ended before response.completed"),
        ("malformed; after=4", "malformed event"),
    ],
)
async def test_stream_faults_are_stream_errors(mock_llm: str, fault: str, said: str) -> None:
    model = OpenAIResponsesModel("mock", base_url=mock_llm, api_key="sk-local",
                                 extra_headers={"x-mock-fault": fault}, retry=NO_RETRY)
    try:
        with pytest.raises(StreamError, match=said):
            await _chunks(model, "count to 9")
    finally:
        await model.aclose()
    unknown = await _post(mock_llm, {"model": "replay-nope", "input": "hi"})
    assert unknown.status_code == 404 and "known recordings" in unknown.json()["error"]["message"]


async def _chunks(model: OpenAIResponsesModel, text: str) -> list[object]:
    return [c async for c in model.chat(ModelRequest([Message.user(text)]), ChatCtx())]
