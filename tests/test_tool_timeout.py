"""Tool timeouts: a call that runs too long is stopped and the model sees a tool error; the
run goes on. A tool's own `timeout` wins over the agent's `tool_timeout`."""

from __future__ import annotations

import asyncio

import pytest
from helpers import collect, of_type

from remi_web import AgentBuilder, ConfigurationError, Done, ScriptedModel, ToolCall, ToolResult, tool

pytestmark = pytest.mark.pyodide


@tool(timeout=0.05)
async def hang(seconds: float) -> str:
    """Wait (too long)."""
    await asyncio.sleep(seconds)
    return "finally"


@tool
async def slow(seconds: float) -> str:
    """Wait a while."""
    await asyncio.sleep(seconds)
    return "slow but done"


async def test_a_tool_past_its_timeout_is_a_tool_error_and_the_run_goes_on() -> None:
    model = ScriptedModel([[ToolCall("hang", {"seconds": 60})], ["It took too long."]])
    agent = AgentBuilder().model(model).tools(hang).build()

    events = await collect(agent.chat("wait"))

    (result,) = of_type(events, ToolResult)
    assert result.is_error and "did not finish within 0.05 s" in str(result.content)
    assert isinstance(events[-1], Done) and events[-1].text == "It took too long."
    assert model.requests[1].messages[-1].content == result.content


async def test_the_agent_default_applies_to_tools_without_their_own() -> None:
    model = ScriptedModel([[ToolCall("slow", {"seconds": 60}), ToolCall("slow", {"seconds": 0})],
                           ["ok"]])
    agent = AgentBuilder().model(model).tools(slow).tool_timeout(0.05).build()

    results = of_type(await collect(agent.chat("wait")), ToolResult)

    assert sorted((r.is_error, str(r.content)[:20]) for r in results) == [
        (False, "slow but done"), (True, "Error: the tool 'slo"),
    ]


async def test_a_tool_within_its_timeout_is_untouched() -> None:
    model = ScriptedModel([[ToolCall("hang", {"seconds": 0})], ["ok"]])
    results = of_type(await collect(AgentBuilder().model(model).tools(hang).build().chat("go")),
                      ToolResult)
    assert [(r.is_error, r.content) for r in results] == [(False, "finally")]


def test_timeouts_must_be_positive() -> None:
    with pytest.raises(ConfigurationError):
        AgentBuilder().tool_timeout(0)
    with pytest.raises(ConfigurationError):
        tool(timeout=-1)(lambda: None)
