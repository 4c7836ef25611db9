"""Driving the web app from a test: serve it, boot it, ask, wait for a run to end, read events.

Screenshots go to playwright/artifacts/ (git-ignored), kept as test artifacts.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("REMI_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BOOT_TIMEOUT_MS = 60_000
RUN_TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class WebServer:
    """A `remi web` process on a loopback port."""

    free_port = staticmethod(lambda: _free_port())

    def __init__(self, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "remi_web.cli.main", "web", "--port", str(self.port), *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for _ in range(300):  # bounded: at most ~30 s
            if self.process.poll() is not None:
                output = self.process.stdout.read() if self.process.stdout else ""
                raise RuntimeError(f"remi web exited: {output}")
            try:
                with urllib.request.urlopen(self.url + "config.json", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("remi web did not start")

    def stop(self) -> None:
        """End the process."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def serving_agent_file(folder: Path, source: str, *args: str) -> Iterator[WebServer]:
    """`remi web --agent FILE` for an agent file with `source` written in `folder` (a fixture
    body: yields the server, stops it after)."""
    path = folder / "agent_file.py"
    path.write_text(source)
    server = WebServer(*args, "--agent", str(path))
    yield server
    server.stop()


def serving_remote_agent(
    folder: Path, name: str, source: str, env: dict[str, str], *args: str
) -> Iterator[str]:
    """`remi serve NAME:agent` (no auth) for a module with `source` written in `folder`, with
    `env` added to the environment (a fixture body: yields its URL once it answers, stops it
    after). The server's database is `folder/server.db`."""
    (folder / f"{name}.py").write_text(source)
    port = WebServer.free_port()
    environment = {**os.environ, "PYTHONPATH": str(folder), **env}
    environment.pop("REMI_API_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "remi_web.cli.main", "serve", f"{name}:agent", "--port", str(port),
         "--db", str(folder / "server.db"), "--log-level", "warning", "--insecure-no-auth", *args],
        cwd=folder, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # bounded: at most ~30 s
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


TERMINAL = ("done", "interrupt", "error", "cancelled", "need_tool_execution")
_ENDED = "window.remi.events.filter(e => {types}.includes(e.type)).length".replace(
    "{types}", str(list(TERMINAL))
)


def boot(page: Page, url: str) -> dict[str, Any]:
    """Open the app and wait for Python to be ready in the worker; returns the boot metrics."""
    page.goto(url)
    metrics: dict[str, Any] = page.evaluate("window.remi.ready")
    assert "error" not in metrics, metrics
    page.wait_for_selector("#input:not([disabled])")
    return metrics


def ended_runs(page: Page) -> int:
    """How many streams have ended so far on this page."""
    count: int = page.evaluate(_ENDED)
    return count


def wait_for_end(page: Page, before: int) -> dict[str, Any]:
    """Wait until one more stream ended than `before`; returns its terminal event."""
    page.wait_for_function(f"{_ENDED} > {before}")
    last: dict[str, Any] = page.evaluate(
        f"window.remi.events.filter(e => {list(TERMINAL)}.includes(e.type))[{before}]"
    )
    return last


def ask(page: Page, text: str, wait: bool = True) -> dict[str, Any] | None:
    """Type `text` and send it; with `wait`, return the terminal event of the run."""
    before = ended_runs(page)
    page.fill("#input", text)
    page.click("#send")
    return wait_for_end(page, before) if wait else None


def events(page: Page) -> list[dict[str, Any]]:
    """Every event the page received, in order."""
    received: list[dict[str, Any]] = page.evaluate("window.remi.events")
    return received


def set_settings(page: Page, **values: str) -> None:
    """Fill the settings panel and save it."""
    saved = page.evaluate("window.remi.settingsSaved")
    page.click("#open-settings")
    for name, value in values.items():
        if name == "mode":
            page.check(f"input[name=mode][value={value}]")
        elif name == "api":
            page.select_option("#settings select[name=api]", value)
        else:
            page.fill(f"#settings input[name={name}]", value)
    page.click("#settings-save")
    page.wait_for_function(f"window.remi.settingsSaved > {saved}")  # applied, not just closed


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot of the page as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
