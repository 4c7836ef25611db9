"""Fixtures for the browser tests: a real `remi web` server, Debian's Chromium, fresh pages.

Every page fails its test on an uncaught page error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_app import CHROMIUM, FLAGS, RUN_TIMEOUT_MS, WebServer
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright


@pytest.fixture(scope="session")
def web() -> Iterator[WebServer]:
    """The demo as README runs it, with the mock model paced at 200 tokens/s."""
    server = WebServer("--tps", "200")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup_browser.sh installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile: empty IndexedDB and localStorage."""
    fresh = browser.new_context(viewport={"width": 1280, "height": 760})
    yield fresh
    fresh.close()


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught errors of the test's pages (each test ends by checking it is empty)."""
    return []


@pytest.fixture
def page(context: BrowserContext, page_errors: list[str]) -> Iterator[Page]:
    opened = context.new_page()
    opened.on("pageerror", lambda error: page_errors.append(str(error)))
    opened.set_default_timeout(RUN_TIMEOUT_MS)
    yield opened
    assert page_errors == [], f"uncaught page errors: {page_errors}"
