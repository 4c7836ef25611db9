"""Variants and the replay input, the seed's way: the variant's system prompt replaces the
first system message or is put first; tools are appended or replaced; settings overridden.
And what the model is really sent when a variant is replayed."""

from __future__ import annotations

import pytest
from helpers import collect

from remi_web import AgentBuilder, Done, ScriptedModel
from remi_web.core.messages import Message
from remi_web.core.model_io import ToolDefinition
from remi_web.core.requests import Start
from remi_web.evals import (
    DatasetError,
    InvalidVariant,
    SessionCapture,
    Variant,
    parse_variants,
    replay_messages,
    replay_request,
    replay_tools,
)

pytestmark = pytest.mark.pyodide


def definition(name: str, description: str = "") -> ToolDefinition:
    return ToolDefinition(name, description or f"The {name} tool.")


# Ported from the seed's unit test `replay_input_replaces_or_inserts_system_prompt`.
def test_replay_input_replaces_or_inserts_system_prompt() -> None:
    with_system = SessionCapture(
        Message.user("question"), [Message.system("old prompt"), Message.user("hi"), Message.system("later")]
    )
    variant = Variant("v", "V", system="new prompt")
    replaced = replay_messages(with_system, variant)
    assert [(m.role, m.content) for m in replaced] == [
        ("system", "new prompt"), ("user", "hi"), ("system", "later"), ("user", "question")
    ]
    without_system = SessionCapture(Message.user("question"), [Message.user("hi"), Message.assistant("hello")])
    inserted = replay_messages(without_system, variant)
    assert [(m.role, m.content) for m in inserted] == [
        ("system", "new prompt"), ("user", "hi"), ("assistant", "hello"), ("user", "question")
    ]
    # the capture itself is left as it was
    assert [m.content for m in with_system.history] == ["old prompt", "hi", "later"]


# Ported from the seed's unit test `replay_input_appends_extra_tools_by_default`.
def test_replay_input_appends_extra_tools_by_default() -> None:
    capture = SessionCapture.user("question", tools=[definition("search")])
    variant = Variant("v", "V", tools=[definition("calculator")])
    assert variant.tool_mode == "append"
    assert [t.name for t in replay_tools(capture, variant)] == ["search", "calculator"]
    request = replay_request(capture, variant)
    assert [t.name for t in request.tools] == ["search", "calculator"]


def test_replace_mode_sends_only_the_variants_tools() -> None:
    capture = SessionCapture.user("question", tools=[definition("search"), definition("lookup")])
    assert [t.name for t in replay_tools(capture, Variant("v", tools=[definition("calculator")], tool_mode="replace"))] == ["calculator"]
    assert replay_tools(capture, Variant("none", tool_mode="replace")) == []


def test_an_appended_tool_of_the_same_name_replaces_the_captured_one_in_place() -> None:
    capture = SessionCapture.user("q", tools=[definition("search", "old"), definition("lookup")])
    tools = replay_tools(capture, Variant("v", tools=[definition("extra"), definition("search", "new")]))
    assert [(t.name, t.description) for t in tools] == [
        ("search", "new"), ("lookup", "The lookup tool."), ("extra", "The extra tool.")
    ]


def test_settings_are_overridden_and_metadata_merged() -> None:
    capture = SessionCapture(
        Message.user("q"), model="small", temperature=0.9, max_tokens=100, metadata={"a": 1, "b": 2}
    )
    request = replay_request(capture, Variant("v", model="big", temperature=0.0, metadata={"b": 3, "c": 4}))
    assert (request.overrides.model, request.overrides.temperature, request.overrides.max_tokens) == ("big", 0.0, 100)
    assert request.metadata == {"a": 1, "b": 3, "c": 4}
    assert request.thread_id is None
    as_captured = replay_request(capture)
    assert (as_captured.overrides.model, as_captured.overrides.temperature) == ("small", 0.9)
    assert isinstance(as_captured.input, Start) and as_captured.input.messages[-1] is capture.message


async def test_the_model_is_sent_the_variants_prompt_tools_and_settings() -> None:
    capture = SessionCapture(
        Message.user("what now?"), [Message.system("You are old."), Message.user("hi"), Message.assistant("hello")],
        [definition("search")], temperature=0.9,
    )
    model = ScriptedModel([["fine"]])
    agent = AgentBuilder().model(model).build()
    variant = Variant("v", system="You are new.", tools=[definition("calculator")], temperature=0.1, max_tokens=20)
    events = await collect(agent.chat(replay_request(capture, variant)))
    assert isinstance(events[-1], Done)
    sent = model.requests[0]
    assert [(m.role, m.content) for m in sent.messages] == [
        ("system", "You are new."), ("user", "hi"), ("assistant", "hello"), ("user", "what now?")
    ]
    assert [t.name for t in sent.tools] == ["search", "calculator"]
    assert (sent.temperature, sent.max_tokens) == (0.1, 20)


def test_a_variant_is_checked_and_labelled() -> None:
    assert Variant("fast").label == "fast"
    assert Variant("fast", "Fast model").label == "Fast model"
    with pytest.raises(InvalidVariant, match="non-empty `id`"):
        Variant("  ")
    with pytest.raises(InvalidVariant, match="'merge'"):
        Variant("v", tool_mode="merge")  # type: ignore[arg-type]
    baseline = Variant.baseline()
    assert (baseline.id, baseline.label, baseline.system, baseline.tools) == ("baseline", "Baseline", None, [])


def test_variants_round_trip_and_are_read_from_json_and_jsonl() -> None:
    variant = Variant("v", "V", system="s", tools=[definition("calculator")], tool_mode="replace",
                      model="m", temperature=0.5, max_tokens=9, metadata={"k": [1]})
    assert Variant.from_dict(variant.to_dict()) == variant
    text = '{"variants": [{"id": "a"}, {"id": "b", "system": "Be terse.", "tools": [{"name": "calc", "description": "Calc."}]}]}'
    a, b = parse_variants(text, "json")
    assert (a.id, a.label, b.system, [t.name for t in b.tools]) == ("a", "a", "Be terse.", ["calc"])
    assert b.tools[0].parameters == {"type": "object", "properties": {}}
    lines = '{"id": "a"}\n\n# a comment\n{"id": "b", "temperature": 0}\n'
    assert [v.id for v in parse_variants(lines, "jsonl")] == ["a", "b"]


def test_bad_variants_files_say_where() -> None:
    with pytest.raises(InvalidVariant, match="'a'"):
        parse_variants('[{"id": "a"}, {"id": "a"}]', "json")
    with pytest.raises(DatasetError, match="Variant 2: temperature") as caught:
        parse_variants('[{"id": "a"}, {"id": "b", "temperature": "hot"}]', "json")
    assert caught.value.line == 2 and caught.value.field == "temperature"
    with pytest.raises(DatasetError, match="Variant 1 must be an object"):
        parse_variants('["a"]', "json")
    with pytest.raises(DatasetError, match="Line 2 is not JSON"):
        parse_variants('{"id": "a"}\n{"id": \n', "jsonl")
    with pytest.raises(InvalidVariant, match="at least one variant"):
        parse_variants("[]", "json")
