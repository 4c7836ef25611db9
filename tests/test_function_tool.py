"""`@tool` turns functions into tools: schema, validation, injection, results, approval."""

from __future__ import annotations

import enum
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Literal, Optional

import pytest
from pydantic import BaseModel, Field, JsonValue

from remi_web.core.content import ImageUrlPart, TextPart
from remi_web.core.ctx import ChatCtx
from remi_web.core.errors import ConfigurationError, ToolInputError
from remi_web.core.function_tool import FunctionTool, tool
from remi_web.core.tool import Interrupt, ToolCtx

pytestmark = pytest.mark.pyodide


class Color(enum.Enum):
    """A color."""

    RED = "red"
    BLUE = "blue"


class Point(BaseModel):
    """A point on the plane."""

    x: int
    y: int = 0


@dataclass
class Pair:
    left: int
    right: str


def make_ctx(
    *,
    resumed: bool = False,
    resume_value: JsonValue = None,
    progress: list[JsonValue] | None = None,
    chat: ChatCtx | None = None,
) -> ToolCtx:
    return ToolCtx(
        call_id="call-1",
        tool_name="t",
        chat=chat or ChatCtx(),
        resumed=resumed,
        resume_value=resume_value,
        on_event=(lambda event: progress.append(event.data)) if progress is not None else None,  # type: ignore[union-attr]
    )


# --- schema -------------------------------------------------------------------------------


def test_schema_types_required_and_descriptions() -> None:
    @tool
    def paint(
        text: str,
        count: int,
        loud: bool,
        ratio: float,
        tags: list[str],
        color: Color,
        at: Point,
        mode: Literal["fast", "slow"] = "fast",
        note: Optional[str] = None,
    ) -> str:
        """Paint some text.

        More detail that is not the description.

        Args:
            text: the text to paint.
            count: how many
                times.
        """
        return text

    schema = paint.parameters
    props = schema["properties"]
    assert isinstance(props, dict)
    assert schema["type"] == "object"
    assert props["text"] == {"type": "string", "description": "the text to paint."}
    assert props["count"] == {"type": "integer", "description": "how many times."}
    assert props["loud"] == {"type": "boolean"}
    assert props["ratio"] == {"type": "number"}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    assert props["mode"] == {"type": "string", "enum": ["fast", "slow"], "default": "fast"}
    assert props["note"] == {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert props["color"] == {"$ref": "#/$defs/Color"}
    assert props["at"] == {"$ref": "#/$defs/Point"}
    defs = schema["$defs"]
    assert isinstance(defs, dict)
    assert defs["Color"] == {"type": "string", "enum": ["red", "blue"], "description": "A color."}
    assert defs["Point"] == {
        "type": "object",
        "description": "A point on the plane.",
        "properties": {"x": {"type": "integer"}, "y": {"type": "integer", "default": 0}},
        "required": ["x"],
    }
    assert schema["required"] == ["text", "count", "loud", "ratio", "tags", "color", "at"]
    assert "title" not in json.dumps(schema)
    whole = "Paint some text.\n\nMore detail that is not the description."  # every paragraph
    assert paint.description == whole
    definition = paint.definition()
    assert (definition.name, definition.description) == ("paint", whole)
    assert definition.parameters == schema


def test_each_definition_has_its_own_schema_to_edit() -> None:
    @tool
    def pick(color: Color, at: Point | None = None) -> str:
        """Pick a color."""
        return color.value

    original = pick.parameters
    edited = pick.definition().parameters
    props = edited["properties"]
    assert isinstance(props, dict) and isinstance(props["color"], dict)
    props["color"]["description"] = "changed"
    edited["required"] = []
    defs = edited["$defs"]
    assert isinstance(defs, dict)
    defs.clear()
    assert pick.definition().parameters == pick.parameters == original
    assert pick.parameters is not pick.parameters


def test_a_schema_pickle_cannot_copy_still_gets_copied() -> None:
    def marker() -> None:  # a local function: pickle cannot copy it
        return None

    def add_marker(schema: dict[str, JsonValue]) -> None:
        schema["marker"] = marker  # type: ignore[assignment]

    @tool
    def tagged(x: Annotated[int, Field(json_schema_extra=add_marker)]) -> int:
        return x

    first = tagged.definition().parameters
    props = first["properties"]
    assert isinstance(props, dict) and isinstance(props["x"], dict)
    props["x"]["type"] = "string"
    again = tagged.parameters["properties"]
    assert isinstance(again, dict) and again["x"] == {"type": "integer", "marker": marker}


def test_no_arguments_gives_an_empty_object_schema() -> None:
    @tool
    def ping() -> str:
        return "pong"

    assert ping.parameters == {"type": "object", "properties": {}, "additionalProperties": False}
    assert ping.description == ""


def test_decorator_forms_and_overrides() -> None:
    @tool()
    def plain(a: int) -> int:
        """Plain."""
        return a

    @tool(name="renamed", description="Told differently.", requires_approval=True)
    def original(a: int) -> int:
        """Ignored summary.

        Args:
            a: still documented.
        """
        return a

    assert isinstance(plain, FunctionTool)
    assert (plain.name, plain.description, plain.requires_approval) == ("plain", "Plain.", False)
    assert (original.name, original.description) == ("renamed", "Told differently.")
    assert original.requires_approval is True
    assert original.parameters["properties"] == {
        "a": {"type": "integer", "description": "still documented."}
    }
    assert original.fn(5) == 5


def test_annotated_field_description_wins_over_docstring() -> None:
    @tool
    def size(n: Annotated[int, Field(ge=1, description="from Field")]) -> int:
        """Size.

        Args:
            n: from docstring.
        """
        return n

    assert size.parameters["properties"] == {
        "n": {"type": "integer", "minimum": 1, "description": "from Field"}
    }


async def test_argument_names_that_clash_with_pydantic_are_allowed() -> None:
    @tool
    def dump(json: bool, model_config: str = "x") -> str:
        return f"{json} {model_config}"

    props = dump.parameters["properties"]
    assert isinstance(props, dict)
    assert list(props) == ["json", "model_config"]
    assert await dump.run('{"json": true, "model_config": "y"}', make_ctx()) == "True y"


async def test_local_classes_resolve_with_future_annotations() -> None:
    class Box(BaseModel):
        size: int

    @tool
    def measure(box: Box) -> int:
        return box.size * 2

    assert await measure.run('{"box": {"size": 4}}', make_ctx()) == "8"


def test_variadic_arguments_are_rejected() -> None:
    def many(*items: str) -> str:
        return "".join(items)

    with pytest.raises(ConfigurationError, match="items"):
        tool(many)


def test_unresolvable_hint_is_a_configuration_error() -> None:
    def broken(x: NotDefinedAnywhere) -> str:  # type: ignore[name-defined]  # noqa: F821
        return ""

    with pytest.raises(ConfigurationError, match="broken"):
        tool(broken)


# --- context injection ----------------------------------------------------------------------


async def test_chat_ctx_and_tool_ctx_are_injected_and_hidden() -> None:
    @tool
    def whoami(chat: ChatCtx, who: str, call: ToolCtx) -> str:
        return f"{who}:{chat.metadata['user']}:{call.call_id}"

    assert whoami.parameters["properties"] == {"who": {"type": "string"}}
    assert whoami.parameters["required"] == ["who"]
    ctx = make_ctx(chat=ChatCtx(metadata={"user": "ada"}))
    assert await whoami.run('{"who": "me"}', ctx) == "me:ada:call-1"


async def test_injected_parameter_cannot_be_sent_by_the_model() -> None:
    @tool
    def uses(chat: ChatCtx) -> str:
        return "ok"

    with pytest.raises(ToolInputError, match="chat"):
        await uses.run('{"chat": {}}', make_ctx())


# --- calling ------------------------------------------------------------------------------


async def test_sync_function_gets_validated_arguments() -> None:
    @tool
    def add(a: int, b: int = 10) -> int:
        return a + b

    assert await add.run('{"a": 1, "b": 2}', make_ctx()) == "3"
    assert await add.run('{"a": "5"}', make_ctx()) == "15"


async def test_empty_arguments_mean_an_empty_object() -> None:
    @tool
    def hello(name: str = "world") -> str:
        return f"hello {name}"

    assert await hello.run("", make_ctx()) == "hello world"
    assert await hello.run("  ", make_ctx()) == "hello world"


async def test_async_function_is_awaited() -> None:
    @tool
    async def shout(text: str, times: int = 1) -> str:
        return text.upper() * times

    assert await shout.run('{"text": "hi", "times": 2}', make_ctx()) == "HIHI"


async def test_async_generator_reports_progress_and_returns_the_last_value() -> None:
    @tool
    async def count(to: int) -> AsyncIterator[dict[str, int]]:
        for i in range(1, to + 1):
            yield {"done": i}

    progress: list[JsonValue] = []
    result = await count.run('{"to": 3}', make_ctx(progress=progress))
    assert progress == [{"done": 1}, {"done": 2}, {"done": 3}]
    assert result == '{"done":3}'


async def test_async_generator_progress_arrives_before_the_end() -> None:
    progress: list[JsonValue] = []
    seen_during_run: list[list[JsonValue]] = []

    @tool
    async def steps() -> AsyncIterator[str]:
        yield "one"
        seen_during_run.append(list(progress))
        yield "two"

    assert await steps.run("", make_ctx(progress=progress)) == "two"
    assert seen_during_run == [["one"]]
    assert progress == ["one", "two"]


async def test_empty_async_generator_returns_empty_text() -> None:
    @tool
    async def nothing() -> AsyncIterator[str]:
        return
        yield  # pragma: no cover

    assert await nothing.run("", make_ctx()) == ""


# --- invalid arguments ---------------------------------------------------------------------


async def test_invalid_json_is_a_tool_input_error() -> None:
    @tool
    def add(a: int) -> int:
        return a

    with pytest.raises(ToolInputError) as err:
        await add.run('{"a": 1', make_ctx())
    assert "'add'" in str(err.value) and "not valid JSON" in str(err.value)

    with pytest.raises(ToolInputError, match="must be a JSON object, not an array"):
        await add.run("[1]", make_ctx())


async def test_invalid_arguments_name_the_fields_and_the_problem() -> None:
    @tool
    def place(count: int, at: Point, tags: list[str]) -> str:
        return "placed"

    with pytest.raises(ToolInputError) as err:
        arguments = '{"count": "many", "at": {"x": "q"}, "tags": ["a", 2], "z": 1}'
        await place.run(arguments, make_ctx())
    message = str(err.value)
    assert message.startswith("Invalid arguments for tool 'place':")
    assert "- count: Input should be a valid integer" in message
    assert "(got 'many')" in message
    assert "- at.x: Input should be a valid integer" in message
    assert "- tags.1: Input should be a valid string" in message
    assert "- z: unknown argument (the arguments are: count, at, tags)" in message
    assert "pydantic" not in message and "http" not in message


async def test_missing_argument_is_reported() -> None:
    called: list[int] = []

    @tool
    def need(a: int, b: int) -> int:
        called.append(a)
        return a

    with pytest.raises(ToolInputError, match="- b: required, but missing"):
        await need.run('{"a": 1}', make_ctx())
    assert called == []


# --- return conversion ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain text", "plain text"),
        (None, ""),
        (42, "42"),
        ({"a": [1, 2]}, '{"a":[1,2]}'),
        (Point(x=1, y=2), '{"x":1,"y":2}'),
        (Pair(1, "r"), '{"left":1,"right":"r"}'),
        ([], "[]"),
        ([1, "a"], '[1,"a"]'),
    ],
)
async def test_return_values_become_text(value: object, expected: str) -> None:
    @tool
    def give() -> object:
        return value

    assert await give.run("", make_ctx()) == expected


async def test_content_parts_and_interrupts_pass_through() -> None:
    parts: list[TextPart | ImageUrlPart] = [TextPart("look"), ImageUrlPart("https://x.org/a.png")]
    interrupt = Interrupt("question", {"ask": "which?"})

    @tool
    def show() -> list[TextPart | ImageUrlPart]:
        return parts

    @tool
    async def ask() -> Interrupt:
        return interrupt

    assert await show.run("", make_ctx()) is parts
    assert await ask.run("", make_ctx()) is interrupt


# --- approval ------------------------------------------------------------------------------


def approval_tool(calls: list[tuple[str, int]]) -> FunctionTool[..., str]:
    @tool(requires_approval=True)
    def delete(path: str, depth: int = 1) -> str:
        """Delete a path."""
        calls.append((path, depth))
        return f"deleted {path} at depth {depth}"

    return delete


async def test_approval_interrupts_before_running() -> None:
    calls: list[tuple[str, int]] = []
    delete = approval_tool(calls)
    result = await delete.run('{"path": "/tmp/x"}', make_ctx())
    assert result == Interrupt("approval", {"tool": "delete", "arguments": {"path": "/tmp/x"}})
    assert calls == []


async def test_approval_invalid_arguments_fail_before_asking() -> None:
    delete = approval_tool([])
    with pytest.raises(ToolInputError, match="depth"):
        await delete.run('{"path": "/x", "depth": "deep"}', make_ctx())


@pytest.mark.parametrize("answer", [True, {"approved": True}])
async def test_approved_call_runs_with_the_original_arguments(answer: JsonValue) -> None:
    calls: list[tuple[str, int]] = []
    delete = approval_tool(calls)
    result = await delete.run('{"path": "/x"}', make_ctx(resumed=True, resume_value=answer))
    assert result == "deleted /x at depth 1"
    assert calls == [("/x", 1)]


async def test_approved_with_edits_runs_with_the_edited_arguments() -> None:
    calls: list[tuple[str, int]] = []
    delete = approval_tool(calls)
    answer: JsonValue = {"approved": True, "arguments": {"path": "/safe", "depth": "2"}}
    result = await delete.run('{"path": "/x"}', make_ctx(resumed=True, resume_value=answer))
    assert result == "deleted /safe at depth 2"
    assert calls == [("/safe", 2)]


async def test_edited_arguments_are_validated_again() -> None:
    calls: list[tuple[str, int]] = []
    delete = approval_tool(calls)
    answer: JsonValue = {"approved": True, "arguments": {"depth": 3}}
    with pytest.raises(ToolInputError, match="- path: required, but missing"):
        await delete.run('{"path": "/x"}', make_ctx(resumed=True, resume_value=answer))
    assert calls == []


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (False, "The user denied this call."),
        ({"approved": False}, "The user denied this call."),
        ({"approved": False, "reason": "too risky"}, "The user denied this call: too risky"),
    ],
)
async def test_denied_call_does_not_run(answer: JsonValue, expected: str) -> None:
    calls: list[tuple[str, int]] = []
    delete = approval_tool(calls)
    result = await delete.run('{"path": "/x"}', make_ctx(resumed=True, resume_value=answer))
    assert result == expected
    assert calls == []


@pytest.mark.parametrize(
    "answer", [None, "yes", 1, {"approved": "yes"}, {"approved": True, "arguments": [1]}]
)
async def test_unreadable_approval_answer_explains_the_shapes(answer: JsonValue) -> None:
    calls: list[tuple[str, int]] = []
    delete = approval_tool(calls)
    with pytest.raises(ToolInputError, match='"approved": false, "reason"'):
        await delete.run('{"path": "/x"}', make_ctx(resumed=True, resume_value=answer))
    assert calls == []


async def test_without_approval_a_resumed_call_just_runs() -> None:
    @tool
    def answer(call: ToolCtx) -> str:
        return f"got {call.resume_value}" if call.resumed else "asking"

    assert await answer.run("", make_ctx()) == "asking"
    assert await answer.run("", make_ctx(resumed=True, resume_value="blue")) == "got blue"


async def test_constraints_given_as_a_field_default_are_enforced_and_in_the_schema() -> None:
    @tool
    def person(
        name: str,
        age: int = Field(ge=0, le=150),
        tags: list[str] = Field(default_factory=list),
        count: int = Field(3, description="how many"),
    ) -> str:
        """Describe a person.

        Args:
            name: the name.
            age: in years.
        """
        return f"{name} {age} {tags} {count}"

    schema = person.definition().parameters
    assert schema["required"] == ["name", "age"]
    assert schema["properties"]["age"] == {
        "description": "in years.", "maximum": 150, "minimum": 0, "type": "integer"
    }
    assert schema["properties"]["count"] == {"default": 3, "description": "how many", "type": "integer"}
    ctx = ToolCtx("c1", "person", ChatCtx())
    with pytest.raises(ToolInputError, match="less than or equal to 150"):
        await person.run('{"name": "Ann", "age": 200}', ctx)
    with pytest.raises(ToolInputError, match="age: required"):
        await person.run('{"name": "Ann"}', ctx)
    assert await person.run('{"name": "Ann", "age": 42}', ctx) == "Ann 42 [] 3"
