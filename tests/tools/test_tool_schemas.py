"""Tools nobody here wrote (request-supplied, remote, WASM guests'): their schemas are checked
against JSON Schema Draft 2020-12 when they arrive, and the model's arguments against their
schemas before a call is handed out. Natively and in Pyodide (where jsonschema is loaded on
first use, through the rpds shim)."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from helpers import collect, of_type, types

from remi_web import (
    AgentBuilder,
    ChatRequest,
    ConfigurationError,
    Done,
    MemoryStore,
    Message,
    NeedToolExecution,
    ScriptedModel,
    Start,
    ToolCall,
    ToolDefinition,
    ToolInputError,
    ToolOutcome,
    ToolResult,
    tool,
)
from remi_web.core import json_schema
from remi_web.core.errors import RequestError, ToolSchemaError
from remi_web.core.json_schema import (
    check_tool_definitions,
    check_tool_schema,
    load_jsonschema,
    validate_arguments,
)

pytestmark = pytest.mark.pyodide

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 1},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
    },
    "required": ["city"],
    "additionalProperties": False,
}


@pytest.fixture(autouse=True)
async def jsonschema_loaded() -> AsyncIterator[None]:
    """Natively jsonschema is installed; in Pyodide the first check loads it (tests/conftest.py
    sets the page's loader), so the synchronous API below needs it loaded first."""
    await load_jsonschema()
    yield


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def weather(schema: dict[str, object] | None = None) -> ToolDefinition:
    return ToolDefinition("weather", "Weather in a city.", dict(schema or WEATHER))  # type: ignore[arg-type]


def test_jsonschema_runs_here_with_an_rpds_module() -> None:
    import jsonschema
    import rpds

    jsonschema.Draft202012Validator.check_schema(WEATHER)
    assert rpds.HashTrieMap({"a": 1})["a"] == 1
    if sys.platform == "emscripten":  # the stand-in wheel, not the Rust extension
        assert rpds.__name__ == "rpds" and "pyrsistent_as_rpds" in sys.modules


def test_a_valid_schema_passes() -> None:
    check_tool_schema("weather", WEATHER)
    check_tool_schema("anything", {})
    check_tool_definitions([weather(), ToolDefinition("plain", "No arguments.")])


@pytest.mark.parametrize(
    ("schema", "path", "says"),
    [
        ({"type": "strng"}, "type", "'strng' is not valid"),
        ({"type": "object", "properties": {"city": {"type": 5}}}, "properties.city.type", "5"),
        ({"type": "object", "required": "city"}, "required", "is not of type 'array'"),
        ({"properties": []}, "properties", "is not of type 'object'"),
        ({"properties": {"x": {"pattern": "("}}}, "properties.x.pattern", "is not a 'regex'"),
        ({"properties": {"x": {"minimum": "1"}}}, "properties.x.minimum", "is not of type 'number'"),
    ],
)
def test_an_invalid_schema_is_refused_naming_the_tool_and_where(
    schema: dict[str, object], path: str, says: str
) -> None:
    with pytest.raises(ToolSchemaError) as raised:
        check_tool_schema("weather", schema)  # type: ignore[arg-type]
    error = raised.value
    assert isinstance(error, RequestError) and error.code == "invalid_tool_schema"
    assert error.tool == "weather" and error.path == path
    assert str(error).startswith("Tool 'weather': ") and "Draft 2020-12" in str(error)
    assert f"at {path}: " in str(error) and says in str(error)


def test_parameters_that_are_not_a_json_object_are_refused() -> None:
    with pytest.raises(ToolSchemaError, match="Tool 'w': its parameters must be a JSON Schema object"):
        check_tool_schema("w", ["type", "object"])  # type: ignore[arg-type]
    with pytest.raises(ToolSchemaError, match="Tool 'w': its parameters are not JSON"):
        check_tool_schema("w", {"default": float("nan")})


def test_arguments_that_fit_come_back_parsed() -> None:
    assert validate_arguments("weather", WEATHER, '{"city": "Oslo", "days": 3}') == {
        "city": "Oslo", "days": 3,
    }
    assert validate_arguments("weather", WEATHER, {"city": "Oslo"}) == {"city": "Oslo"}
    assert validate_arguments("plain", {}, "") == {}


def test_arguments_that_do_not_fit_name_each_place_for_the_model() -> None:
    with pytest.raises(ToolInputError) as raised:
        validate_arguments("weather", WEATHER, '{"days": 9, "country": "NO"}')
    lines = str(raised.value).splitlines()
    assert lines[0] == "Invalid arguments for tool 'weather':"
    assert lines[-1] == "Correct the arguments and call 'weather' again."
    body = "\n".join(lines[1:-1])
    assert "- arguments: 'city' is a required property" in body
    assert "'country' was unexpected" in body
    assert "- days: 9 is greater than the maximum of 7" in body


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ('{"city": ', "are not valid JSON"),
        ("[1, 2]", "must be a JSON object, not an array"),
        ('"Oslo"', "must be a JSON object, not a string"),
    ],
)
def test_arguments_that_are_not_a_json_object_are_refused(arguments: str, says: str) -> None:
    with pytest.raises(ToolInputError, match=says):
        validate_arguments("weather", WEATHER, arguments)


def test_a_schema_whose_ref_resolves_nowhere_fails_the_call_not_the_process() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}}
    check_tool_schema("remote_ref", schema)  # valid per the meta-schema; nothing is fetched
    with pytest.raises(ToolInputError, match="cannot be checked against its schema"):
        validate_arguments("remote_ref", schema, '{"a": 1}')


def test_without_jsonschema_the_check_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    with pytest.raises(ConfigurationError, match="needs the jsonschema package"):
        check_tool_schema("never_seen_before", {"description": "a schema not cached yet"})


async def test_the_loader_is_used_only_when_jsonschema_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    async def loader(name: str) -> None:
        asked.append(name)

    monkeypatch.setattr(json_schema, "_loader", loader)
    await load_jsonschema()
    assert asked == []  # loaded already (by the fixture)
    monkeypatch.delitem(sys.modules, "jsonschema")
    monkeypatch.setattr(json_schema.importlib.util, "find_spec", lambda name: None)
    await load_jsonschema()
    assert asked == ["jsonschema"]


async def test_a_run_with_an_invalid_external_tool_schema_does_not_start() -> None:
    store = MemoryStore()
    model = ScriptedModel([["never"]])
    agent = AgentBuilder().model(model).store(store).build()
    bad = weather({"type": "object", "properties": {"city": {"type": "town"}}})
    request = ChatRequest(Start([Message.user("go")]), tools=[bad])
    with pytest.raises(ToolSchemaError, match=r"Tool 'weather'.*at properties\.city\.type") as raised:
        await collect(agent.chat(request))
    assert raised.value.path == "properties.city.type"
    assert model.requests == []


async def test_invalid_arguments_for_an_external_tool_go_back_to_the_model_not_out() -> None:
    model = ScriptedModel([
        [ToolCall("weather", {"town": "Oslo"}, id="bad")],
        [ToolCall("weather", {"city": "Oslo"}, id="good")],
        ["Cold."],
    ])
    agent = AgentBuilder().model(model).build()
    request = ChatRequest(Start([Message.user("weather?")]), tools=[weather()])
    first = await collect(agent.chat(request))
    refused = of_type(first, ToolResult)
    assert [(r.call_id, r.is_error) for r in refused] == [("bad", True)]
    assert "Invalid arguments for tool 'weather'" in str(refused[0].content)
    need = first[-1]
    assert isinstance(need, NeedToolExecution)
    assert [c.id for c in need.calls] == ["good"]  # only the corrected call is handed out
    retried = model.requests[1].messages
    assert [m.role for m in retried] == ["user", "assistant", "tool"]
    assert retried[-1].tool_call_id == "bad" and "'city' is a required property" in str(
        retried[-1].content
    )
    second = await collect(agent.chat(ChatRequest.tool_results(need.run_id, [ToolOutcome("good", "-5C")])))
    assert isinstance(second[-1], Done) and second[-1].text == "Cold."


async def test_in_one_turn_the_valid_calls_are_handed_out_and_the_invalid_answered() -> None:
    model = ScriptedModel([
        [
            ToolCall("add", {"a": 1, "b": 2}, id="local"),
            ToolCall("weather", {"city": "Oslo", "days": 0}, id="bad"),
            ToolCall("weather", {"city": "Bergen"}, id="good"),
        ],
        ["Done."],
    ])
    agent = AgentBuilder().model(model).tools(add).build()
    request = ChatRequest(Start([Message.user("go")]), tools=[weather()])
    first = await collect(agent.chat(request))
    results = {r.call_id: r for r in of_type(first, ToolResult)}
    assert set(results) == {"local", "bad"} and results["bad"].is_error
    assert "- days: 0 is less than the minimum of 1" in str(results["bad"].content)
    need = first[-1]
    assert isinstance(need, NeedToolExecution) and [c.id for c in need.calls] == ["good"]
    second = await collect(agent.chat(ChatRequest.tool_results(need.run_id, [ToolOutcome("good", "rain")])))
    assert isinstance(second[-1], Done)
    sent = [(m.tool_call_id, m.content) for m in model.requests[1].messages if m.role == "tool"]
    assert [call_id for call_id, _ in sent] == ["local", "bad", "good"]
    assert sent[0][1] == "3" and sent[2][1] == "rain"


async def test_when_every_external_call_is_invalid_the_run_goes_on_without_a_hand_out() -> None:
    model = ScriptedModel([[ToolCall("weather", {"days": 2})], ["I need a city."]])
    agent = AgentBuilder().model(model).build()
    events = await collect(agent.chat(ChatRequest(Start([Message.user("?")]), tools=[weather()])))
    assert "need_tool_execution" not in types(events)
    assert isinstance(events[-1], Done) and events[-1].text == "I need a city."
    assert of_type(events, ToolResult)[0].is_error


async def test_check_tools_off_hands_out_whatever_the_model_sent() -> None:
    model = ScriptedModel([[ToolCall("weather", {"town": "Oslo"})]])
    agent = replace(AgentBuilder().model(model).build(), check_tools=False)
    events = await collect(agent.chat(ChatRequest(Start([Message.user("?")]), tools=[weather()])))
    need = events[-1]
    assert isinstance(need, NeedToolExecution)
    assert json.loads(need.calls[0].arguments) == {"town": "Oslo"}
