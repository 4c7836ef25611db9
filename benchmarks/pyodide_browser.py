"""The streaming benchmark in a Web Worker of Debian's headless chromium (scenario 7).

    python -m benchmarks.pyodide_browser [--deltas N] [--repeat R] [--out PATH]

Serves the repository on a loopback port (stdlib server, benchmark only), opens a page that starts
`pyodide_browser_worker.mjs` as a module worker, and writes the worker's JSON (the schema of
`benchmarks/pyodide.py`) to `benchmarks/results/pyodide-browser.json`.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("REMI_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PAGE = b"""<!doctype html><meta charset="utf-8"><script type="module">
window.bench = (options) => new Promise((resolve) => {
  const worker = new Worker("/benchmarks/pyodide_browser_worker.mjs", { type: "module" });
  worker.onmessage = (e) => resolve(e.data);
  worker.onerror = (e) => resolve({ ok: false, error: String(e.message) });
  worker.postMessage(options);
});
</script>"""


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
        ".whl": "application/zip", ".py": "text/x-python", ".json": "application/json",
    }

    def do_GET(self) -> None:
        if self.path == "/":
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def measure(deltas: int = 10_000, repeat: int = 5) -> dict[str, Any]:
    """Run the worker benchmark once in a fresh browser; its JSON result."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(ROOT)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            result: dict[str, Any] = page.evaluate(
                "(options) => window.bench(options)", {"deltas": deltas, "repeat": repeat}
            )
            result["browser"] = f"chromium {browser.version}"
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure, print the JSON, write it to `--out`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pyodide_browser")
    parser.add_argument("--deltas", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/pyodide-browser.json")
    args = parser.parse_args(argv)
    result = measure(args.deltas, args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0 if result.get("ok") else 3


if __name__ == "__main__":
    raise SystemExit(main())
