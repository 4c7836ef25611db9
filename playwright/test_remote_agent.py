"""The web app switched to "agent at a URL": the worker's HttpAgent drives `remi serve`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_app import (
    WebServer,
    ask,
    boot,
    ended_runs,
    events,
    serving_remote_agent,
    set_settings,
    wait_for_end,
)
from playwright.sync_api import Page

AGENT_MODULE = '''
import os
from remi_web import AgentBuilder, OpenAIModel, tool

@tool(requires_approval=True)
def save_note(text: str) -> str:
    """Save a note (approved first)."""
    return f"Saved on the server: {text}"

def agent(store):
    model = OpenAIModel("mock", base_url=os.environ["MOCK_URL"])
    return AgentBuilder().model(model).tools(save_note).store(store).build()
'''


@pytest.fixture(scope="module")
def served_agent(web: WebServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"MOCK_URL": web.url + "v1", "REMI_CORS_ORIGINS": web.url.rstrip("/")}
    yield from serving_remote_agent(
        tmp_path_factory.mktemp("remote"), "remote_agent", AGENT_MODULE, env
    )


def test_the_page_runs_a_server_side_agent_with_a_signed_approval(
    page: Page, web: WebServer, served_agent: str
) -> None:
    boot(page, web.url)
    set_settings(page, mode="remote", agent_url=served_agent)
    assert "agent at" in page.inner_text("#agent-label")
    interrupt = ask(page, 'call save_note with {"text": "remote"}')
    assert interrupt is not None and interrupt["type"] == "interrupt", interrupt
    page.wait_for_selector(".tool-card .approval button.approve")  # asked on the call's card
    before = ended_runs(page)
    page.click(".tool-card .approval button.approve")
    done = wait_for_end(page, before)
    assert done["type"] == "done" and done["run_id"] == interrupt["run_id"]
    result = next(e for e in events(page) if e["type"] == "tool_result")
    assert result["content"] == "Saved on the server: remote"
