"""`python -m benchmarks`: run every scenario that can run here, print one table, write JSON.

    .venv/bin/python -m benchmarks                  # everything (a few minutes)
    .venv/bin/python -m benchmarks --quick          # small sizes: a smoke test
    .venv/bin/python -m benchmarks --only streaming,tools --json out.json

A scenario is a module with `run(config: Config) -> Outcome`. Peers that are not installed
get rows saying so; a scenario that crashes gets an "error" row, the others still run, and
the exit code is 1. Missed targets are listed at the end (they are not failures).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from .config import RESULTS, Config
from .report import Outcome, Row, fmt, grid, machine, table_lines, write_json

SCENARIOS = {
    "streaming": "benchmarks.streaming",
    "seed": "benchmarks.seed_metrics",
    "tools": "benchmarks.tool_roundtrip",
    "durability": "benchmarks.durability",
    "long_run": "benchmarks.long_run",
    "http": "benchmarks.http_stream",
    "peers": "benchmarks.peer_compare",
    "concurrency": "benchmarks.concurrency",
    "vfs": "benchmarks.vfs",
    "pyodide": "benchmarks.pyodide",
    "transport_load": "benchmarks.transport_load",
    "scale_out": "benchmarks.scale_out",
    "wasm": "benchmarks.wasm",
    "wasm_dev": "benchmarks.wasm_dev",
    "tui": "benchmarks.tui",
    "imports": "benchmarks.imports",
}
"""Every scenario, in table order. The last two are written separately; they run here once
their module exists and has `run(config) -> Outcome`."""

OPTIONAL = ("transport_load", "scale_out", "wasm")


def scenario(name: str) -> Callable[[Config], Outcome] | str:
    """The scenario's `run`, or why there is none."""
    try:
        module = importlib.import_module(SCENARIOS[name])
    except ModuleNotFoundError as error:
        if error.name == SCENARIOS[name]:
            return "not written yet"
        raise
    run = getattr(module, "run", None)
    if not callable(run):
        return "its module has no run(config) -> Outcome"
    found: Callable[[Config], Outcome] = run
    return found


def names(text: str | None) -> list[str]:
    """Scenario names from a comma-separated list (all of them for None)."""
    if text is None:
        return list(SCENARIOS)
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    return chosen


def missed(rows: Sequence[Row]) -> list[str]:
    """One line per missed target: the value, the comparator and the margin."""
    lines = []
    for row in rows:
        if row.met is not False:
            continue
        against = f" vs {row.against} {fmt(row.other)}" if row.other is not None else ""
        advantage = f" ({row.advantage:.2f}x)" if row.advantage is not None else ""
        lines.append(f"  {row.scenario} / {row.metric}: {fmt(row.remi)}{against}{advantage};"
                     f" target {row.target}. {row.note}".rstrip())
    return lines


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="remi-web's performance harness.")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--only", help="comma-separated scenarios to run: " + ", ".join(SCENARIOS))
    parser.add_argument("--skip", help="comma-separated scenarios not to run")
    parser.add_argument("--json", type=Path, help="write the report here (default: benchmarks/"
                        "results/benchmarks-<time>.json and results/latest.json)")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="directory for profiles and external result files")
    parser.add_argument("--repeat", type=int, help="timed runs per contender (best is kept)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen scenarios; print the table; write the JSON report."""
    args = parse(argv)
    config = Config.quick_run(args.results) if args.quick else Config(results=args.results)
    if args.repeat:
        config = replace(config, repeat=args.repeat)
    skip = set(names(args.skip)) if args.skip else set()
    chosen = [n for n in names(args.only) if n not in skip]
    started = machine()
    outcomes: dict[str, Outcome] = {}
    failed = False
    for name in chosen:
        run = scenario(name)
        if isinstance(run, str):
            if name in OPTIONAL and args.only is None:
                continue  # not there yet: say nothing unless asked for
            outcomes[name] = Outcome([Row(name, "-", None, note=run)])
            continue
        print(f"[{time.strftime('%H:%M:%S')}] {name}...", file=sys.stderr, flush=True)
        begin = time.perf_counter()
        try:
            outcomes[name] = run(config)
        except Exception as error:
            failed = True
            traceback.print_exc()
            why = f"{type(error).__name__}: {error}"[:200]
            outcomes[name] = Outcome([Row(name, "error", None, note=why)])
        outcomes[name].details.setdefault("seconds", time.perf_counter() - begin)
    rows = [row for outcome in outcomes.values() for row in outcome.rows]
    quick = " (--quick: sizes too small to mean much)" if config.quick else ""
    print(f"\nremi-web benchmarks{quick}")
    print(f"machine: {started['cpu']}, {started['cores']} cores, {started['platform']}, "
          f"Python {started['python']}, load average {started['load_average']}\n")
    print("\n".join(table_lines(rows)))
    for name, outcome in outcomes.items():
        if outcome.detail_table:
            print(f"\n{name}:")
            print("\n".join(grid(outcome.detail_table)))
    misses = missed(rows)
    print("\nadv. = how many times better remi-web is "
          "(other/remi for costs, remi/other for rates).")
    print("targets missed:" if misses else "every target met.")
    for line in misses:
        print(line)
    path = args.json or config.results / f"benchmarks-{time.strftime('%Y%m%d-%H%M%S')}.json"
    write_json(path, outcomes, config.to_json(), started)
    if args.json is None:
        write_json(config.results / "latest.json", outcomes, config.to_json(), started)
    print(f"\nJSON report: {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
