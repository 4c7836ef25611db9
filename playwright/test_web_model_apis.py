"""The page's agent on each model API the settings offer (OpenAI Chat Completions, OpenAI
Responses, Anthropic Messages): the same tool round in the page, each client speaking its
provider's wire format to the built-in mock model over real HTTP, through fetch."""

from __future__ import annotations

import json
import urllib.request

import pytest
from browser_app import WebServer, ask, boot, events, screenshot, set_settings
from playwright.sync_api import Page


@pytest.mark.parametrize("api", ["responses", "anthropic"])
def test_a_tool_round_in_the_page_on_each_model_api(page: Page, web: WebServer, api: str) -> None:
    boot(page, web.url)
    set_settings(page, api=api)
    label = {"responses": "(OpenAI Responses)", "anthropic": "(Anthropic)"}[api]
    assert label in page.inner_text("body")  # the header says which API the page's agent uses
    before = _mock_requests(web, api)
    end = ask(page, "what is 2+3*4?")
    assert end is not None and end["type"] == "done", end
    card = page.locator(".tool-card").first
    assert card.locator(".name").inner_text() == "calculator"
    assert card.locator(".result").inner_text() == "→ 14"
    assert "14" in page.locator(".msg.assistant .text").last.inner_text()
    usage = [e for e in events(page) if e["type"] == "usage"]
    assert len(usage) == 2 and all(u["usage"]["prompt_tokens"] > 0 for u in usage)
    assert _mock_requests(web, api) == before + 2  # both calls of the round used that API
    screenshot(page, f"model-api-{api}")


def _mock_requests(web: WebServer, api: str) -> int:
    """How many model calls on `api` the mock has answered so far."""
    with urllib.request.urlopen(web.url + "v1/mock/stats") as response:
        stats = json.load(response)
    count: int = stats["apis"].get(api, 0)
    return count
