"""The Pyodide lane: every test marked `pyodide` passes inside Pyodide, under node and in chromium.

The lane is pytest-pyodide, run from its own environment (.venv-lane, scripts/setup_lane.sh:
pytest-pyodide needs pytest<9) with tests/pyodide_lane/pyodide_lane_plugin.py, once per runtime:
`--rt node` (fake-indexeddb loaded into node) and `--rt chrome` (Debian's chromium through
Playwright, with its own IndexedDB). Pyodide boots from `web/dist/` (assembled by
`scripts/setup_web.sh`) and loads the project's wheel and pytest from its lock. These tests run
it and read its report. Without the lane's environment, `web/dist/` or chromium they skip, unless
REMI_REQUIRE_PYODIDE_LANE=1 (set by `scripts/test.sh`), which turns the skip into a failure.

The lane collects the native suite's marked tests plus exactly one more set: the store
conformance tests on the "indexeddb" backend, which exists only where IndexedDB does.
`pyodide_only_tests` names them from the native collection.

Never import pyodide_lane_plugin here: tests/store_conformance/conftest.py takes its presence in
`sys.modules` to mean "this is the lane's host".
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
LANE_DIR = ROOT / "tests" / "pyodide_lane"
LANE_PYTHON = ROOT / ".venv-lane" / "bin" / "python"
CHROMIUM = Path(os.environ.get("REMI_CHROMIUM", "/usr/bin/chromium"))
PROBE = "tests/pyodide_lane/lane_probe.py"
WEB_APP_IN_WHEEL = "remi_web/cli/webapp/app/"
"""Where the wheel carries web/ (pyproject.toml's hatch sources): not the Python package."""
LANE_TIMEOUT_S = 900
MARK = re.compile(r"\bpytest\.mark\.pyodide\b")
CONFORMANCE = "tests/store_conformance/"
BROWSER_BACKEND, EVERYWHERE_BACKEND = "[indexeddb]", "[memory]"
RUNTIMES = {
    # runtime: (extra options, the IndexedDB factory's class name inside Pyodide)
    "node": ([], "FDBFactory"),  # fake-indexeddb
    "chrome": (["--runner", "playwright"], "IDBFactory"),  # chromium's own
}


def marked_files() -> list[str]:
    """The test files that use the `pyodide` mark, relative to the repository."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if "pyodide_lane" not in path.relative_to(ROOT / "tests").parts[:-1] and MARK.search(path.read_text())
    )


def pyodide_only_tests(native: list[str]) -> list[str]:
    """The tests the lane collects beyond `native`: each conformance test again on "indexeddb".

    tests/store_conformance/conftest.py parametrizes its `store` and `snapshot_store` fixtures
    with "memory" everywhere and with "indexeddb" only where IndexedDB exists, so every
    `...[memory]` conformance test that native collection finds has exactly one `...[indexeddb]`
    twin in the lane (`...[memory-2]` one `...[indexeddb-2]` when the test has parameters of
    its own), and nothing else is extra.
    """
    everywhere, browser = EVERYWHERE_BACKEND[:-1], BROWSER_BACKEND[:-1]  # without the "]"
    return sorted(
        nodeid.replace(everywhere + "]", browser + "]").replace(everywhere + "-", browser + "-")
        for nodeid in native
        if nodeid.startswith(CONFORMANCE)
        and (nodeid.endswith(EVERYWHERE_BACKEND) or everywhere + "-" in nodeid)
    )


def native_only(nodeid: str) -> bool:
    """Whether a test runs on a backend the page cannot reach (Postgres: a socket)."""
    return "[postgres" in nodeid or "-postgres" in nodeid


def stale_wheel_reason() -> str | None:
    """Why web/dist's remi_web wheel does not hold src/remi_web as it is now, or None if it does."""
    wheels = sorted(DIST.glob("remi_web-*.whl"))
    if len(wheels) != 1:
        return f"expected one remi_web wheel in {DIST}, found {[w.name for w in wheels]}"
    source_root = ROOT / "src"
    source = {
        path.relative_to(source_root).as_posix(): path.read_bytes()
        for path in (source_root / "remi_web").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    with zipfile.ZipFile(wheels[0]) as archive:
        packed = {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith("remi_web/") and not name.startswith(WEB_APP_IN_WHEEL)
        }
    changed = sorted(name for name in source.keys() | packed.keys() if source.get(name) != packed.get(name))
    return f"{wheels[0].name} differs from src/ in {changed[:5]}" if changed else None


def unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the lane is required (scripts/test.sh)."""
    if os.environ.get("REMI_REQUIRE_PYODIDE_LANE") == "1":
        pytest.fail(f"the Pyodide lane cannot run: {reason}")
    pytest.skip(f"Pyodide lane not run: {reason}")


def run_lane(runtime: str, files: list[str], report: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run pytest-pyodide on `files` in `runtime`; its output and its JSON report."""
    options, _ = RUNTIMES[runtime]
    command = [
        str(LANE_PYTHON), "-m", "pytest", "-p", "pyodide_lane_plugin", "-p", "no:skipping",
        "-p", "no:cacheprovider", "--run-in-pyodide", "--rt", runtime, *options, "--dist-dir", str(DIST),
        "-m", "pyodide", "--lane-report", str(report), *files,
    ]
    env = {**os.environ, "PYTHONPATH": str(LANE_DIR)}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=LANE_TIMEOUT_S)
    output = f"{run.stdout}\n{run.stderr}"
    assert report.is_file(), f"the lane wrote no report (exit {run.returncode}):\n{output[-8000:]}"
    return run, json.loads(report.read_text())


@pytest.fixture(scope="module")
def lane_ready() -> None:
    """The lane can run: its environment, web/dist/ with a wheel of the current sources."""
    if not LANE_PYTHON.is_file():
        unavailable("no .venv-lane: run bash scripts/setup_lane.sh")
    if not (DIST / "pyodide-lock.json").is_file():
        unavailable(f"{DIST} is not assembled: run bash scripts/setup_web.sh")
    if stale_wheel_reason() is not None:
        # src/ changed since the last set-up: rebuild the wheel and the lock (a few seconds).
        setup = subprocess.run(["bash", "scripts/setup_web.sh"], cwd=ROOT, capture_output=True, text=True)
        assert setup.returncode == 0, f"scripts/setup_web.sh failed:\n{setup.stdout}\n{setup.stderr}"
        assert (reason := stale_wheel_reason()) is None, reason


@pytest.fixture(scope="module", params=sorted(RUNTIMES))
def lane(request: pytest.FixtureRequest, lane_ready: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The report of one lane run over every marked file, per runtime (its output under "output")."""
    runtime: str = request.param
    if runtime == "chrome" and not CHROMIUM.is_file():
        unavailable(f"{CHROMIUM} is missing: run bash scripts/setup_browser.sh")
    run, report = run_lane(runtime, marked_files(), tmp_path_factory.mktemp(f"lane-{runtime}") / "report.json")
    assert report["error"] is None, f"the lane broke inside Pyodide: {report['error']}\n{run.stdout[-8000:]}"
    assert report["pyodide"] is not None, f"the lane ran nothing inside Pyodide:\n{run.stdout[-8000:]}{run.stderr[-4000:]}"
    report["output"] = f"{run.stdout}\n{run.stderr}"
    report["returncode"] = run.returncode
    return report


@pytest.fixture(scope="module")
def native_marked() -> list[str]:
    """The marked tests that native collection (this pytest) finds, but for native-only backends."""
    collect = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
         "-m", "pyodide", *marked_files()],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert collect.returncode == 0, collect.stdout + collect.stderr
    native = sorted(line for line in collect.stdout.splitlines() if "::" in line and not native_only(line))
    assert native, "no test is marked pyodide"
    return native


def test_the_lane_runs_python_3_14_under_emscripten_from_the_wheel(lane: dict[str, Any]) -> None:
    env = lane["pyodide"]["env"]
    assert env["platform"] == "emscripten"
    assert env["version_info"][:2] == [3, 14]
    assert env["remi_web_file"] == "/lib/python3.14/site-packages/remi_web/__init__.py"
    assert env["jspi"] is True
    if lane["runtime"] == "chrome":
        assert "HeadlessChrome/" in env["user_agent"]
    else:
        assert env["user_agent"] is None  # node: no navigator


def test_every_marked_test_passes_under_pyodide(lane: dict[str, Any]) -> None:
    inside = lane["pyodide"]
    tests: dict[str, dict[str, Any]] = inside["tests"]
    assert not inside["collect_errors"], "\n\n".join(e["nodeid"] + "\n" + e["longrepr"] for e in inside["collect_errors"])
    not_passed = {nodeid: entry for nodeid, entry in tests.items() if entry["outcome"] != "passed"}
    report = "\n\n".join(
        f"{nodeid}: {entry['outcome']} {entry.get('reason', '')}\n{entry.get('longrepr', '')}"
        for nodeid, entry in not_passed.items()
    )
    assert not not_passed, f"{len(not_passed)} of {len(tests)} tests did not pass under Pyodide ({lane['runtime']}):\n\n{report}"
    assert tests, "the lane ran no tests"
    assert sorted(tests) == sorted(inside["collected"])
    # pytest-pyodide's host session: one test per test run inside Pyodide, each passed there.
    assert sorted(lane["host"]) == sorted(inside["collected"])
    assert set(lane["host"].values()) == {"passed"}, lane["output"][-8000:]
    assert inside["exit_code"] == 0 and lane["returncode"] == 0, lane["output"][-8000:]


def test_the_lane_runs_the_same_tests_as_the_native_suite(lane: dict[str, Any], native_marked: list[str]) -> None:
    extra = pyodide_only_tests(native_marked)
    assert extra, "no store conformance test is marked pyodide"
    assert not any(BROWSER_BACKEND in nodeid for nodeid in native_marked), "natively there is no IndexedDB"
    collected: list[str] = lane["pyodide"]["collected"]
    expected, got = set(native_marked) | set(extra), set(collected)
    missing, unexpected = sorted(expected - got), sorted(got - expected)
    assert not missing and not unexpected, f"missing in the lane: {missing}\nonly in the lane: {unexpected}"
    assert len(collected) == len(native_marked) + len(extra)  # and none collected twice
    assert lane["files"] == marked_files()


def test_the_indexeddb_conformance_tests_run_on_the_runtime_s_indexeddb(lane: dict[str, Any]) -> None:
    _, factory = RUNTIMES[lane["runtime"]]
    assert lane["pyodide"]["env"]["indexeddb"] == factory
    tests = lane["pyodide"]["tests"]
    twins = [nodeid for nodeid in tests if BROWSER_BACKEND in nodeid]
    only_indexeddb = [nodeid for nodeid in tests if nodeid.startswith(CONFORMANCE + "test_indexeddb_backend.py::")]
    assert twins and only_indexeddb
    assert all(tests[nodeid]["outcome"] == "passed" for nodeid in twins + only_indexeddb)


def test_the_lane_fails_a_test_that_does_not_pass_inside_pyodide(lane_ready: None, tmp_path: Path) -> None:
    run, report = run_lane("node", [PROBE], tmp_path / "report.json")
    host, inside = report["host"], report["pyodide"]
    probe = PROBE + "::"
    assert host == {
        probe + "test_passes_inside_pyodide": "passed",
        probe + "test_awaits_inside_pyodide": "passed",
        probe + "test_fails_inside_pyodide": "failed",
        probe + "test_skipped_inside_pyodide": "failed",
        probe + "test_collected_differently[host]": "failed",
    }
    assert inside["tests"][probe + "test_skipped_inside_pyodide"]["outcome"] == "skipped"
    assert probe + "test_collected_differently[pyodide]" in inside["collected"]
    assert run.returncode == 1
    assert "AssertionError: this fails inside Pyodide only" in run.stdout
    assert "skipped inside Pyodide (node)" in run.stdout
    assert f"{probe}test_collected_differently[host] was not run inside Pyodide (node)" in run.stdout
    assert "the lane collected 1 tests inside Pyodide that the host did not" in run.stdout
