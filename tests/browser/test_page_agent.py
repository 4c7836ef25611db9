"""The page author's agent file: loading it, and building the runnable agent from settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from remi_web import ConfigurationError, MemoryStore
from remi_web.browser import BrowserSettings, build_page_agent, load_page_agent, load_page_file

GOOD = '''
from remi_web import AgentBuilder, tool

@tool
def shout(text: str) -> str:
    """Louder."""
    return text.upper()

agent = AgentBuilder().tools(shout).system("Shout.")
'''


@pytest.mark.pyodide
def test_the_agent_file_defines_a_builder_whose_tools_are_used() -> None:
    builder = load_page_agent(GOOD, "mine.py")
    settings = BrowserSettings(base_url="http://127.0.0.1:1/v1", model="m")
    agent = build_page_agent(builder, settings, MemoryStore())
    assert [d.name for d in agent.tools.definitions()] == ["shout"]


@pytest.mark.pyodide
@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("raise RuntimeError('boom')", "mine.py failed: RuntimeError: boom"),
        ("x = (", "mine.py failed: SyntaxError"),
        ("agent = 42", "must define `agent = AgentBuilder()...` (an AgentBuilder, or a DeepAgentBuilder); found int"),
        ("", "found nothing"),
    ],
)
def test_a_broken_agent_file_names_the_file_and_the_problem(source: str, says: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_page_agent(source, "mine.py")
    assert says in str(raised.value)


@pytest.mark.pyodide
def test_without_a_model_or_an_endpoint_the_settings_are_blamed() -> None:
    builder = load_page_agent(GOOD)
    with pytest.raises(ConfigurationError, match="base URL"):
        build_page_agent(builder, BrowserSettings(base_url=""), MemoryStore())


def test_the_demo_agent_file_leaves_the_model_to_the_page() -> None:
    demo = Path(__file__).resolve().parents[2] / "web" / "agent.py"
    builder = load_page_agent(demo.read_text(), "agent.py")
    assert not builder.has_model


def test_the_deep_demo_file_defines_a_deep_agent_and_its_workspace() -> None:
    from remi_web.deep import DeepAgentBuilder
    from remi_web.tools import VirtualFS

    demo = Path(__file__).resolve().parents[2] / "web" / "deep_agent.py"
    page = load_page_file(demo.read_text(), "deep_agent.py")
    assert isinstance(page.agent, DeepAgentBuilder) and not page.agent.has_model
    assert isinstance(page.workspace, VirtualFS)


@pytest.mark.pyodide
def test_a_file_without_a_file_system_as_workspace_has_none() -> None:
    assert load_page_file(GOOD).workspace is None
    assert load_page_file(GOOD + "\nworkspace = 'not files'\n").workspace is None
