"""FallbackModel over real loopback HTTP with the mock LLM: a primary that answers 429 (or
503) hands the call to the fallback, and the usage event names the model that answered."""

from __future__ import annotations

import httpx
import pytest
from helpers import collect, of_type

from remi_web import AgentBuilder, Done, ErrorEvent, FallbackModel, OpenAIModel, UsageEvent
from remi_web.model import NO_RETRY


def _model(base_url: str, name: str) -> OpenAIModel:
    return OpenAIModel(name, base_url=base_url, api_key="sk-local", retry=NO_RETRY)


async def _requests(base_url: str) -> int:
    async with httpx.AsyncClient() as client:
        data = (await client.get(f"{base_url}/mock/stats")).json()
    count: int = data["requests"]
    return count


@pytest.mark.parametrize("fault", ["429", "503", "quota"])
async def test_the_fallback_answers_after_the_primary_fails(mock_llm: str, fault: str) -> None:
    primary, backup = _model(mock_llm, f"fault-{fault}"), _model(mock_llm, "mock-backup")
    agent = AgentBuilder().model(FallbackModel(primary, backup)).build()
    try:
        events = await collect(agent.chat("hello there"))
    finally:
        await primary.aclose()
        await backup.aclose()
    assert not of_type(events, ErrorEvent), events[-1]
    done = events[-1]
    assert isinstance(done, Done) and done.text
    assert [e.model for e in of_type(events, UsageEvent)] == ["mock-backup"]
    assert await _requests(mock_llm) == 2  # one refused, one answered


async def test_without_a_fallback_the_429_ends_the_run(mock_llm: str) -> None:
    primary = _model(mock_llm, "fault-429")
    agent = AgentBuilder().model(primary).build()
    try:
        events = await collect(agent.chat("hello there"))
    finally:
        await primary.aclose()
    assert isinstance(events[-1], ErrorEvent) and events[-1].code == "rate_limited"


async def test_the_primary_names_itself_when_it_answers(mock_llm: str) -> None:
    primary, backup = _model(mock_llm, "mock-primary"), _model(mock_llm, "mock-backup")
    agent = AgentBuilder().model(FallbackModel(primary, backup)).build()
    try:
        events = await collect(agent.chat("hello there"))
    finally:
        await primary.aclose()
        await backup.aclose()
    assert [e.model for e in of_type(events, UsageEvent)] == ["mock-primary"]
    assert await _requests(mock_llm) == 1
