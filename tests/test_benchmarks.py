"""The benchmark harness runs and reports well-formed results (no timing is asserted).

`python -m benchmarks --quick` runs the in-process scenarios at small sizes; the table must
list them and the JSON report must hold the machine, the config and typed rows. The HTTP,
peers and Pyodide scenarios are left to the full run (they start servers and node).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import peers
from benchmarks.__main__ import missed
from benchmarks.report import Row
from benchmarks.seed_plan import Lcg64, Spec, build_plan

ROOT = Path(__file__).resolve().parents[1]
IN_PROCESS = ("streaming", "seed", "tools", "concurrency")
ROW_KEYS = {"scenario", "metric", "remi", "against", "other", "better", "target", "met", "note",
            "advantage"}


def test_quick_run_prints_the_table_and_writes_the_json(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    command = [sys.executable, "-m", "benchmarks", "--quick", "--only", ",".join(IN_PROCESS),
               "--json", str(out), "--results", str(tmp_path)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    header = next(line for line in run.stdout.splitlines() if line.startswith("scenario"))
    for column in ("metric", "remi-web", "vs", "other", "adv.", "target", "met?"):
        assert column in header
    report = json.loads(out.read_text())
    assert {"machine", "machine_after", "config", "rows", "details"} <= set(report)
    assert report["config"]["quick"] is True
    assert report["machine"]["cores"] >= 1
    rows = report["rows"]
    assert {row["scenario"] for row in rows} == set(IN_PROCESS)
    for row in rows:
        assert set(row) == ROW_KEYS
        assert row["better"] in ("lower", "higher")
        assert row["met"] in (True, False, None)
        for key in ("remi", "other", "advantage"):
            assert row[key] is None or isinstance(row[key], int | float)
        assert row["remi"] is not None, row  # every in-process scenario measures remi-web
        assert f"{row['scenario']} " in run.stdout
    streaming = {row["metric"]: row for row in rows if row["scenario"] == "streaming"}
    assert set(streaming) == {"us/delta", "calls/delta", "loop turns/delta"}
    assert (tmp_path / "streaming-profile.txt").is_file()
    assert set(report["details"]) == set(IN_PROCESS)


def test_a_missing_peer_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(peers.MODULES, "nobody", "benchmarks.peers.no_such_framework")
    why = peers.load("nobody")
    assert isinstance(why, str) and why.startswith("not installed")


def test_advantage_reads_above_one_when_remi_web_is_ahead() -> None:
    assert Row("s", "us", 2.0, "peer", 8.0, "lower").advantage == 4.0
    assert Row("s", "deltas/s", 90.0, "floor", 100.0, "higher").advantage == 0.9
    assert Row("s", "us", 2.0).advantage is None
    miss = Row("http", "deltas/s", 80.0, "raw httpx", 100.0, "higher", ">= 85%", False)
    assert missed([miss, Row("s", "us", 1.0, met=True)]) == [
        "  http / deltas/s: 80.00 vs raw httpx 100.0 (0.80x); target >= 85%."
    ]


def test_the_seed_plan_matches_the_seed_generator() -> None:
    # The seed's Lcg64 (Rust, wrapping u64 arithmetic), run once for this seed: the first
    # draws and the shuffled positions of four tool calls among 199 text chunks.
    rng = Lcg64(0x5EED_BAAD_F00D ^ 50)
    items: list[object] = [*range(199), -1, -1, -2, -2]
    rng.shuffle(items)
    assert [i for i, v in enumerate(items) if isinstance(v, int) and v < 0] == [3, 24, 39, 155]
    plan = build_plan(Spec(internal_calls=2, external_calls=2, seed=0x5EED_BAAD_F00D ^ 50))
    assert [(len(t.chunks), t.call and t.call.id) for t in plan.turns] == [
        (3, "external-1"), (20, "internal-1"), (14, "internal-2"), (115, "external-2"), (48, None)
    ]
    assert sum(sum(t.chunks) for t in plan.turns) == 1000
    assert plan.model_tokens == 1000 + 4 * 5
    assert plan.turns[0].call is not None
    assert plan.turns[0].call.arguments == '{"payload":"external-1","sequence":1}'
