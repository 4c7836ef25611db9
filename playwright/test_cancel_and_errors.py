"""Cancel mid-stream; errors (unreachable endpoint, malformed stream) shown as readable text;
the model client's retries shown while they wait."""

from __future__ import annotations

from browser_app import (
    WebServer,
    ask,
    boot,
    ended_runs,
    events,
    screenshot,
    set_settings,
    wait_for_end,
)
import re

from playwright.sync_api import Page, expect


def test_cancel_stops_a_run_mid_stream(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    before = ended_runs(page)
    ask(page, "count to 3000", wait=False)  # 3000 tokens at 200/s: ~15 s if not stopped
    page.wait_for_function("window.remi.events.filter(e => e.type === 'text_delta').length >= 5")
    page.click("#cancel")
    end = wait_for_end(page, before)
    assert end["type"] == "cancelled"
    streamed = "".join(e["text"] for e in events(page) if e["type"] == "text_delta")
    assert end["partial_text"] == streamed
    assert "3000" not in streamed
    assert page.locator(".notice", has_text="Stopped.").is_visible()
    page.wait_for_selector("#send:not([disabled])")
    screenshot(page, "cancelled")
    assert ask(page, "hello")["type"] == "done"  # type: ignore[index]  # the page still works


def test_an_unreachable_endpoint_shows_a_readable_error(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    set_settings(page, base_url="http://127.0.0.1:9/v1")
    end = ask(page, "hello")
    assert end is not None and end["type"] == "error"
    message = page.locator(".error-msg").inner_text()
    assert message.startswith("Error (")
    assert "127.0.0.1:9" in message
    screenshot(page, "error-unreachable")


def test_a_malformed_stream_shows_a_readable_error(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    set_settings(page, model="fault-malformed")
    end = ask(page, "hello")
    assert end is not None and end["type"] == "error"
    assert "Traceback" not in page.locator(".error-msg").inner_text()
    assert page.locator(".error-msg").inner_text().startswith("Error (")


def test_a_rejected_api_key_shows_the_providers_message(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    set_settings(page, model="fault-401", api_key="sk-wrong-key-123456")
    end = ask(page, "hello")
    assert end is not None and end["type"] == "error"
    text = page.locator(".error-msg").inner_text()
    assert "401" in text or "key" in text.lower()
    assert "sk-wrong-key-123456" not in text  # the key is never echoed


def test_retries_show_beside_the_typing_indicator_and_stop_ends_them(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    set_settings(page, model="fault-429")  # the mock answers 429 (Retry-After: 1 s) every time
    before = ended_runs(page)
    ask(page, "hello", wait=False)
    note = page.locator("#messages > .typing > .retry")
    expect(note).to_have_text(re.compile(r"^retrying \(1/4\) in 1 s$"))
    assert "429" in (note.get_attribute("title") or "")  # the reason, on hover
    expect(note).to_have_text(re.compile(r"^retrying \(2/4\) in 1 s$"))
    retries = [e for e in events(page) if e["type"] == "model_retry"]
    assert [(e["attempt"], e["max_retries"]) for e in retries][:2] == [(1, 4), (2, 4)]
    assert not [e for e in events(page) if e["type"] == "text_delta"]
    screenshot(page, "retrying")
    page.click("#cancel")
    assert wait_for_end(page, before)["type"] == "cancelled"
    expect(page.locator("#messages > .typing")).to_have_count(0)
