"""What the mock model answers: deterministic, and tools-aware."""

from __future__ import annotations

import json

import pytest
from pydantic import JsonValue

from remi_web.testing.mock_policy import (
    PlannedCall,
    Reply,
    evaluate,
    find_expressions,
    plan_reply,
    tokens,
)

pytestmark = pytest.mark.pyodide

CALCULATOR: JsonValue = {
    "type": "function",
    "function": {
        "name": "calculator",
        "parameters": {
            "type": "object",
            "properties": {"expression": {"type": "string"}},
            "required": ["expression"],
        },
    },
}
EVALUATOR: JsonValue = {  # any name, but a string `expression` parameter
    "type": "function",
    "function": {
        "name": "eval_math",
        "parameters": {"properties": {"expression": {"type": "string"}}},
    },
}
DELETE: JsonValue = {
    "type": "function",
    "function": {
        "name": "delete_file",
        "parameters": {
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "force": {"type": "boolean"},
                "n": {"type": "integer"},
            },
            "required": ["path"],
        },
    },
}


def _user(text: str) -> dict[str, JsonValue]:
    return {"role": "user", "content": text}


def test_arithmetic() -> None:
    assert evaluate("2+3*4") == 14
    assert evaluate("(1+2)^2") == 9
    assert evaluate("7/2") == 3.5
    for bad in ("1/0", "2**99999", "__import__('os')", "x+1"):
        with pytest.raises(ValueError):
            evaluate(bad)
    assert find_expressions("what is 2+3*4 and (10 - 4) / 3?") == ["2+3*4", "(10 - 4) / 3"]
    assert find_expressions("in 2024 I was 30") == []


def test_tokens_join_back() -> None:
    text = "Grüße  aus 東京東京東京東京東京!  \n ok"
    assert "".join(tokens(text)) == text


def test_echo_is_deterministic() -> None:
    reply = plan_reply([_user("hello")])
    assert reply == Reply(text="You said: hello") == plan_reply([_user("hello")])


def test_arithmetic_without_tools_is_answered_directly() -> None:
    assert plan_reply([_user("what is 2+3*4?")]).text == "2+3*4 = 14."


def test_arithmetic_with_a_calculator_calls_it() -> None:
    reply = plan_reply([_user("what is 2+3*4")], [CALCULATOR])
    assert reply.tool_calls == [PlannedCall("calculator", json.dumps({"expression": "2+3*4"}))]
    assert reply.text == ""
    assert plan_reply([_user("1+1")], [EVALUATOR]).tool_calls[0].name == "eval_math"


def test_several_expressions_make_parallel_calls() -> None:
    reply = plan_reply([_user("compute 2+3 and 4*5")], [CALCULATOR])
    assert [json.loads(c.arguments) for c in reply.tool_calls] == [
        {"expression": "2+3"},
        {"expression": "4*5"},
    ]


def test_tool_results_are_answered() -> None:
    messages: list[dict[str, JsonValue]] = [
        _user("compute 2+3 and 4*5"),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "a",
                    "type": "function",
                    "function": {"name": "calculator", "arguments": '{"expression": "2+3"}'},
                },
                {
                    "id": "b",
                    "type": "function",
                    "function": {"name": "calculator", "arguments": '{"expression": "4*5"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "a", "content": "5"},
        {"role": "tool", "tool_call_id": "b", "content": "20"},
    ]
    assert plan_reply(messages, [CALCULATOR]).text == "2+3 = 5 and 4*5 = 20."


def test_explicit_calls_with_json_or_pairs() -> None:
    reply = plan_reply([_user('please call delete_file with {"path": "/tmp/a"}')], [DELETE])
    assert reply.tool_calls == [PlannedCall("delete_file", '{"path": "/tmp/a"}')]
    reply = plan_reply([_user("use delete_file path=/tmp/b force=true n=3")], [DELETE])
    assert json.loads(reply.tool_calls[0].arguments) == {"path": "/tmp/b", "force": True, "n": 3}
    reply = plan_reply([_user("call delete_file")], [DELETE])
    assert json.loads(reply.tool_calls[0].arguments) == {"path": ""}
    assert plan_reply([_user("call unknown_tool")], [DELETE]).tool_calls == []


def test_reasoning_models_think_first() -> None:
    reply = plan_reply([_user("hi")], model="mock-reasoning")
    assert reply.reasoning and reply.text == "You said: hi"


def test_count_and_media() -> None:
    assert plan_reply([_user("count to 5")]).text == "1 2 3 4 5"
    content: JsonValue = [
        {"type": "text", "text": "what is this"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}},
    ]
    assert plan_reply([{"role": "user", "content": content}]).text == (
        "You said: what is this (received 1 image)"
    )


FINAL_RESULT: JsonValue = {  # an agent with an output type offers it
    "type": "function",
    "function": {
        "name": "final_result",
        "parameters": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "population": {"type": "integer"}},
            "required": ["name", "population"],
        },
    },
}
SUMMARY: JsonValue = {  # a scalar output type: `{"result": str}`
    "type": "function",
    "function": {
        "name": "final_result",
        "parameters": {"properties": {"result": {"type": "string"}}, "required": ["result"]},
    },
}


def test_a_final_result_tool_is_called_once_nothing_else_is() -> None:
    said = [{"role": "user", "content": "The biggest city: name=Paris population=2100000"}]
    assert plan_reply(said, [FINAL_RESULT]).tool_calls == [
        PlannedCall("final_result", json.dumps({"name": "Paris", "population": 2100000}))
    ]
    asked = [{"role": "user", "content": "what is 2+3 and name=Sum"}]
    first = plan_reply(asked, [CALCULATOR, FINAL_RESULT])
    assert [call.name for call in first.tool_calls] == ["calculator"]  # other tools first
    call = first.tool_calls[0]
    results = [
        *asked,
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": call.name, "arguments": call.arguments}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "5"},
    ]
    (final,) = plan_reply(results, [CALCULATOR, FINAL_RESULT]).tool_calls
    assert json.loads(final.arguments) == {"name": "Sum", "population": 0}
    (summary,) = plan_reply([{"role": "user", "content": "what is 2+3"}], [SUMMARY]).tool_calls
    assert json.loads(summary.arguments) == {"result": "2+3 = 5."}


def test_a_json_schema_response_format_is_answered_with_json_text() -> None:
    schema: JsonValue = {"type": "json_schema", "json_schema": {
        "name": "final_result", "schema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
    }}
    reply = plan_reply([{"role": "user", "content": "give n=7"}], [], "mock", schema)
    assert json.loads(reply.text) == {"n": 7} and not reply.tool_calls
