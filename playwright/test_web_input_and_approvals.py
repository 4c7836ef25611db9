"""Input is never lost (queued while a run streams, serialised sends, a reload mid-stream),
approvals on the tool cards, and feedback (typing indicator, autoscroll, regenerate, settings)."""

from __future__ import annotations

import re
from typing import Any

from browser_app import WebServer, ask, boot, ended_runs, events, screenshot, wait_for_end
from playwright.sync_api import Locator, Page, expect
from test_markdown_layout import serious_violations

NOTE = 'call save_note with {"text": "buy milk"}'
TOKENS = "window.remi.events.filter(e => e.type === 'text_delta').length"
FROM_BOTTOM = "(() => { const m = document.getElementById('messages');" \
    " return m.scrollHeight - m.clientHeight - m.scrollTop; })()"


def _sent(page: Page) -> list[str]:
    """The user messages shown as sent (not queued), in order."""
    texts: list[str] = page.locator("#messages > .msg.user:not(.queued)").all_inner_texts()
    return texts


def _answers(page: Page) -> list[str]:
    texts: list[str] = page.locator("#messages > .msg.assistant > .text").all_inner_texts()
    return texts


def _errors(page: Page) -> list[dict[str, Any]]:
    return [e for e in events(page) if e["type"] == "error"]


def _enter(page: Page, text: str) -> None:
    page.fill("#input", text)
    page.press("#input", "Enter")


def test_text_typed_during_a_stream_is_queued_then_sent(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    before = ended_runs(page)
    ask(page, "count to 300", wait=False)  # 300 tokens at 200/s
    page.wait_for_function(f"{TOKENS} > 0")
    _enter(page, "hello after")
    queued = page.locator("#messages > .msg.user.queued")
    expect(queued).to_contain_text("hello after")
    expect(page.locator("#input")).to_have_value("")
    screenshot(page, "queued-message")
    assert wait_for_end(page, before)["type"] == "done"
    assert wait_for_end(page, before + 1)["type"] == "done"
    expect(queued).to_have_count(0)
    assert _sent(page) == ["count to 300", "hello after"]
    assert _answers(page)[-1] == "You said: hello after"
    assert _errors(page) == []


def test_a_double_enter_sends_both_messages_in_order(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    before = ended_runs(page)
    _enter(page, "first message")
    _enter(page, "second message")
    assert wait_for_end(page, before)["type"] == "done"
    assert wait_for_end(page, before + 1)["type"] == "done"
    assert _sent(page) == ["first message", "second message"]
    assert _answers(page) == ["You said: first message", "You said: second message"]
    assert _errors(page) == []  # never "a run is already streaming"


def test_a_reload_mid_stream_keeps_the_message_and_the_partial_answer(
    page: Page, web: WebServer
) -> None:
    boot(page, web.url)
    ask(page, "count to 600", wait=False)  # ~3 s
    page.wait_for_function(f"{TOKENS} >= 40")
    _enter(page, "queued before the reload")
    expect(page.locator("#messages > .msg.user.queued")).to_be_visible()
    page.reload()
    assert "error" not in page.evaluate("window.remi.ready")
    expect(page.locator("#input")).to_have_value("queued before the reload")  # back, unsent
    interrupted = page.locator("#messages > .msg.assistant.interrupted")
    expect(interrupted).to_contain_text("Interrupted")
    assert _sent(page) == ["count to 600"]
    partial = interrupted.locator(".text").inner_text()
    assert partial.startswith("1 2 3 4 5") and "600" not in partial
    screenshot(page, "interrupted-by-reload")
    assert serious_violations(page) == []
    before = ended_runs(page)
    interrupted.locator("button.continue").click()  # sends the message again
    assert wait_for_end(page, before)["type"] == "done"
    expect(interrupted).to_have_count(0)
    assert _sent(page) == ["count to 600"]
    assert _answers(page)[-1].rstrip(".").endswith("599 600")
    assert _errors(page) == []


def _waiting_card(page: Page) -> tuple[dict[str, Any], Locator]:
    end = ask(page, NOTE)
    assert end is not None and end["type"] == "interrupt", end
    card = page.locator(".tool-card", has_text="save_note")
    expect(card.locator(".state")).to_have_text("waiting for approval")
    expect(card.locator(".approval button.approve")).to_be_visible()
    expect(page.locator("#approval")).to_have_count(0)  # no dialog: the card asks
    return end, card


def test_approving_on_the_card_runs_the_tool(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    interrupt, card = _waiting_card(page)
    screenshot(page, "approval-on-card")
    before = ended_runs(page)
    card.locator("button.approve").click()
    done = wait_for_end(page, before)
    assert done["type"] == "done" and done["run_id"] == interrupt["run_id"]
    expect(card.locator(".state")).to_have_text("done")
    assert card.locator(".result").inner_text() == "→ Saved note: buy milk"
    expect(card.locator(".approval")).to_have_count(0)


def test_denying_on_the_card_shows_denied_not_done(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    interrupt, card = _waiting_card(page)
    before = ended_runs(page)
    card.locator("button.deny").click()
    done = wait_for_end(page, before)
    assert done["type"] == "done" and done["run_id"] == interrupt["run_id"]
    expect(card.locator(".state")).to_have_text("denied")
    assert "denied" in card.locator(".result").inner_text()
    assert "Saved note" not in page.inner_text("#messages")
    page.reload()  # the stored thread shows the denial too
    page.evaluate("window.remi.ready")
    expect(page.locator(".tool-card .state")).to_have_text("denied")


def test_editing_on_the_card_shows_the_arguments_used(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    interrupt, card = _waiting_card(page)
    card.locator("button.edit").click()
    editor = card.locator("textarea.approval-args")
    expect(editor).to_be_focused()
    editor.fill("not json")
    card.locator("button.approve-edited").click()
    expect(card.locator(".approval .error-text")).to_contain_text("Not valid JSON")
    editor.fill('{"text": "buy oat milk"}')
    screenshot(page, "approval-editing")
    before = ended_runs(page)
    card.locator("button.approve-edited").click()
    done = wait_for_end(page, before)
    assert done["type"] == "done" and done["run_id"] == interrupt["run_id"]
    expect(card.locator(".state")).to_have_text("edited")
    assert '"text": "buy oat milk"' in card.locator(".args").inner_text()
    assert card.locator(".result").inner_text() == "→ Saved note: buy oat milk"


def test_a_new_message_while_an_approval_waits_asks_to_deny_it(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    interrupt, card = _waiting_card(page)
    assert serious_violations(page) == [], "approval on the card"
    dialog = page.locator("#deny-first")
    _enter(page, "never mind")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("save_note")
    assert serious_violations(page) == [], "asking to deny first"
    page.click("#deny-first-no")  # keep it waiting: the message goes back to the box
    expect(dialog).to_be_hidden()
    expect(page.locator("#input")).to_have_value("never mind")
    expect(card.locator(".state")).to_have_text("waiting for approval")
    before = ended_runs(page)
    page.press("#input", "Enter")
    expect(dialog).to_be_visible()
    page.click("#deny-first-yes")
    resumed = wait_for_end(page, before)
    assert resumed["type"] == "done" and resumed["run_id"] == interrupt["run_id"]  # a real resume
    assert wait_for_end(page, before + 1)["type"] == "done"
    expect(card.locator(".state")).to_have_text("denied")
    result = next(e for e in events(page) if e["type"] == "tool_result")
    assert "denied" in result["content"]
    assert _sent(page) == [NOTE, "never mind"]
    assert _answers(page)[-1] == "You said: never mind"


def test_the_typing_indicator_shows_before_the_first_token(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    before = ended_runs(page)
    shown = page.evaluate(
        """() => {
          document.getElementById('input').value = 'hello';
          document.getElementById('composer').requestSubmit();
          const typing = document.querySelector('#messages > .typing');
          return { typing: !!typing && typing.getAttribute('role'), tokens: %s };
        }""" % TOKENS
    )
    assert shown == {"typing": "status", "tokens": 0}
    page.wait_for_function(f"{TOKENS} > 0")
    expect(page.locator("#messages > .typing")).to_have_count(0)
    assert wait_for_end(page, before)["type"] == "done"
    expect(page.locator("#messages > .typing")).to_have_count(0)


def test_autoscroll_stops_when_scrolled_up_and_jump_brings_it_back(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    before = ended_runs(page)
    ask(page, "count to 3000", wait=False)  # ~15 s unless stopped
    page.wait_for_function(
        "(() => { const m = document.getElementById('messages'); return m.scrollHeight > m.clientHeight + 300; })()"
    )
    assert page.evaluate(FROM_BOTTOM) < 40  # following the stream
    expect(page.locator("#jump")).to_be_hidden()
    page.mouse.move(700, 300)
    page.mouse.wheel(0, -400)
    expect(page.locator("#jump")).to_be_visible()
    top = _settled_scroll_top(page)  # the wheel's smooth scroll ended
    page.wait_for_timeout(600)
    assert page.evaluate("document.getElementById('messages').scrollTop") == top  # left alone
    assert page.evaluate(FROM_BOTTOM) > 100  # while the answer grew below
    screenshot(page, "jump-to-latest")
    page.click("#jump")
    expect(page.locator("#jump")).to_be_hidden()
    page.wait_for_timeout(500)
    assert page.evaluate(FROM_BOTTOM) < 40  # following again
    page.click("#cancel")
    assert wait_for_end(page, before)["type"] == "cancelled"


def _settled_scroll_top(page: Page) -> float:
    """The messages' scroll position once it stopped moving (bounded: ~3 s)."""
    read = "document.getElementById('messages').scrollTop"
    top: float = page.evaluate(read)
    for _ in range(20):
        page.wait_for_timeout(150)
        now: float = page.evaluate(read)
        if now == top:
            break
        top = now
    return top


def test_regenerate_sends_the_last_message_again(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    assert ask(page, "hello there")["type"] == "done"  # type: ignore[index]
    regenerate = page.locator("#messages .regenerate")
    expect(regenerate).to_have_count(1)
    before = ended_runs(page)
    regenerate.click()
    assert wait_for_end(page, before)["type"] == "done"
    assert _sent(page) == ["hello there", "hello there"]
    assert _answers(page) == ["You said: hello there"] * 2
    expect(regenerate).to_have_count(1)  # on the last answer only


def test_settings_refuse_a_bad_url_and_test_the_endpoint(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    saved = page.evaluate("window.remi.settingsSaved")
    page.click("#open-settings")
    page.fill("#set-base-url", "not a url")
    page.click("#settings-save")
    expect(page.locator("#settings")).to_be_visible()  # not saved, still open
    expect(page.locator("#settings-error")).to_contain_text("URL")
    expect(page.locator("#set-base-url")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("window.remi.settingsSaved") == saved
    page.fill("#set-base-url", "ftp://example.com/v1")
    page.click("#settings-save")
    expect(page.locator("#settings-error")).to_contain_text("http")
    page.click("#settings-test")
    expect(page.locator("#settings-check")).to_contain_text("http")
    page.fill("#set-base-url", "http://127.0.0.1:9/v1")
    page.click("#settings-test")
    expect(page.locator("#settings-check")).to_contain_text("Not reachable")
    page.fill("#set-base-url", web.url + "v1")
    page.click("#settings-test")
    expect(page.locator("#settings-check")).to_have_text(re.compile(r"^Reachable"))
    screenshot(page, "settings-test")
    page.click("#settings-save")
    expect(page.locator("#settings")).to_be_hidden()
    page.wait_for_function(f"window.remi.settingsSaved > {saved}")


def test_ask_in_the_url_is_sent_once(page: Page, web: WebServer) -> None:
    page.goto(web.url + "?ask=hello%20once")
    assert "error" not in page.evaluate("window.remi.ready")
    assert wait_for_end(page, 0)["type"] == "done"
    assert "ask=" not in page.url
    page.reload()
    page.evaluate("window.remi.ready")
    expect(page.locator("#messages > .msg.assistant")).to_have_count(1)  # the history, once
    page.wait_for_timeout(800)
    assert [e for e in events(page) if e["type"] == "run_start"] == []  # nothing sent again
    assert _sent(page) == ["hello once"]
