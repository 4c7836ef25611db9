"""Edit and resend a user message (a new branch of the thread), and re-attaching to a still-running
remote run after a reload (`Last-Event-ID`)."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_app import (
    WebServer,
    ask,
    boot,
    ended_runs,
    events,
    screenshot,
    serving_remote_agent,
    set_settings,
    wait_for_end,
)
from playwright.sync_api import Page, expect
from test_markdown_layout import serious_violations

CURRENT = "localStorage.getItem('remi-web-current')"
TOKENS = "window.remi.events.filter(e => e.type === 'text_delta').length"
REMOTE_AGENT = '''
import os
from remi_web import AgentBuilder, OpenAIModel

def agent(store):
    model = OpenAIModel("mock", base_url=os.environ["MOCK_URL"])
    return AgentBuilder().model(model).store(store).build()
'''


def _bubbles(page: Page) -> list[tuple[str, str]]:
    """The conversation as shown: (role, text) of each sent message and each answer's text."""
    shown: list[tuple[str, str]] = page.evaluate(
        """[...document.querySelectorAll('#messages > .msg:not(.queued)')].map(m =>
             [m.classList.contains('user') ? 'user' : 'assistant',
              m.classList.contains('user') ? m.innerText
                : [...m.querySelectorAll(':scope > .text')].map(t => t.innerText).join('')])"""
    )
    return [(role, " ".join(text.split())) for role, text in shown]


def _titles(page: Page) -> list[str]:
    titles: list[str] = page.locator("#threads .open").all_inner_texts()
    return titles


def _open(page: Page, title: str) -> None:
    """Open the conversation called `title` from the list and wait for its history."""
    page.locator("#threads .open").filter(has_text=re.compile(f"^{re.escape(title)}$")).click()
    page.wait_for_function("document.querySelector('#threads li.active .open')?.textContent === "
                           + json.dumps(title))
    page.wait_for_selector("#messages > .msg.user")


def _edit(page: Page, index: int, text: str) -> dict[str, Any]:
    """Edit the `index`-th user message with the keyboard, send it; the branch's terminal event."""
    edit = page.locator("#messages > .user-actions button.edit").nth(index)
    expect(edit).to_have_attribute("aria-label", "Edit this message and send it as a new branch")
    edit.focus()
    page.keyboard.press("Enter")
    editor = page.locator("#messages > .msg-editor textarea")
    expect(editor).to_be_focused()
    before = ended_runs(page)
    editor.fill(text)
    if index == 0:
        screenshot(page, "editing-a-message")
        assert serious_violations(page) == [], "the message editor"
    editor.press("Enter")
    return wait_for_end(page, before)


def test_editing_a_message_sends_it_in_a_new_branch_and_keeps_the_original(
    page: Page, web: WebServer
) -> None:
    boot(page, web.url)
    assert ask(page, "my name is Ada") is not None
    done = ask(page, "what did I say first?")
    assert done is not None and done["text"] == "You first said: my name is Ada"
    original = page.evaluate(CURRENT)
    original_view = _bubbles(page)
    assert len(original_view) == 4

    # The first message, edited: the branch has nothing before it (the model saw no history).
    done = _edit(page, 0, "what did I say?")
    assert done["type"] == "done" and done["text"] == "This is your first message.", done
    first_branch = page.evaluate(CURRENT)
    assert first_branch != original
    assert _bubbles(page) == [("user", "what did I say?"), ("assistant", "This is your first message.")]
    expect(page.locator("#threads li.active .open")).to_have_text("what did I say? (edited)")
    screenshot(page, "branch-of-first-message")

    # The original is unchanged and still in the list.
    _open(page, "my name is Ada")
    assert page.evaluate(CURRENT) == original
    assert _bubbles(page) == original_view

    # Its second message, edited: the branch holds the first exchange, which the model saw.
    done = _edit(page, 1, "what did I write?")
    assert done["type"] == "done" and done["text"] == "You first said: my name is Ada", done
    second_branch = page.evaluate(CURRENT)
    second_view = [*original_view[:2], ("user", "what did I write?"), ("assistant", done["text"])]
    assert _bubbles(page) == second_view
    assert sorted(_titles(page)) == sorted(
        ["my name is Ada", "what did I say? (edited)", "my name is Ada (edited)"]
    )
    screenshot(page, "branch-of-second-message")
    assert serious_violations(page) == [], "user messages with their Edit buttons"

    # All three survive a reload (the branches are in the worker's IndexedDB store).
    page.reload()
    page.wait_for_function("window.remi.ready")
    page.wait_for_selector("#messages > .msg.user")
    assert page.evaluate(CURRENT) == second_branch
    page.wait_for_function("document.querySelectorAll('#messages > .msg.assistant').length === 2")
    assert _bubbles(page) == second_view
    _open(page, "what did I say? (edited)")
    assert page.evaluate(CURRENT) == first_branch
    assert _bubbles(page) == [("user", "what did I say?"), ("assistant", "This is your first message.")]
    _open(page, "my name is Ada")
    assert _bubbles(page) == original_view
    assert [e for e in events(page) if e["type"] == "error"] == []


@pytest.fixture(scope="module")
def slow_model() -> Iterator[WebServer]:
    """A mock model paced at 25 tokens/s: counting to 500 takes about 20 s."""
    server = WebServer("--tps", "25")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(web: WebServer, slow_model: WebServer, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, Path]]:
    """`remi serve` with an agent on the slow mock model: its URL and its database."""
    folder = tmp_path_factory.mktemp("reattach")
    env = {"MOCK_URL": slow_model.url + "v1", "REMI_CORS_ORIGINS": web.url.rstrip("/")}
    for url in serving_remote_agent(
        folder, "slow_agent", REMOTE_AGENT, env,
        "--reconnect-grace", "120",  # the run outlives the page's reload
    ):
        yield url, folder / "server.db"


def _runs_started(database: Path) -> int:
    with sqlite3.connect(database) as db:
        count: int = db.execute("SELECT COUNT(*) FROM run_events WHERE type = 'run_start'").fetchone()[0]
    return count


def _status(url: str, run_id: str) -> str:
    with urllib.request.urlopen(f"{url}/v1/runs/{run_id}", timeout=5) as response:
        status: str = json.load(response)["status"]
    return status


def _start_counting(page: Page, web: WebServer, url: str, upto: int) -> str:
    """Boot in remote mode, ask for a count, wait for its first tokens; the run's id."""
    boot(page, web.url)
    set_settings(page, mode="remote", agent_url=url)
    ask(page, f"count to {upto}", wait=False)
    page.wait_for_function(f"{TOKENS} > 5")
    run_id: str = page.evaluate("window.remi.events.find(e => e.type === 'run_start').run_id")
    return run_id


def _check_continued(page: Page, run_id: str, upto: int) -> dict[str, Any]:
    """After the reload: the answer goes on from where it was cut, each event exactly once."""
    page.wait_for_function("window.remi.reattached")
    reattached: dict[str, Any] = page.evaluate("window.remi.reattached")
    assert reattached["run_id"] == run_id and reattached["attached"] is True, reattached
    done = wait_for_end(page, 0)
    full = " ".join(str(n) for n in range(1, upto + 1))
    assert done["type"] == "done" and done["run_id"] == run_id and done["text"] == full
    received = events(page)
    assert all(e["type"] not in ("run_start", "run_resumed") for e in received)  # no new run
    rest = "".join(e["text"] for e in received if e["type"] == "text_delta")
    assert reattached["reply"] and rest
    assert reattached["reply"] + rest == full  # nothing lost, nothing repeated
    seqs: list[int] = page.evaluate("window.remi.seqs")
    after = reattached["after"]
    assert seqs == list(range(after + 1, after + 1 + len(seqs))), seqs[:5]
    assert _bubbles(page) == [("user", f"count to {upto}"), ("assistant", full)]
    expect(page.locator("#messages .interrupted")).to_have_count(0)  # not offered to resend
    return reattached


def test_a_reload_mid_stream_reattaches_to_the_running_remote_run(
    page: Page, web: WebServer, served: tuple[str, Path]
) -> None:
    url, database = served
    started = _runs_started(database)
    run_id = _start_counting(page, web, url, 500)
    page.reload()
    reattached = _check_continued(page, run_id, 500)
    assert reattached["status"] == "running"  # followed live, not only read back from the log
    assert _runs_started(database) == started + 1
    screenshot(page, "reattached-remote-run")


def test_a_run_that_ended_while_the_page_was_away_shows_its_final_answer(
    page: Page, web: WebServer, served: tuple[str, Path]
) -> None:
    url, database = served
    started = _runs_started(database)
    run_id = _start_counting(page, web, url, 60)
    page.goto("about:blank")
    while _status(url, run_id) == "running":  # the run goes on without a reader
        time.sleep(0.2)
    assert _status(url, run_id) == "done"
    page.goto(web.url)
    page.wait_for_function("window.remi.ready")
    reattached = _check_continued(page, run_id, 60)
    assert reattached["status"] == "done"
    assert _runs_started(database) == started + 1


def test_a_run_its_server_does_not_know_is_offered_again(
    page: Page, web: WebServer, served: tuple[str, Path]
) -> None:
    url, _ = served
    boot(page, web.url)
    set_settings(page, mode="remote", agent_url=url)
    record = {"thread_id": "lost-thread", "text": "count to 3", "reply": "1 ", "agent_url": url,
              "run_id": "no-such-run", "seq": 4, "events": []}
    page.evaluate("r => { localStorage.setItem('remi-web-live-chat', JSON.stringify(r));"
                  " localStorage.setItem('remi-web-current', 'lost-thread'); }", record)
    page.reload()
    page.wait_for_function("window.remi.reattached")
    assert page.evaluate("window.remi.reattached.attached") is False
    expect(page.locator("#messages .interrupted button.continue")).to_be_visible()
    assert ended_runs(page) == 0
