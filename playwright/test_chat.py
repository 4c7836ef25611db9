"""The chat: streaming text, tool cards, conversations kept across reloads."""

from __future__ import annotations

from browser_app import WebServer, ask, boot, events, screenshot
from playwright.sync_api import Page


def test_text_streams_into_the_page_token_by_token(page: Page, web: WebServer) -> None:
    metrics = boot(page, web.url)
    assert metrics["bootMs"] > 0
    end = ask(page, "count to 40")
    assert end is not None and end["type"] == "done"
    deltas = [e["text"] for e in events(page) if e["type"] == "text_delta"]
    assert len(deltas) > 10  # streamed, not delivered at once
    expected = " ".join(str(n) for n in range(1, 41))
    assert "".join(deltas).strip().rstrip(".") == expected
    assert page.inner_text(".msg.assistant .text").strip().rstrip(".") == expected
    screenshot(page, "chat-streaming")


def test_a_tool_call_shows_as_a_card_with_its_result(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    end = ask(page, "what is 2+3*4?")
    assert end is not None and end["type"] == "done"
    card = page.locator(".tool-card").first
    assert card.locator(".name").inner_text() == "calculator"
    assert '"expression": "2+3*4"' in card.locator(".args").inner_text()
    assert card.locator(".result").inner_text() == "→ 14"
    assert card.locator(".state").inner_text() == "done"
    assert "14" in page.locator(".msg.assistant .text").last.inner_text()
    types = [e["type"] for e in events(page)]
    assert types.index("tool_call_start") < types.index("tool_call_args_delta")
    assert types.index("tool_call_ready") < types.index("tool_result")
    screenshot(page, "tool-card")


def test_conversations_survive_a_reload(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    ask(page, "what is 6*7?")
    page.click("#new-chat")
    ask(page, "hello there")
    assert page.locator("#threads li").count() == 2
    page.reload()
    page.evaluate("window.remi.ready")
    titles = page.locator("#threads li .open").all_inner_texts()
    assert titles == ["hello there", "what is 6*7?"]  # most recent first
    page.wait_for_selector(".msg.assistant")  # the open conversation is shown again
    assert "You said: hello there" in page.inner_text("#messages")
    page.locator("#threads li .open", has_text="what is 6*7?").click()
    page.wait_for_selector(".tool-card .result")
    assert page.locator(".tool-card .result").inner_text() == "→ 42"
    assert page.locator(".msg.user").inner_text() == "what is 6*7?"
    screenshot(page, "conversations")
