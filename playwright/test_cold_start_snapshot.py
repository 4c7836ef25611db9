"""The worker boots Pyodide from web/dist/snapshot.bin and unpacks the bytecode of web/dist/pycache.zip
(both made by scripts/setup_web.sh, through src/remi_web/cli/webapp/make_snapshot.mjs); it falls back
to a plain boot, or to compiling from source, saying so in the console, when either cannot be used."""

from __future__ import annotations

from browser_app import ROOT, WebServer, ask, boot
from playwright.sync_api import Page, Route

SNAPSHOT = ROOT / "web" / "dist" / "snapshot.bin"


def _answers_14(page: Page) -> None:
    end = ask(page, "what is 2+3*4?")
    assert end is not None and end["type"] == "done", end
    assert page.locator(".tool-card .result").first.inner_text() == "→ 14"
    assert "14" in page.locator(".msg.assistant .text").last.inner_text()


def test_the_worker_boots_from_the_snapshot(page: Page, web: WebServer) -> None:
    assert SNAPSHOT.is_file(), f"{SNAPSHOT} is missing: run scripts/setup_web.sh"
    boot(page, web.url)
    assert page.evaluate("window.remi.snapshot") is True
    assert page.evaluate("window.remi.bytecode") is True
    _answers_14(page)


def test_a_corrupt_snapshot_falls_back_to_a_plain_boot(page: Page, web: WebServer) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    def corrupt(route: Route) -> None:
        route.fulfill(body=b"not a snapshot" * 1000, content_type="application/octet-stream")

    page.route("**/dist/snapshot.bin", corrupt)
    boot(page, web.url)
    assert page.evaluate("window.remi.snapshot") is False
    assert any("booting without the Pyodide snapshot" in text for text in console), console
    _answers_14(page)


def test_without_the_bytecode_the_modules_compile_from_source(page: Page, web: WebServer) -> None:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.route("**/dist/pycache.zip", lambda route: route.fulfill(status=404, body=b"gone"))
    boot(page, web.url)
    assert page.evaluate("window.remi.bytecode") is False
    assert page.evaluate("window.remi.snapshot") is True
    assert any("compiling from source" in text for text in console), console
    _answers_14(page)
