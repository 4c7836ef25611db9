"""Every event round-trips through the one JSON adapter (property-tested)."""

from __future__ import annotations

import json
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import remi_web.core.events as events_module
from remi_web import (
    AgentEvent,
    ChatRequest,
    InterruptInfo,
    Message,
    TextDelta,
    ToolCallRequest,
    ToolResult,
    Usage,
    event_from_json,
    event_to_json,
)
from remi_web.core.content import ImageUrlPart
from remi_web.core.requests import CHAT_REQUEST_ADAPTER

pytestmark = pytest.mark.pyodide

EVENT_CLASSES = typing.get_args(typing.get_args(AgentEvent)[0])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
content = st.text() | st.lists(
    st.builds(ImageUrlPart, url=st.text(), detail=st.sampled_from([None, "low", "high"])), max_size=2
)
st.register_type_strategy(Usage, st.builds(Usage, st.integers(0, 10**6), st.integers(0, 10**6)))
st.register_type_strategy(
    InterruptInfo,
    st.builds(InterruptInfo, st.text(), st.text(), st.text(), st.text(), json_values, st.text()),
)
st.register_type_strategy(ToolCallRequest, st.builds(ToolCallRequest, st.text(), st.text(), st.text()))


def event_strategy(cls: type) -> st.SearchStrategy[object]:
    """Events with arbitrary field values (JSON payloads and content included)."""
    hints = typing.get_type_hints(cls)
    fields = {}
    for name in cls.__dataclass_fields__:  # type: ignore[attr-defined]
        if name == "type":
            continue
        hint = hints[name]
        text = str(hint)
        if name == "metadata":
            fields[name] = st.dictionaries(st.text(max_size=5), json_values, max_size=3)
        elif "JsonValue" in text or name in ("data", "event", "payload"):
            fields[name] = json_values
        elif name == "content":
            fields[name] = content
        elif hint is float:  # JSON has no inf or nan
            fields[name] = st.floats(allow_nan=False, allow_infinity=False)
        else:
            fields[name] = st.from_type(hint)
    return st.builds(cls, **fields)


def test_the_union_holds_the_whole_vocabulary() -> None:
    names = {cls.__dataclass_fields__["type"].default for cls in EVENT_CLASSES}  # type: ignore[attr-defined]
    assert names == {
        "run_start", "run_resumed", "turn_start", "text_delta", "thinking_delta",
        "tool_call_start", "tool_call_args_delta", "tool_call_ready", "tool_progress",
        "tool_result", "need_tool_execution", "interrupt", "interrupt_answered", "checkpoint",
        "usage", "model_retry",
        "turn_end", "sub_session", "custom", "error", "cancelled", "done",
    }
    public = {n for n in dir(events_module) if isinstance(getattr(events_module, n), type)}
    assert {cls.__name__ for cls in EVENT_CLASSES} <= public


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_event_round_trips(cls: type, data: st.DataObject) -> None:
    event = data.draw(event_strategy(cls))
    text = event_to_json(event)  # type: ignore[arg-type]
    assert json.loads(text)["type"] == event.type  # type: ignore[attr-defined]
    assert event_from_json(text) == event


def test_the_wire_shape_is_flat_json_with_a_type() -> None:
    assert json.loads(event_to_json(TextDelta("hi"))) == {"type": "text_delta", "text": "hi"}
    result = ToolResult("c1", "add", [ImageUrlPart("http://x/y.png")])
    assert json.loads(event_to_json(result))["content"] == [
        {"type": "image_url", "url": "http://x/y.png", "detail": None}
    ]


def test_unknown_event_types_are_rejected() -> None:
    with pytest.raises(ValueError, match="tag"):
        event_from_json('{"type": "nope"}')


def test_chat_requests_round_trip_as_json() -> None:
    request = ChatRequest.user([ImageUrlPart("http://x/cat.png")])
    again = CHAT_REQUEST_ADAPTER().validate_json(CHAT_REQUEST_ADAPTER().dump_json(request))
    assert again == request
    assert isinstance(again.input.messages[0], Message)  # type: ignore[union-attr]
