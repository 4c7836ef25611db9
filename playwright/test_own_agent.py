"""A page author's own agent file runs in the worker; a broken one is reported, not a blank page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_app import WebServer, ask, serving_agent_file, events, screenshot
from playwright.sync_api import Page

OWN_AGENT = '''
from remi_web import AgentBuilder, tool

@tool
def shout(text: str) -> str:
    """Say it louder.

    Args:
        text: what to say.
    """
    return text.upper() + "!"

agent = AgentBuilder().tools(shout).system("You shout.")
'''


@pytest.fixture(scope="module")
def own_agent_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    yield from serving_agent_file(tmp_path_factory.mktemp("own"), OWN_AGENT, "--tps", "0")


@pytest.fixture(scope="module")
def broken_agent_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    path = tmp_path_factory.mktemp("broken") / "agent.py"
    path.write_text("from remi_web import AgentBuilder\nagent = AgentBuilder().tools(undefined_tool)\n")
    server = WebServer("--agent", str(path))
    yield server
    server.stop()


def test_the_page_runs_the_authors_agent_file(page: Page, own_agent_web: WebServer) -> None:
    page.goto(own_agent_web.url)
    assert "error" not in page.evaluate("window.remi.ready")
    end = ask(page, 'call shout with {"text": "hello"}')
    assert end is not None and end["type"] == "done"
    result = next(e for e in events(page) if e["type"] == "tool_result")
    assert (result["name"], result["content"]) == ("shout", "HELLO!")
    assert page.locator(".tool-card .name").inner_text() == "shout"


def test_a_broken_agent_file_is_reported_in_the_page(page: Page, broken_agent_web: WebServer) -> None:
    page.goto(broken_agent_web.url)
    ready = page.evaluate("window.remi.ready")
    assert "undefined_tool" in ready["error"]
    banner = page.locator("#banner")
    assert banner.is_visible()
    assert "agent.py failed: NameError" in banner.inner_text()
    assert page.locator("#status").inner_text() == "Python failed to start"
    screenshot(page, "broken-agent-file")
