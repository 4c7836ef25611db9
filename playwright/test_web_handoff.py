"""Runs that move between the web app and `remi serve` (docs/handoff.md, "In the web app").

`remi web` serves an agent file (an approval-gated `save_note` that says where it ran) and the
mock model; `remi serve` serves the same agent file with a bearer token and CORS for the page.
A run paused on an approval in the page is continued on the server, approved there through
`HttpAgent`, and its result shows in the page, whose copy is read-only; the reverse; a second
hand-off refused on both sides; and a hand-off asked offline is queued and done once online.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_app import (
    WebServer,
    ask,
    boot,
    ended_runs,
    screenshot,
    serving_agent_file,
    set_settings,
    wait_for_end,
)
from playwright.sync_api import BrowserContext, Page, expect
from test_markdown_layout import serious_violations

from remi_web import ChatRequest, Done, HttpAgent, InterruptEvent
from remi_web.core.ids import RunId, ThreadId
from remi_web.remote.errors import RemoteRunNotFound
from remi_web.remote.protocol import RunInfo

TOKEN = "web-handoff-token-0123456789abcdef"
NOTE = 'call save_note with {{"text": "{}"}}'
DELTAS = "window.remi.events.filter(e => e.type === 'text_delta').length"
YES = {"approved": True}
AGENT_FILE = '''
import sys
from remi_web import AgentBuilder, tool


@tool(requires_approval=True)
def save_note(text: str) -> str:
    """Save a note (approved first).

    Args:
        text: the note.
    """
    return f"Saved note on {sys.platform}: {text}"


agent = AgentBuilder().tools(save_note).system("You save notes.")
'''
SERVED = '''
import os
import runpy

from remi_web import OpenAIModel

# the page's agent file, with the model the page's settings give it (the mock of `remi web`)
agent = runpy.run_path(os.environ["AGENT_FILE"])["agent"].model(
    OpenAIModel("mock", base_url=os.environ["MOCK_URL"])
)
'''


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("handoff")


@pytest.fixture(scope="module")
def web(folder: Path) -> Iterator[WebServer]:
    """`remi web` of the agent file (the mock model paced at 400 tokens/s)."""
    yield from serving_agent_file(folder, AGENT_FILE, "--tps", "400")


@pytest.fixture(scope="module")
def server(web: WebServer, folder: Path) -> Iterator[str]:
    """`remi serve` of the same agent file: bearer token `TOKEN`, CORS for the page's origin."""
    (folder / "served_page_agent.py").write_text(SERVED)
    port = WebServer.free_port()
    env = {
        **os.environ, "PYTHONPATH": str(folder), "AGENT_FILE": str(folder / "agent_file.py"),
        "MOCK_URL": web.url + "v1", "REMI_API_TOKEN": TOKEN,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "remi_web.cli.main", "serve", "served_page_agent:agent",
         "--port", str(port), "--db", str(folder / "server.db"), "--log-level", "warning",
         "--cors", web.url.rstrip("/")],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # bounded: at most ~30 s
            if process.poll() is not None:
                raise RuntimeError(f"remi serve exited with {process.returncode}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def on_server(server: str, work: Any) -> Any:
    """Run `work(agent)` with an `HttpAgent` of the page's principal (the same token), as a
    client of the server next to the page (in a thread of its own: Playwright's sync API holds
    this thread's event loop)."""

    async def go() -> Any:
        async with HttpAgent(server, TOKEN) as agent:
            return await work(agent)

    with ThreadPoolExecutor(1) as client:
        return client.submit(asyncio.run, go()).result()


def approve(server: str, run_id: str, interrupt_id: str) -> list[Any]:
    """Approve the run's pending call on the server, as its user would there; its events."""

    async def work(agent: HttpAgent) -> list[Any]:
        request = ChatRequest.resume(RunId(run_id), {interrupt_id: YES})
        return [event async for event in agent.chat(request)]

    events: list[Any] = on_server(server, work)
    return events


def status(server: str, run_id: str) -> RunInfo:
    async def work(agent: HttpAgent) -> RunInfo:
        return await agent.status(run_id)

    info: RunInfo = on_server(server, work)
    return info


def paused_run(page: Page, text: str) -> dict[str, Any]:
    """Ask for a note in the page; the `interrupt` its run pauses on."""
    interrupt = ask(page, NOTE.format(text))
    assert interrupt is not None and interrupt["type"] == "interrupt", interrupt
    page.wait_for_selector(".tool-card .approval button.approve")
    return interrupt


def wait_for_done(page: Page, run_id: str) -> None:
    """Wait until the page received the `done` of run `run_id` (its own or followed)."""
    page.wait_for_function(
        "id => window.remi.events.some(e => e.type === 'done' && e.run_id === id)", arg=run_id
    )


def result_of(page: Page) -> str:
    text: str = page.inner_text(".tool-card .result")
    return text


def test_a_page_run_paused_on_an_approval_continues_on_the_server_and_its_result_shows_in_the_page(
    page: Page, web: WebServer, server: str
) -> None:
    boot(page, web.url)
    set_settings(page, agent_url=server, agent_token=TOKEN)
    interrupt = paused_run(page, "to the server")
    run_id, iid = interrupt["run_id"], interrupt["interrupts"][0]["interrupt_id"]
    expect(page.locator("#handoff")).to_be_visible()
    page.click("#handoff")

    banner = page.locator("#handoff-banner")
    expect(banner).to_contain_text(f"Continued on {server} — run {run_id}")
    expect(banner.locator("a")).to_have_attribute("href", f"{server}/v1/runs/{run_id}")
    expect(page.locator("#input")).to_be_disabled()
    expect(page.locator("#handoff")).to_be_hidden()
    assert page.locator(".approval").count() == 0  # no approval asked in the page any more
    assert status(server, run_id).status == "interrupted"
    screenshot(page, "handoff-continued-on-server")

    approved = approve(server, run_id, iid)  # on the server, with the server's own token
    wait_for_done(page, run_id)  # followed into the page
    expect(page.locator(".tool-card .result")).to_contain_text("Saved note on linux: to the server")
    expect(page.locator("#input")).to_be_disabled()
    expect(page.locator("#messages .regenerate")).to_be_hidden()  # nothing runs again here
    assert serious_violations(page) == []  # the banner, its link and button, for everyone
    screenshot(page, "handoff-result-followed")
    page.reload()  # the page's copy: read-only, its result followed again from the server
    page.evaluate("window.remi.ready")
    expect(banner).to_contain_text(f"Continued on {server}")
    expect(page.locator(".tool-card .result")).to_contain_text("Saved note on linux: to the server")

    assert isinstance(approved[-1], Done) and "to the server" in approved[-1].text
    assert status(server, run_id).status == "done"
    expect(page.locator("#input")).to_be_disabled()
    assert page.evaluate("window.remi.handoff.handedOff") == 0  # after the reload: nothing sent again


def test_a_server_run_is_taken_back_into_the_page_approved_there_and_never_twice(
    page: Page, web: WebServer, server: str
) -> None:
    async def start(agent: HttpAgent) -> list[Any]:
        request = ChatRequest.user('call save_note with {"text": "from the server"}', ThreadId("srv-thread"))
        return [event async for event in agent.chat(request)]

    started = on_server(server, start)
    interrupt = started[-1]
    assert isinstance(interrupt, InterruptEvent), started
    run_id = interrupt.run_id
    boot(page, web.url)
    set_settings(page, agent_url=server, agent_token=TOKEN)
    page.click("#take-back-open")
    page.fill("#take-back-run", run_id)
    page.click("#take-back-go")

    page.wait_for_selector(".tool-card .approval button.approve")  # asked in the page now
    expect(page.locator("#threads .open").first).to_have_text('call save_note with {"text": "from the server"}')
    assert status(server, run_id).status == "moved"
    screenshot(page, "handoff-taken-back")
    page.click(".tool-card .approval button.approve")
    wait_for_done(page, run_id)
    expect(page.locator(".tool-card .result")).to_contain_text("Saved note on emscripten: from the server")
    expect(page.locator("#input")).to_be_enabled()

    page.click("#take-back-open")  # a second take-back: the server refuses it, the page says why
    page.fill("#take-back-run", run_id)
    page.click("#take-back-go")
    expect(page.locator("#handoff-banner")).to_contain_text(
        f"Not taken back from the server: Run '{run_id}' was exported from this server"
    )
    answer = httpx.get(f"{server}/v1/runs/{run_id}/export", headers={"authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "run_moved"
    assert page.evaluate("window.remi.handoff.refused")[0]["code"] == "run_moved"
    screenshot(page, "handoff-second-take-back-refused")


def test_a_second_handoff_of_the_same_run_is_refused_in_the_page(
    page: Page, context: BrowserContext, web: WebServer, server: str
) -> None:
    boot(page, web.url)
    set_settings(page, agent_url=server, agent_token=TOKEN)
    interrupt = paused_run(page, "once only")
    run_id = interrupt["run_id"]
    other = context.new_page()  # a second tab on the same conversation (same IndexedDB)
    boot(other, web.url)
    other.wait_for_selector(".tool-card .approval button.approve")
    expect(other.locator("#handoff")).to_be_visible()

    page.click("#handoff")
    expect(page.locator("#handoff-banner")).to_contain_text(f"Continued on {server}")
    other.click("#handoff")
    banner = other.locator("#handoff-banner")
    expect(banner).to_contain_text(f"Not continued on the server: Run '{run_id}' was handed off to {server}")
    expect(banner).to_contain_text(f"Continued on {server} — run {run_id}")  # shown as it stands
    expect(other.locator("#input")).to_be_disabled()
    screenshot(other, "handoff-second-refused")

    assert other.evaluate("window.remi.handoff.refused")[0]["code"] == "run_moved"
    assert status(server, run_id).status == "interrupted"  # the first hand-off's, untouched
    other.close()


def test_the_page_goes_offline_mid_run_loses_nothing_and_hands_off_once_back_online(
    page: Page, context: BrowserContext, web: WebServer, server: str
) -> None:
    boot(page, web.url)
    set_settings(page, agent_url=server, agent_token=TOKEN)
    interrupt = paused_run(page, "while offline")
    run_id, iid = interrupt["run_id"], interrupt["interrupts"][0]["interrupt_id"]
    page.click("#new-chat")
    before = ended_runs(page)
    ask(page, "count to 1500", wait=False)
    page.wait_for_function(f"{DELTAS} > 5")
    assert ended_runs(page) == before  # still streaming...
    context.set_offline(True)  # ...when the network drops
    assert page.evaluate("navigator.onLine") is False
    assert wait_for_end(page, before)["type"] == "done"  # the answer in flight still ends
    expect(page.locator("#messages > .msg.assistant").last).to_contain_text("1499 1500")
    cut = ask(page, "what did I say?")  # the model is unreachable now: the run fails...
    assert cut is not None and (cut["type"], cut["code"]) == ("error", "network_error")

    open_conversation(page, NOTE.format("while offline"))
    expect(page.locator("#handoff")).to_be_visible()
    page.click("#handoff")
    banner = page.locator("#handoff-banner")
    expect(banner).to_contain_text("Queued: will continue on the server when online.")
    expect(page.locator("#input")).to_be_disabled()
    assert page.locator(".approval").count() == 0
    assert page.evaluate("window.remi.handoff.queued") == 1
    with pytest.raises(RemoteRunNotFound):  # nothing went while offline
        status(server, run_id)
    screenshot(page, "handoff-queued-offline")

    context.set_offline(False)
    expect(banner).to_contain_text(f"Continued on {server} — run {run_id}")
    assert page.evaluate("window.remi.handoff.queued") == 0
    approve(server, run_id, iid)
    wait_for_done(page, run_id)
    expect(page.locator(".tool-card .result")).to_contain_text("Saved note on linux: while offline")
    screenshot(page, "handoff-done-after-offline")
    open_conversation(page, "count to 1500")  # ...and loses nothing: the message is kept
    users = page.locator("#messages > .msg.user")
    expect(users).to_have_text(["count to 1500", "what did I say?"])
    expect(page.locator("#messages > .msg.assistant").first).to_contain_text("1499 1500")


def open_conversation(page: Page, title: str) -> None:
    """Open the conversation called `title` from the list; wait until it shows."""
    page.locator("#threads .open").filter(has_text=re.compile(f"^{re.escape(title)}$")).click()
    page.wait_for_function(
        "title => document.querySelector('#threads li.active .open')?.textContent === title",
        arg=title,
    )
    expect(page.locator("#messages > .msg.user").first).to_have_text(title)
