"""`SessionCapture`: made from a `Start` request or from a stored thread (history, external
tools, model settings, metadata), with typed errors for what cannot be replayed, and a JSON
round trip."""

from __future__ import annotations

import json

import pytest
from helpers import collect
from pydantic import ValidationError

from remi_web import AgentBuilder, ChatRequest, Done, MemoryStore, ScriptedModel
from remi_web.core.content import ImageUrlPart, TextPart
from remi_web.core.errors import MessageNotFound, RequestError, ThreadNotFound
from remi_web.core.ids import RunId, ThreadId
from remi_web.core.messages import Message
from remi_web.core.model_io import ToolDefinition
from remi_web.core.outcome import ToolOutcome
from remi_web.core.requests import RunOverrides, Start
from remi_web.core.usage_limits import UsageLimits
from remi_web.evals import (
    CaptureError,
    InvalidStartMessage,
    MissingStartRequest,
    SessionCapture,
    Variant,
    replay_request,
)

pytestmark = pytest.mark.pyodide

LOOKUP = ToolDefinition(
    "lookup", "Look a word up.", {"type": "object", "properties": {"word": {"type": "string"}}}
)


def test_a_start_request_is_captured_whole() -> None:
    request = ChatRequest(
        Start([Message.system("Be kind."), Message.user("hi"), Message.assistant("hello"),
               Message.user("what is 2+2?")]),
        tools=[LOOKUP],
        metadata={"user": "ann"},
        overrides=RunOverrides(model="big", temperature=0.2, max_tokens=64,
                               usage_limits=UsageLimits(requests=3)),
    )
    capture = SessionCapture.from_request(request)
    assert capture.message.content == "what is 2+2?"
    assert [m.content for m in capture.history] == ["Be kind.", "hi", "hello"]
    assert capture.tools == [LOOKUP]
    assert (capture.model, capture.temperature, capture.max_tokens) == ("big", 0.2, 64)
    assert capture.usage_limits == UsageLimits(requests=3)
    assert capture.metadata == {"user": "ann"}
    # replayed as captured, the request starts the same conversation with the same settings
    again = replay_request(capture)
    assert isinstance(again.input, Start)
    assert again.input.messages == request.input.messages  # type: ignore[union-attr]
    assert (again.tools, again.metadata, again.overrides) == (request.tools, request.metadata, request.overrides)


def test_a_thread_request_takes_its_stored_history_when_given() -> None:
    earlier = [Message.user("one"), Message.assistant("two")]
    request = ChatRequest(Start([Message.user("three")]), thread_id=ThreadId("t"))
    assert SessionCapture.from_request(request).history == []
    assert SessionCapture.from_request(request, history=earlier).history == earlier


@pytest.mark.parametrize(
    "request_",
    [
        ChatRequest.resume(RunId("run-1"), {"i1": {"approved": True}}),
        ChatRequest.tool_results(RunId("run-1"), [ToolOutcome("c1", "42")]),
    ],
    ids=["resume", "tool_results"],
)
def test_a_request_that_continues_a_run_cannot_be_captured(request_: ChatRequest) -> None:
    with pytest.raises(MissingStartRequest, match="run-1") as caught:
        SessionCapture.from_request(request_)
    assert caught.value.code == "missing_start_request"
    assert isinstance(caught.value, CaptureError) and isinstance(caught.value, RequestError)


def test_a_start_that_does_not_end_with_a_user_message_cannot_be_captured() -> None:
    ends_with_assistant = ChatRequest(Start([Message.user("hi"), Message.assistant("hello")]))
    with pytest.raises(InvalidStartMessage, match="'assistant'") as caught:
        SessionCapture.from_request(ends_with_assistant)
    assert caught.value.code == "invalid_start_message"
    with pytest.raises(InvalidStartMessage, match="no messages"):
        SessionCapture.from_request(ChatRequest(Start([])))
    with pytest.raises(InvalidStartMessage, match="'tool'"):
        SessionCapture(Message.tool("c1", "42"))


def test_json_round_trip_keeps_everything() -> None:
    capture = SessionCapture(
        Message.user([TextPart("what is in this picture?"), ImageUrlPart("https://example.com/cat.png")]),
        [Message.system("Look closely."), Message.user("hi"), Message.assistant("hello", reasoning="greet")],
        [LOOKUP], "vision", 0.5, 100, {"tags": ["a", 1, None]}, UsageLimits(total_tokens=500),
    )
    text = capture.to_json()
    back = SessionCapture.from_json(text)
    assert back == capture
    assert json.loads(text)["message"]["content"][1]["type"] == "image_url"
    assert SessionCapture.from_dict(json.loads(text)) == capture


def test_json_that_is_not_a_capture_is_refused_with_where() -> None:
    data = SessionCapture.user("hi").to_dict()
    with pytest.raises(InvalidStartMessage):
        SessionCapture.from_dict({**data, "message": {"role": "assistant", "content": "hi"}})
    with pytest.raises(ValidationError, match="temperature"):
        SessionCapture.from_dict({**data, "temperature": "warm"})
    with pytest.raises(ValidationError, match="message"):
        SessionCapture.from_dict({"history": []})


async def test_a_stored_thread_is_captured_with_its_runs_settings() -> None:
    store = MemoryStore()
    model = ScriptedModel([["hello"], ["four"]])
    agent = AgentBuilder().model(model).store(store).build()
    thread = ThreadId("thread-1")
    first = ChatRequest(
        Start([Message.user("hi")]), thread_id=thread, tools=[LOOKUP],
        metadata={"turn": "first"}, overrides=RunOverrides(model="small", temperature=0.1),
    )
    second = ChatRequest(
        Start([Message.user("what is 2+2?")]), thread_id=thread,
        metadata={"turn": "second"}, overrides=RunOverrides(model="big", max_tokens=32),
    )
    for request in (first, second):
        assert isinstance((await collect(agent.chat(request)))[-1], Done)

    latest = await SessionCapture.from_thread(store, thread)
    assert latest.message.content == "what is 2+2?"
    assert [(m.role, m.content) for m in latest.history] == [("user", "hi"), ("assistant", "hello")]
    assert (latest.model, latest.max_tokens, latest.tools) == ("big", 32, [])
    assert latest.metadata["turn"] == "second"

    earlier = await SessionCapture.from_thread(store, thread, at=0)
    assert earlier.message.content == "hi" and earlier.history == []
    assert (earlier.model, earlier.temperature, earlier.tools) == ("small", 0.1, [LOOKUP])
    assert earlier.metadata["turn"] == "first"

    by_id = await SessionCapture.from_thread(store, thread, at=latest.message.id, model="override")
    assert by_id.message.id == latest.message.id and by_id.model == "override"


async def test_a_thread_in_a_store_without_checkpoints_gives_messages_only() -> None:
    class MessagesOnly:
        """A `ThreadStore` that keeps messages and nothing else."""

        def __init__(self) -> None:
            self.threads: dict[str, list[Message]] = {}

        async def load_messages(self, thread_id: str) -> list[Message]:
            return list(self.threads.get(thread_id, []))

        async def append_messages(self, thread_id: str, messages: list[Message]) -> None:
            self.threads.setdefault(thread_id, []).extend(messages)

        async def list_threads(self) -> list[str]:
            return list(self.threads)

        async def delete_thread(self, thread_id: str) -> None:
            self.threads.pop(thread_id, None)

    store = MessagesOnly()
    await store.append_messages("t", [Message.user("hi"), Message.assistant("hello")])
    capture = await SessionCapture.from_thread(store, ThreadId("t"), tools=[LOOKUP], temperature=0.7)  # type: ignore[arg-type]
    assert capture.message.content == "hi"
    assert (capture.tools, capture.temperature, capture.model) == ([LOOKUP], 0.7, None)


async def test_a_thread_capture_names_what_is_wrong() -> None:
    store = MemoryStore()
    with pytest.raises(ThreadNotFound):
        await SessionCapture.from_thread(store, ThreadId("nothing"))
    await store.append_messages(ThreadId("t"), [Message.system("rules"), Message.user("hi"), Message.assistant("hello")])
    with pytest.raises(InvalidStartMessage, match="'assistant' message"):
        await SessionCapture.from_thread(store, ThreadId("t"), at=-1)
    with pytest.raises(InvalidStartMessage, match="end of the thread"):
        await SessionCapture.from_thread(store, ThreadId("t"), at=3)
    with pytest.raises(MessageNotFound):
        await SessionCapture.from_thread(store, ThreadId("t"), at="no-such-id")
    await store.append_messages(ThreadId("quiet"), [Message.system("rules")])
    with pytest.raises(InvalidStartMessage, match="no user message"):
        await SessionCapture.from_thread(store, ThreadId("quiet"))


def test_builders_return_changed_copies() -> None:
    capture = SessionCapture.user("hi")
    history = [Message.system("be brief")]
    changed = capture.with_history(history).with_tools([LOOKUP]).with_metadata({"k": 1})
    assert (changed.history, changed.tools, changed.metadata) == (history, [LOOKUP], {"k": 1})
    assert (capture.history, capture.tools, capture.metadata) == ([], [], {})
    assert replay_request(changed, Variant("v")).tools == [LOOKUP]
