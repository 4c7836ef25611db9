"""The OpenAI Agents SDK as a contender: `Runner.run_streamed().stream_events()` over a
fake `Model` that yields prebuilt Responses stream events, `Runner.run()` for tool runs,
`OpenAIChatCompletionsModel` over HTTP. Tracing is disabled (it exports from a thread)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version as dist_version
from typing import Any

from agents import (
    Agent,
    Model,
    ModelResponse,
    RunConfig,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from agents.stream_events import RawResponsesStreamEvent
from agents.usage import Usage
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
)

from ..measure import Run

set_tracing_disabled(True)
CONFIG = RunConfig(tracing_disabled=True)
TEXT_DELTA = "response.output_text.delta"


def version() -> str:
    """The installed openai-agents."""
    return dist_version("openai-agents")


def _message(text: str) -> ResponseOutputMessage:
    part = ResponseOutputText(annotations=[], text=text, type="output_text")
    return ResponseOutputMessage(
        id="msg_1", content=[part], role="assistant", status="completed", type="message"
    )


def _response(output: list[Any]) -> Response:
    return Response(
        id="resp_1", created_at=0, model="fake", object="response", output=output,
        tool_choice="auto", tools=[], parallel_tool_calls=False,
    )


class FakeModel(Model):
    """Streams prebuilt text deltas, then the completed response; as a non-streamed model,
    calls `add` until the input holds `rounds` tool outputs."""

    def __init__(self, deltas: int = 0, rounds: int = 0) -> None:
        self.rounds = rounds
        self.events = [
            ResponseTextDeltaEvent(
                type=TEXT_DELTA, item_id="msg_1", output_index=0, content_index=0,
                delta=f"t{i} ", logprobs=[], sequence_number=i,
            )
            for i in range(deltas)
        ]
        self.text = "".join(f"t{i} " for i in range(deltas))

    async def get_response(
        self, system_instructions: Any, input: Any, *args: Any, **kwargs: Any
    ) -> ModelResponse:
        """Call `add`, or answer once the input holds `rounds` tool outputs."""
        items = input if isinstance(input, list) else []
        results = sum(
            1 for item in items
            if isinstance(item, dict) and item.get("type") == "function_call_output"
        )
        if results < self.rounds:
            call = ResponseFunctionToolCall(
                arguments='{"a": 1, "b": 2}', call_id=f"call_{results}", name="add",
                type="function_call", id=f"fc_{results}", status="completed",
            )
            return ModelResponse(output=[call], usage=Usage(), response_id=None)
        return ModelResponse(output=[_message("done")], usage=Usage(), response_id=None)

    async def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        """The prebuilt deltas, then `response.completed`."""
        for event in self.events:
            yield event
        yield ResponseCompletedEvent(
            type="response.completed", response=_response([_message(self.text)]),
            sequence_number=len(self.events),
        )


@function_tool
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: the first number.
        b: the second number.
    """
    return a + b


def _text_deltas(event: object) -> int:
    raw = type(event) is RawResponsesStreamEvent
    return int(raw and getattr(getattr(event, "data", None), "type", "") == TEXT_DELTA)


def stream_run(deltas: int) -> Run:
    """`Runner.run_streamed()` and `stream_events()` over the fake model."""
    agent = Agent(name="bench", model=FakeModel(deltas=deltas))

    async def run() -> int:
        result = Runner.run_streamed(agent, "go", run_config=CONFIG)
        count = 0
        async for event in result.stream_events():
            count += _text_deltas(event)
        return count

    return run


def tool_run(rounds: int) -> Run:
    """`Runner.run()` with the `add` function tool."""
    agent = Agent(name="bench", model=FakeModel(rounds=rounds), tools=[add])

    async def run() -> str:
        result = await Runner.run(agent, "add 1 and 2", run_config=CONFIG, max_turns=rounds + 2)
        return str(result.final_output)

    return run


@asynccontextmanager
async def http_session(base_url: str, prompt: str) -> AsyncIterator[Run]:
    """`Runner.run_streamed()` with `OpenAIChatCompletionsModel` on an `AsyncOpenAI`."""
    from agents import OpenAIChatCompletionsModel
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="bench")
    model = OpenAIChatCompletionsModel(model="mock", openai_client=client)
    agent = Agent(name="bench", model=model)

    async def run() -> int:
        result = Runner.run_streamed(agent, prompt, run_config=CONFIG)
        count = 0
        async for event in result.stream_events():
            count += _text_deltas(event)
        return count

    try:
        yield run
    finally:
        await client.close()
