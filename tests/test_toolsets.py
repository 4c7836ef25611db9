"""Toolsets: tools that come and go while an agent lives; the registry asks for them when a run
starts and before each model call."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from helpers import collect, of_type

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    InterruptEvent,
    MemoryStore,
    ScriptedModel,
    ToolCall,
    ToolResult,
    tool,
)
from remi_web.core.errors import ConfigurationError
from remi_web.core.registry import ToolRegistry
from remi_web.core.tool import Tool

pytestmark = pytest.mark.pyodide


class Shelf:
    """A toolset whose tools the test (or a tool) changes."""

    def __init__(self, *tools: Tool) -> None:
        self.tools: list[Tool] = list(tools)
        self.asked = 0

    async def current_tools(self) -> Sequence[Tool]:
        self.asked += 1
        return tuple(self.tools)


@tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@tool
def news() -> str:
    """Today's news."""
    return "nothing happened"


def offered(model: ScriptedModel) -> list[list[str]]:
    """The tool names each model call was offered."""
    return [[definition.name for definition in request.tools] for request in model.requests]


async def test_a_tool_added_during_a_run_is_offered_on_the_next_model_call() -> None:
    shelf = Shelf(weather)

    @tool
    def install() -> str:
        """Install the news tool."""
        shelf.tools.append(news)
        return "installed"

    model = ScriptedModel([[ToolCall("install")], [ToolCall("news")], ["Read it."]])
    agent = AgentBuilder().model(model).tools(install).toolsets(shelf).build()
    events = await collect(agent.chat("what happened?"))
    assert offered(model) == [
        ["install", "weather"],
        ["install", "weather", "news"],
        ["install", "weather", "news"],
    ]
    assert [(r.name, r.content, r.is_error) for r in of_type(events, ToolResult)] == [
        ("install", "installed", False),
        ("news", "nothing happened", False),
    ]
    assert isinstance(events[-1], Done)


async def test_a_tool_that_went_is_not_offered_and_a_call_of_it_is_an_unknown_tool() -> None:
    shelf = Shelf(weather, news)

    @tool
    def uninstall() -> str:
        """Remove the news tool."""
        shelf.tools.remove(news)
        return "removed"

    model = ScriptedModel([[ToolCall("uninstall")], [ToolCall("news")], ["Gone."]])
    agent = AgentBuilder().model(model).tools(uninstall).toolsets(shelf).build()
    events = await collect(agent.chat("remove the news"))
    assert offered(model)[1] == ["uninstall", "weather"]
    result = of_type(events, ToolResult)[-1]
    assert result.name == "news" and result.is_error
    assert "Unknown tool 'news'" in str(result.content)


async def test_an_unchanged_toolset_keeps_the_definitions_the_registry_made() -> None:
    shelf = Shelf(weather)
    registry = ToolRegistry([news], [shelf])
    await registry.refresh()
    first = registry.definitions()
    await registry.refresh()
    assert shelf.asked == 2
    assert all(a is b for a, b in zip(first, registry.definitions(), strict=True))
    shelf.tools = [weather, news.__class__(lambda: "other", name="extra")]
    await registry.refresh()
    assert registry.names() == ["news", "weather", "extra"]


async def test_a_toolset_tool_may_not_take_the_name_of_another_tool() -> None:
    agent = AgentBuilder().model(ScriptedModel([["hi"]])).tools(weather).toolsets(Shelf(weather)).build()
    with pytest.raises(ConfigurationError, match="Two tools are named 'weather'.*prefix"):
        await collect(agent.chat("hello"))
    registry = ToolRegistry([], [Shelf(news)])
    await registry.refresh()
    with pytest.raises(ConfigurationError, match="'news'"):
        registry.add(news)


async def test_a_resumed_run_finds_the_toolsets_tool_before_any_model_call() -> None:
    @tool(requires_approval=True)
    def launch(target: str) -> str:
        """Launch something; a human approves."""
        return f"launched {target}"

    store = MemoryStore()
    model = ScriptedModel([[ToolCall("launch", {"target": "moon"})], ["Launched."]])
    first_agent = AgentBuilder().model(model).store(store).toolsets(Shelf(launch)).build()
    paused = await collect(first_agent.chat("launch"))
    interrupt = paused[-1]
    assert isinstance(interrupt, InterruptEvent)
    # Another agent (another process, say) with the same toolset and store resumes the run.
    second_agent = AgentBuilder().model(model).store(store).toolsets(Shelf(launch)).build()
    answer = {interrupt.interrupts[0].interrupt_id: True}
    resumed = await collect(second_agent.chat(ChatRequest.resume(interrupt.run_id, answer)))
    assert [(r.name, r.content) for r in of_type(resumed, ToolResult)] == [("launch", "launched moon")]
    assert isinstance(resumed[-1], Done)


class Connected(Shelf):
    """A toolset with a connection: `async with` opens and closes it (as `McpToolset`)."""

    def __init__(self, log: list[str], name: str, fail: bool = False) -> None:
        super().__init__(weather if name == "a" else news)
        self.log, self.name, self.fail = log, name, fail

    async def __aenter__(self) -> Connected:
        if self.fail:
            raise ConnectionError(f"{self.name} is down")
        self.log.append(f"open {self.name}")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.log.append(f"close {self.name}")


async def test_the_agent_opens_its_toolsets_for_as_long_as_it_is_used() -> None:
    log: list[str] = []
    model = ScriptedModel([[ToolCall("weather", {"city": "Oslo"})], ["done"]])
    plain = Shelf()  # no connection: nothing to open
    agent = AgentBuilder().model(model).toolsets(Connected(log, "a"), plain, Connected(log, "b")).build()
    async with agent:
        assert log == ["open a", "open b"]
        events = await collect(agent.chat("weather?"))
        assert isinstance(events[-1], Done)
        async with agent:  # nested: opened once, closed by the outermost
            pass
        assert log == ["open a", "open b"]
    assert log == ["open a", "open b", "close b", "close a"]


async def test_a_toolset_that_cannot_open_closes_those_opened_before_it() -> None:
    log: list[str] = []
    registry = ToolRegistry(toolsets=[Connected(log, "a"), Connected(log, "b", fail=True)])
    with pytest.raises(ConnectionError, match="b is down"):
        await registry.open()
    assert log == ["open a", "close a"]
    await registry.aclose()  # nothing left open: a second close does nothing
    assert log == ["open a", "close a"]
