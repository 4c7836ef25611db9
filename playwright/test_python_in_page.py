"""The `python` tool in the page: model-written code runs in its own Pyodide worker, over the
workspace's files, streams its output, and is killed at its timeout while the page stays live."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_app import WebServer, ask, serving_agent_file, boot, events, screenshot
from playwright.sync_api import Page

PYTHON_AGENT = '''
from remi_web import AgentBuilder
from remi_web.tools import VirtualFS, python_tool

files = VirtualFS()
files.write_text("/data.txt", "3\\n4\\n")
agent = AgentBuilder().tools(python_tool(files, timeout=4)).system("You run Python.")
'''


@pytest.fixture(scope="module")
def python_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    yield from serving_agent_file(tmp_path_factory.mktemp("python"), PYTHON_AGENT, "--tps", "0")


def results(page: Page) -> list[dict[str, object]]:
    return [e for e in events(page) if e["type"] == "tool_result"]


def test_python_runs_in_its_own_worker_over_the_workspace(page: Page, python_web: WebServer) -> None:
    boot(page, python_web.url)
    code = "import os; print(sum(int(x) for x in open('data.txt'))); print(os.getcwd())"
    end = ask(page, 'call python with {"code": "%s"}' % code)
    assert end is not None and end["type"] == "done"
    (result,) = results(page)
    assert result["content"] == "7\n/workspace\n[exit code 0]", result
    progress = [e for e in events(page) if e["type"] == "tool_progress"]
    assert any("7" in str(e["data"]) for e in progress)  # streamed while it ran
    screenshot(page, "python-tool")


def test_a_runaway_loop_is_killed_at_the_timeout_and_the_page_stays_live(
    page: Page, python_web: WebServer
) -> None:
    boot(page, python_web.url)
    end = ask(page, 'call python with {"code": "while True: pass"}', wait=False)
    assert end is None
    page.wait_for_function("window.remi.events.some(e => e.type === 'tool_call_ready')")
    assert page.evaluate("1 + 1") == 2  # the page answers while the loop spins in its worker
    page.wait_for_function(
        "window.remi.events.some(e => e.type === 'tool_result')", timeout=60_000
    )
    (result,) = results(page)
    assert "Timed out after 4 s" in str(result["content"])
    page.wait_for_function("window.remi.events.some(e => e.type === 'done')", timeout=60_000)
    again = ask(page, "what is 2+3*4?")
    assert again is not None and again["type"] == "done"
