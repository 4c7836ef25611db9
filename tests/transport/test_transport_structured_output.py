"""Structured output over HTTP: `remi serve`'s app with an agent built with `.output_type(City)`
on the mock model. The mock's first answer is invalid, the error goes back to it, its second
is valid; `done.output` crosses the wire as JSON and an `HttpAgent`'s caller reads it typed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from transport_helpers import running

from remi_web import AgentBuilder, AgentLoop, Done, HttpAgent, OutputSpec, Store, ToolResult
from remi_web.model import OpenAIModel
from remi_web.server import ServerConfig, create_app

ASK = (
    'call final_result with {"name": "Paris", "population": "lots"}. '
    "If that is refused: name=Paris population=2100000"
)


class City(BaseModel):
    name: str
    population: int


def city_agent(model_url: str, store: Store) -> AgentLoop[Any, City]:
    model = OpenAIModel("mock", base_url=model_url, api_key="k")
    return AgentBuilder().model(model).output_type(City).store(store).build()


async def test_an_invalid_answer_is_retried_and_the_typed_output_reaches_the_remote_caller(
    mock_llm: str, db: str
) -> None:
    app = create_app(lambda store: city_agent(mock_llm, store), ServerConfig(db=db, insecure_no_auth=True))
    async with running(app) as root, HttpAgent(root + "/v1/") as remote:
        events = [event async for event in remote.chat(ASK)]
        refused, accepted = [e for e in events if isinstance(e, ToolResult)]
        assert refused.name == "final_result" and refused.is_error
        assert "population" in str(refused.content) and not accepted.is_error
        done = events[-1]
        assert isinstance(done, Done)
        assert done.output == {"name": "Paris", "population": 2100000}
        assert OutputSpec(City).parse(done.output) == City(name="Paris", population=2100000)
        city = await OutputSpec(City).run(remote, ASK)
        assert city == City(name="Paris", population=2100000)


async def test_native_mode_over_http_the_mock_answers_json_text(mock_llm: str, db: str) -> None:
    def native_agent(store: Store) -> AgentLoop[Any, City]:
        model = OpenAIModel("mock", base_url=mock_llm, api_key="k")
        return AgentBuilder().model(model).output_type(City, mode="native").store(store).build()

    app = create_app(native_agent, ServerConfig(db=db, insecure_no_auth=True))
    async with running(app) as root, HttpAgent(root + "/v1/") as remote:
        events = [event async for event in remote.chat("The biggest: name=Paris population=2100000")]
        assert not [e for e in events if isinstance(e, ToolResult)]
        done = events[-1]
        assert isinstance(done, Done) and done.text == '{"name": "Paris", "population": 2100000}'
        assert OutputSpec(City).parse(done.output) == City(name="Paris", population=2100000)
