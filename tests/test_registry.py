"""`ToolRegistry` holds tools by name, in order, one per name."""

from __future__ import annotations

import pytest

from remi_web.core.ctx import ChatCtx
from remi_web.core.function_tool import tool
from remi_web.core.model_io import ToolDefinition
from remi_web.core.registry import ToolRegistry
from remi_web.core.tool import ToolCtx, ToolReturn

pytestmark = pytest.mark.pyodide


@tool
def alpha(x: int) -> int:
    """First tool."""
    return x


@tool
def beta() -> str:
    """Second tool."""
    return "beta"


class Handmade:
    """A tool written against the protocol, without `@tool`."""

    def __init__(self, name: str, text: str) -> None:
        self._name = name
        self.text = text

    @property
    def name(self) -> str:
        return self._name

    def definition(self) -> ToolDefinition:
        return ToolDefinition(self._name, self.text)

    async def run(self, arguments: str, ctx: ToolCtx) -> ToolReturn:
        return self.text


def test_tools_are_found_by_name() -> None:
    registry = ToolRegistry([alpha, beta])
    assert registry.get("alpha") is alpha
    assert registry.get("beta") is beta
    assert registry.get("gamma") is None
    assert "alpha" in registry
    assert "gamma" not in registry
    assert len(registry) == 2


def test_definitions_and_names_keep_insertion_order() -> None:
    registry = ToolRegistry([beta])
    registry.add(alpha)
    registry.add(Handmade("gamma", "Third tool."))
    assert registry.names() == ["beta", "alpha", "gamma"]
    assert [(d.name, d.description) for d in registry.definitions()] == [
        ("beta", "Second tool."),
        ("alpha", "First tool."),
        ("gamma", "Third tool."),
    ]
    assert registry.definitions()[1].parameters == alpha.parameters


async def test_a_duplicate_name_replaces_the_earlier_tool_once() -> None:
    first = Handmade("alpha", "old")
    second = Handmade("alpha", "new")
    registry = ToolRegistry([first, beta, second])
    assert len(registry) == 2
    assert registry.names() == ["alpha", "beta"]
    assert registry.get("alpha") is second
    assert [d.description for d in registry.definitions()] == ["new", "Second tool."]
    found = registry.get("alpha")
    assert found is not None
    assert await found.run("", ToolCtx("c", "alpha", ChatCtx())) == "new"


def test_empty_registry() -> None:
    registry = ToolRegistry()
    assert len(registry) == 0
    assert registry.names() == []
    assert registry.definitions() == []
    assert list(registry) == []


def test_iterates_over_tools_in_order() -> None:
    assert list(ToolRegistry([alpha, beta])) == [alpha, beta]
