"""Scenario 7: the streaming benchmark under Pyodide, against the same code natively.

- **node**: `benchmarks/pyodide_node.mjs` boots Pyodide from `web/dist/` under node, installs
  the project's wheel from the generated lock and runs `pyodide_bench` there: per-delta
  overhead against native, and cold start to first token.
- **browser worker**: `benchmarks/pyodide_browser.py` runs the same `pyodide_bench.first_token()`
  and `pyodide_bench.measure()` in a module Web Worker of headless chromium and saves the result
  (the schema below) to `benchmarks/results/pyodide-browser.json`; with it, the web app's own
  cold start (`benchmarks/web_cold_start.py`, page load to first token) goes to
  `web-cold-start.json`. Both run when chromium and playwright are installed;
  `browser_rows()` turns the files into rows ("not measured" while they are absent).

Result schema (node and browser alike): `floor_us_per_delta`, `stack_us_per_delta`,
`overhead_us_per_delta`, `cold_start_ms`, `deltas`, and optionally `timings_ms` (boot,
install, import, first_event, cold_start) and `where`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from .config import Config
from .pyodide_bench import measure as native_measure
from .report import Outcome, Row

NAME = "pyodide"
ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
RUNNER = Path(__file__).resolve().parent / "pyodide_node.mjs"
LANE_NODE = ROOT / "web" / "node_modules" / ".remi-node" / "bin" / "node"
BROWSER_RESULT = "pyodide-browser.json"
PAGE_RESULT = "web-cold-start.json"
TIMEOUT_S = 300


def node() -> str | None:
    """The node that scripts/setup_web.sh fetched, else the system's; None if neither."""
    return str(LANE_NODE) if LANE_NODE.is_file() else shutil.which("node")


def run_node(deltas: int, repeat: int, out: Path) -> dict[str, Any]:
    """Run the benchmark in Pyodide under node; its JSON result (with "error" if it broke)."""
    command = node()
    if command is None:
        return {"ok": False, "error": "no node: install node >= 20 (scripts/setup_web.sh)"}
    if not (DIST / "pyodide-lock.json").is_file():
        return {"ok": False, "error": f"{DIST} is not assembled: run bash scripts/setup_web.sh"}
    args = [command, str(RUNNER), "--deltas", str(deltas), "--repeat", str(repeat),
            "--out", str(out)]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)
    if not out.is_file():
        return {"ok": False, "error": f"node exited {done.returncode}: {done.stderr[-500:]}"}
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def rows_for(label: str, result: dict[str, Any], native: dict[str, Any]) -> list[Row]:
    """Rows for one Pyodide result: overhead per delta against native, and cold start."""
    over, cold = result.get("overhead_us_per_delta"), result.get("cold_start_ms")
    timings = result.get("timings_ms") or {}
    parts = ", ".join(
        f"{key} {timings[key]:.0f}" for key in ("boot", "install", "import", "first_event")
        if isinstance(timings.get(key), int | float)
    )
    floor_us, stack_us = result.get("floor_us_per_delta"), result.get("stack_us_per_delta")
    note = f"floor {floor_us:.3f}, stack {stack_us:.3f} us" if floor_us and stack_us else ""
    return [
        Row(NAME, f"{label} overhead us/delta", over, "native", native["overhead_us_per_delta"],
            note=note),
        Row(NAME, f"{label} cold start to first token ms", cold,
            note=f"ms: {parts}" if parts else ""),
    ]


def missing_rows(label: str, why: str) -> list[Row]:
    """The rows of a Pyodide measurement that could not be made, saying why."""
    return [
        Row(NAME, f"{label} overhead us/delta", None, note=why),
        Row(NAME, f"{label} cold start to first token ms", None, note=why),
    ]


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def page_cold_start(results: Path) -> Row | None:
    """The web app's own cold start (page load to first token in chromium), if
    `python -m benchmarks.web_cold_start --json benchmarks/results/web-cold-start.json` ran."""
    path = results / PAGE_RESULT
    if not path.is_file():
        return None
    result: dict[str, Any] = json.loads(path.read_text())
    cold, warm = result["cold_median_ms"], result["warm_median_ms"]
    note = (f"{result.get('browser', 'chromium')}, median of {result.get('runs')}; "
            f"boot {cold['bootMs']:.0f}; warm first token {warm['firstTokenMs']:.0f}; "
            f"from {_shown(path)}")
    return Row(NAME, "web app (chromium page) cold start to first token ms",
               float(cold["firstTokenMs"]), note=note)


def browser_rows(results: Path, native: dict[str, Any]) -> tuple[list[Row], dict[str, Any] | None]:
    """Rows from the web app's worker measurement, if it saved one (else "not measured"),
    and the page's cold start if `web_cold_start` saved one."""
    path = results / BROWSER_RESULT
    label = "pyodide (browser worker)"
    page = page_cold_start(results)
    extra = [page] if page is not None else []
    if not path.is_file():
        return missing_rows(label, f"not measured: no {_shown(path)}") + extra, None
    result: dict[str, Any] = json.loads(path.read_text())
    return rows_for(label, result, native) + extra, result


def measure_in_browser(config: Config) -> None:
    """When chromium and playwright are installed, measure the worker benchmark and the web
    app's cold start now (their result files feed `browser_rows`)."""
    from . import pyodide_browser, web_cold_start

    if not Path(pyodide_browser.CHROMIUM).exists():
        return
    try:
        import playwright  # noqa: F401
    except ImportError:
        return
    result = pyodide_browser.measure(config.deltas, config.repeat)
    (config.results / BROWSER_RESULT).write_text(json.dumps(result, indent=2))
    page = web_cold_start.measure(3 if config.repeat > 1 else 1)
    (config.results / PAGE_RESULT).write_text(json.dumps(page, indent=2))


def run(config: Config) -> Outcome:
    """Rows for node (run now) and the browser worker (read from its result file)."""
    config.results.mkdir(parents=True, exist_ok=True)
    native = asyncio.run(native_measure(config.deltas, max(config.repeat, 1)))
    node_result = run_node(config.deltas, config.repeat, config.results / "pyodide-node.json")
    label = "pyodide (node)"
    rows = (
        rows_for(label, node_result, native) if node_result.get("ok")
        else missing_rows(label, f"not run: {str(node_result.get('error'))[:120]}")
    )
    measure_in_browser(config)
    more, browser = browser_rows(config.results, native)
    details: dict[str, JsonValue] = {"native": native, "node": node_result, "browser": browser}
    return Outcome(rows + more, details)
