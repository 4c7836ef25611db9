"""Cold start of the web app: page load to the first streamed token, in Debian's headless chromium.

    python -m benchmarks.web_cold_start [--runs 5] [--json PATH]

Serves the app with `remi web` (mock model, no pacing) and opens `/?ask=hello` in a fresh browser
profile per run (cold: empty HTTP cache), then opens it again in that profile (warm: cached
runtime and wheels; the page drops `?ask=` from its URL once used, so a plain reload sends nothing).
Times are from navigation start: `boot` = Pyodide + wheels loaded in the worker, `ready` = the
agent file loaded and the bridge up, `first token` = the first `text_delta` rendered.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
METRICS = ("bootMs", "readyMs", "firstTokenMs")


def _serve() -> tuple[subprocess.Popen[str], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "remi_web.cli.main", "web", "--port", str(port), "--tps", "0"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "config.json", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("remi web did not start")


def _first_token(page: Any, url: str) -> dict[str, float]:
    page.goto(url + "?ask=hello")  # again after the first: warm
    page.wait_for_function("window.remi && window.remi.metrics.firstTokenMs !== null", timeout=60_000)
    metrics: dict[str, float] = page.evaluate("window.remi.metrics")
    return {name: float(metrics[name]) for name in METRICS}


def measure(runs: int = 5) -> dict[str, Any]:
    """Median (and all) cold and warm timings over `runs` fresh browser profiles."""
    from playwright.sync_api import sync_playwright

    process, url = _serve()
    cold: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("REMI_CHROMIUM", "/usr/bin/chromium"),
                headless=True, args=FLAGS,
            )
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                cold.append(_first_token(page, url))
                warm.append(_first_token(page, url))
                context.close()
            version = browser.version
            browser.close()
    finally:
        process.terminate()
        process.wait(10)

    def medians(rows: list[dict[str, float]]) -> dict[str, float]:
        return {name: statistics.median(row[name] for row in rows) for name in METRICS}

    return {
        "browser": f"chromium {version}",
        "runs": runs,
        "cold_median_ms": medians(cold),
        "warm_median_ms": medians(warm),
        "cold_ms": cold,
        "warm_ms": warm,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the table; `--json PATH` also writes the result."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web_cold_start")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    result = measure(args.runs)
    print(f"web app cold start ({result['browser']}, {result['runs']} fresh profiles, medians, ms)")
    print(f"{'':8} {'boot':>8} {'ready':>8} {'first token':>12}")
    for kind in ("cold", "warm"):
        row = result[f"{kind}_median_ms"]
        print(f"{kind:8} {row['bootMs']:8.0f} {row['readyMs']:8.0f} {row['firstTokenMs']:12.0f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
