"""Structured output: `AgentBuilder().output_type(T)`. The model answers through the
`final_result` tool (or native JSON text), the answer is validated, an invalid one goes back
to the model a bounded number of times, and `done.output` carries it (typed by the agent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest
from helpers import collect, of_type, types
from pydantic import BaseModel, JsonValue
from typing_extensions import TypedDict

from remi_web import (
    AgentBuilder,
    AgentEvent,
    ChatRequest,
    ConfigurationError,
    Done,
    ErrorEvent,
    MemoryStore,
    OutputSpec,
    OutputValidationFailed,
    ScriptedModel,
    ToolCall,
    ToolResult,
    event_from_json,
    event_to_json,
    tool,
)
from remi_web.core.errors import RunIncomplete
from remi_web.core.ids import ThreadId
from remi_web.core.output import PartialOutput
from remi_web.core.output_answer import ACCEPTED_TEXT, SKIPPED_TEXT
from remi_web.model.openai_wire import build_body

pytestmark = pytest.mark.pyodide


class City(BaseModel):
    """A city and how many people live there."""

    name: str
    population: int


@dataclass
class Point:
    x: float
    y: float


class Cat(BaseModel):
    kind: Literal["cat"] = "cat"
    lives: int


class Dog(BaseModel):
    kind: Literal["dog"] = "dog"
    good: bool


class Movie(TypedDict):
    title: str
    year: int


PARIS: dict[str, JsonValue] = {"name": "Paris", "population": 2100000}


async def test_a_pydantic_model_answer_comes_through_the_final_result_tool() -> None:
    model = ScriptedModel([["Looking it up. ", ToolCall("final_result", PARIS)]])
    agent = AgentBuilder().model(model).output_type(City).build()
    events = await collect(agent.chat("The capital of France?"))
    done = events[-1]
    assert isinstance(done, Done)
    assert done.output == PARIS and done.text == "Looking it up. "
    assert agent.output_of(done) == City(name="Paris", population=2100000)
    (offered,) = model.requests[0].tools
    assert offered.name == "final_result"
    assert offered.parameters["properties"] == {  # the model's own schema, titles removed
        "name": {"type": "string"}, "population": {"type": "integer"},
    }
    assert offered.parameters["description"] == "A city and how many people live there."
    (result,) = of_type(events, ToolResult)
    assert (result.name, result.content, result.is_error) == ("final_result", ACCEPTED_TEXT, False)


async def test_run_output_returns_the_typed_answer() -> None:
    model = ScriptedModel([[ToolCall("final_result", PARIS)]])
    agent = AgentBuilder().model(model).output_type(City).build()
    city = await agent.run_output("The capital of France?")
    assert city == City(name="Paris", population=2100000)


async def test_a_plain_agent_answers_with_its_text() -> None:
    agent = AgentBuilder().model(ScriptedModel([["Paris."]])).build()
    assert await agent.run_output("The capital of France?") == "Paris."


async def test_a_dataclass_and_a_typed_dict_are_objects_the_tool_takes_as_they_are() -> None:
    point = AgentBuilder().model(ScriptedModel([[ToolCall("final_result", {"x": 1, "y": 2.5})]]))
    assert await point.output_type(Point).build().run_output("Where?") == Point(1.0, 2.5)
    movie: dict[str, JsonValue] = {"title": "Alien", "year": 1979}
    film = AgentBuilder().model(ScriptedModel([[ToolCall("final_result", movie)]]))
    assert await film.output_type(Movie).build().run_output("Which?") == movie
    assert OutputSpec(Point).wrapped is False and OutputSpec(Movie).wrapped is False


async def test_a_scalar_is_wrapped_in_a_result_object() -> None:
    model = ScriptedModel([[ToolCall("final_result", {"result": 42})]])
    agent = AgentBuilder().model(model).output_type(int).build()
    events = await collect(agent.chat("The answer?"))
    done = events[-1]
    assert isinstance(done, Done) and done.output == 42
    assert agent.output_of(done) == 42
    parameters = model.requests[0].tools[0].parameters
    assert parameters["properties"] == {"result": {"type": "integer"}}
    assert parameters["required"] == ["result"]


async def test_a_union_takes_whichever_member_fits() -> None:
    spec: OutputSpec[Cat | Dog] = OutputSpec(Cat | Dog)
    model = ScriptedModel([[ToolCall("final_result", {"result": {"kind": "dog", "good": True}})]])
    agent = AgentBuilder().model(model).output_type(spec).build()
    pet = await agent.run_output("A pet?")
    assert pet == Dog(good=True)
    assert spec.wrapped and "anyOf" in str(model.requests[0].tools[0].parameters)


async def test_an_invalid_answer_goes_back_to_the_model_which_corrects_it() -> None:
    model = ScriptedModel([
        [ToolCall("final_result", {"name": "Paris", "population": "lots"})],
        [ToolCall("final_result", PARIS)],
    ])
    agent = AgentBuilder().model(model).output_type(City).build()
    events = await collect(agent.chat("The capital of France?"))
    refused, accepted = of_type(events, ToolResult)
    assert refused.is_error and "population" in str(refused.content)
    assert "valid integer" in str(refused.content) and "'lots'" in str(refused.content)
    assert not accepted.is_error
    second = model.requests[1].messages
    assert second[-1].role == "tool" and second[-1].content == refused.content
    assert second[-1].tool_call_id == second[-2].tool_calls[0].id
    done = events[-1]
    assert isinstance(done, Done) and done.output == PARIS
    assert types(events).count("turn_start") == 2


async def test_a_text_reply_is_asked_again_in_tool_mode() -> None:
    model = ScriptedModel([["Paris, about two million people."], [ToolCall("final_result", PARIS)]])
    agent = AgentBuilder().model(model).output_type(City).build()
    events = await collect(agent.chat("The capital of France?"))
    asked = model.requests[1].messages[-1]
    assert asked.role == "user" and "'final_result'" in str(asked.content)
    assert isinstance(events[-1], Done) and events[-1].output == PARIS
    assert "checkpoint" in types(events)[: types(events).index("turn_end")]


async def test_when_the_retries_are_spent_the_run_ends_with_a_typed_error() -> None:
    bad = ToolCall("final_result", {"name": "Paris"})
    model = ScriptedModel([[bad], [bad]])
    store = MemoryStore()
    agent = AgentBuilder().model(model).store(store).output_type(City, retries=1).build()
    thread = ThreadId("t-retries")
    events = await collect(agent.chat(ChatRequest.user("The capital?", thread)))
    error = events[-1]
    assert isinstance(error, ErrorEvent) and error.code == "output_validation_failed"
    assert "after 1 retry" in error.message and "population: required" in error.message
    assert len(model.requests) == 2
    stored = await store.load_messages(thread)  # every call of the thread keeps its result
    calls = [c.id for m in stored for c in m.tool_calls]
    answered = [m.tool_call_id for m in stored if m.role == "tool"]
    assert calls == answered and len(calls) == 2
    with pytest.raises(OutputValidationFailed, match="after 0 retries"):
        await AgentBuilder().model(ScriptedModel([[bad]])).output_type(City, retries=0).build().run_output("?")


async def test_a_final_answer_ends_the_run_and_its_sibling_calls_are_not_run() -> None:
    ran: list[str] = []

    @tool
    def lookup(city: str) -> str:
        """Look a city up.

        Args:
            city: its name.
        """
        ran.append(city)
        return "2.1 million"

    model = ScriptedModel([
        [ToolCall("lookup", {"city": "Paris"})],
        [ToolCall("lookup", {"city": "Lyon"}), ToolCall("final_result", PARIS)],
    ])
    agent = AgentBuilder().model(model).tools(lookup).output_type(City).build()
    events = await collect(agent.chat("The capital?"))
    assert ran == ["Paris"]
    results = [(r.name, r.content) for r in of_type(events, ToolResult)]
    assert results == [("lookup", "2.1 million"), ("lookup", SKIPPED_TEXT), ("final_result", ACCEPTED_TEXT)]
    assert isinstance(events[-1], Done) and events[-1].output == PARIS
    assert [d.name for d in model.requests[0].tools] == ["lookup", "final_result"]


async def test_native_mode_asks_for_a_json_schema_response_and_reads_the_text() -> None:
    model = ScriptedModel([
        ['{"name": "Paris", ', '"population": "lots"}'],
        ['```json\n{"name": "Paris", ', '"population": 2100000}\n```'],
    ])
    agent = AgentBuilder().model(model).output_type(City, mode="native").build()
    events = await collect(agent.chat("The capital of France?"))
    first = model.requests[0]
    assert first.tools == []
    response_format = first.extra["response_format"]
    assert isinstance(response_format, dict) and response_format["type"] == "json_schema"
    schema = response_format["json_schema"]
    assert isinstance(schema, dict) and schema["name"] == "final_result"
    asked = model.requests[1].messages[-1]
    assert asked.role == "user" and "population" in str(asked.content)
    done = events[-1]
    assert isinstance(done, Done) and done.output == PARIS
    body = build_body(first, model="m")
    assert body["response_format"] == response_format


async def test_partial_output_streams_as_the_arguments_arrive() -> None:
    model = ScriptedModel([[ToolCall("final_result", PARIS)]], args_chunk_size=6)
    spec = OutputSpec(City)
    agent = AgentBuilder().model(model).output_type(spec).build()
    partial = PartialOutput(spec)
    seen = [value async for event in agent.chat("?") if (value := partial.feed(event)) is not None]
    assert len(seen) > 3 and seen[-1] == PARIS
    assert {"name": "Par"} in seen or {"name": "Paris"} in seen
    native = OutputSpec(int, mode="native")
    assert native.partial('{"resu') == {} or native.partial('{"resu') is None
    assert native.partial('{"result": 4') == 4


async def test_the_output_crosses_the_wire_as_json() -> None:
    model = ScriptedModel([[ToolCall("final_result", PARIS)]])
    agent = AgentBuilder().model(model).output_type(City).build()
    done = (await collect(agent.chat("?")))[-1]
    assert isinstance(done, Done)
    again = event_from_json(event_to_json(done))
    assert again == done and isinstance(again, Done)
    assert OutputSpec(City).parse(again.output) == City(name="Paris", population=2100000)
    plain = event_from_json(event_to_json(Done(done.run_id, "hi")))
    assert isinstance(plain, Done) and plain.output is None


async def test_a_run_that_does_not_end_done_is_incomplete_for_run_output() -> None:
    @tool(requires_approval=True)
    def send(to: str) -> str:
        """Send.

        Args:
            to: whom.
        """
        return "sent"

    model = ScriptedModel([[ToolCall("send", {"to": "ann"})]])
    agent = AgentBuilder().model(model).tools(send).output_type(City).build()
    with pytest.raises(RunIncomplete, match="'interrupt'") as raised:
        await agent.run_output("Send it.")
    assert raised.value.event is not None and raised.value.event.type == "interrupt"


def test_a_tool_named_like_the_final_result_tool_is_refused() -> None:
    @tool
    def final_result(text: str) -> str:
        """Clash.

        Args:
            text: any.
        """
        return text

    builder = AgentBuilder().model(ScriptedModel([])).tools(final_result).output_type(City)
    with pytest.raises(ConfigurationError, match="final_result"):
        builder.build()
    with pytest.raises(ConfigurationError, match="retries"):
        OutputSpec(City, retries=-1)


async def test_an_http_agent_gives_the_typed_output_it_reads_from_the_wire() -> None:
    from remi_web import HttpAgent, RunStart
    from remi_web.core.ids import RunId
    from remi_web.remote.frames import event_frame
    from remi_web.testing import ScriptedResponse, ScriptedTransport

    run = RunId("run-1")
    events: list[AgentEvent] = [RunStart(run, ThreadId("t")), Done(run, "", output=PARIS)]
    body = b"".join(event_frame(i + 1, event) for i, event in enumerate(events))
    headers = {"content-type": "text/event-stream", "x-remi-run-id": run, "x-remi-stream-after": "0"}
    transport = ScriptedTransport([ScriptedResponse(200, headers, [body[:50], body[50:]])])
    remote = HttpAgent("http://agents.test/v1/", transport=transport)
    assert await OutputSpec(City).run(remote, "The capital?") == City(name="Paris", population=2100000)


async def test_the_checkpoint_of_a_finished_run_holds_its_output() -> None:
    from remi_web.core.output_answer import done_again

    store = MemoryStore()
    model = ScriptedModel([["Looking it up. ", ToolCall("final_result", {"name": "Paris"})],
                           [ToolCall("final_result", PARIS)]])
    agent = AgentBuilder().model(model).store(store).output_type(City).build()
    done = (await collect(agent.chat("?")))[-1]
    assert isinstance(done, Done)
    checkpoint = await store.latest_checkpoint(done.run_id)
    assert checkpoint is not None and checkpoint.status == "done"
    assert done_again(checkpoint.state.messages, checkpoint.state.tool_state) == ("", PARIS)
