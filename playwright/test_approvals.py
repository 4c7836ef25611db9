"""Approvals (on the tool card): approve, deny and edit resume the same run; a pending approval
survives a reload."""

from __future__ import annotations

import json

from browser_app import WebServer, ask, boot, ended_runs, events, screenshot, wait_for_end
from playwright.sync_api import Page

NOTE = 'call save_note with {"text": "buy milk"}'
CARD = ".tool-card:has(.approval)"  # the card of the call waiting for approval


def _interrupt(page: Page) -> dict[str, object]:
    end = ask(page, NOTE)
    assert end is not None and end["type"] == "interrupt", end
    page.wait_for_selector(f"{CARD} button.approve")
    assert page.inner_text(f"{CARD} .head .name") == "save_note"
    assert json.loads(page.inner_text(f"{CARD} .args")) == {"text": "buy milk"}
    return end


def test_approving_resumes_the_same_run(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    interrupt = _interrupt(page)
    screenshot(page, "approval-card")
    before = ended_runs(page)
    page.click(f"{CARD} button.approve")
    done = wait_for_end(page, before)
    assert done["type"] == "done" and done["run_id"] == interrupt["run_id"]
    resumed = [e for e in events(page) if e["type"] == "run_resumed"]
    assert [e["run_id"] for e in resumed] == [interrupt["run_id"]]
    assert page.locator(".tool-card .result").inner_text() == "→ Saved note: buy milk"


def test_denying_reports_the_denial_and_finishes(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    interrupt = _interrupt(page)
    before = ended_runs(page)
    page.click(f"{CARD} button.deny")
    done = wait_for_end(page, before)
    assert done["type"] == "done" and done["run_id"] == interrupt["run_id"]
    result = next(e for e in events(page) if e["type"] == "tool_result")
    assert "denied" in result["content"].lower()
    assert "Saved note" not in page.inner_text("#messages")


def test_editing_the_arguments_runs_the_tool_with_the_edit(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    _interrupt(page)
    page.click(f"{CARD} button.edit")
    page.fill(f"{CARD} textarea.approval-args", "not json")
    page.click(f"{CARD} button.approve-edited")
    assert page.locator(f"{CARD} .error-text").is_visible()  # refused, still asking
    page.fill(f"{CARD} textarea.approval-args", '{"text": "buy oat milk"}')
    before = ended_runs(page)
    page.click(f"{CARD} button.approve-edited")
    wait_for_end(page, before)
    assert page.locator(".tool-card .result").inner_text() == "→ Saved note: buy oat milk"


def test_a_pending_approval_can_be_answered_after_a_reload(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    interrupt = _interrupt(page)
    page.reload()  # the run waits in IndexedDB
    boot_again = page.evaluate("window.remi.ready")
    assert "error" not in boot_again
    page.wait_for_selector(f"{CARD} button.approve")
    assert json.loads(page.inner_text(f"{CARD} .args")) == {"text": "buy milk"}
    assert page.locator(".msg.user").inner_text() == NOTE  # the history came back too
    screenshot(page, "approval-after-reload")
    before = ended_runs(page)
    page.click(f"{CARD} button.approve")
    done = wait_for_end(page, before)
    assert done["type"] == "done" and done["run_id"] == interrupt["run_id"]
    assert page.locator(".tool-card .result").inner_text() == "→ Saved note: buy milk"
