"""The Pyodide lane: every test marked `pyodide` passes inside Pyodide, from the project's wheel.

`tests/pyodide_lane/run_lane.mjs` boots Pyodide under node from `web/dist/` (assembled by
`scripts/setup_web.sh`), installs the `remi-web` wheel and pytest from the generated lock, and
runs `pytest -m pyodide` on the marked files there. These tests read the summary it writes.
Without node or `web/dist/` they skip, unless REMI_REQUIRE_PYODIDE_LANE=1 (set by
`scripts/test.sh`), which turns the skip into a failure.

The lane collects the native suite's marked tests plus exactly one more set: the store
conformance tests on the "indexeddb" backend, which exists only where IndexedDB does (the lane
loads fake-indexeddb into node). `pyodide_only_tests` names them from the native collection.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
RUNNER = ROOT / "tests" / "pyodide_lane" / "run_lane.mjs"
LANE_NODE = ROOT / "web" / "node_modules" / ".remi-node" / "bin" / "node"
JSPI_FLAG = "--experimental-wasm-stack-switching"
LANE_TIMEOUT_S = 300
MARK = re.compile(r"\bpytest\.mark\.pyodide\b")
CONFORMANCE = "tests/store_conformance/"
BROWSER_BACKEND, EVERYWHERE_BACKEND = "[indexeddb]", "[memory]"


def marked_files() -> list[str]:
    """The test files that use the `pyodide` mark, relative to the repository (as run_lane.mjs finds them)."""
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
        packed = {name: archive.read(name) for name in archive.namelist() if name.startswith("remi_web/")}
    changed = sorted(name for name in source.keys() | packed.keys() if source.get(name) != packed.get(name))
    return f"{wheels[0].name} differs from src/ in {changed[:5]}" if changed else None


def node_command() -> list[str] | None:
    """A node with WebAssembly stack switching (JSPI), with the flag it needs; None if there is none.

    The node that setup_web.sh fetched (only when the system's lacks JSPI) comes first.
    Node 20 needs the flag; newer nodes have JSPI on by default (WebAssembly.Suspending).
    """
    has_new = "process.exit(typeof WebAssembly.Suspending === 'function' ? 0 : 1)"
    has_any = "process.exit(typeof WebAssembly.Function === 'function' || typeof WebAssembly.Suspending === 'function' ? 0 : 1)"
    for node in [str(LANE_NODE) if LANE_NODE.is_file() else None, shutil.which("node")]:
        if node is None:
            continue
        for command, probe in ([node], has_new), ([node, JSPI_FLAG], has_any):
            if subprocess.run([*command, "-e", probe], capture_output=True, timeout=30).returncode == 0:
                return command
    return None


def unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the lane is required (scripts/test.sh)."""
    if os.environ.get("REMI_REQUIRE_PYODIDE_LANE") == "1":
        pytest.fail(f"the Pyodide lane cannot run: {reason}")
    pytest.skip(f"Pyodide lane not run: {reason}")


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The summary of one run of the lane over every marked file (stdout under "stdout")."""
    node = node_command()
    if node is None:
        unavailable("no node with WebAssembly stack switching: run bash scripts/setup_web.sh")
    if not (DIST / "pyodide-lock.json").is_file():
        unavailable(f"{DIST} is not assembled: run bash scripts/setup_web.sh")
    if stale_wheel_reason() is not None:
        # src/ changed since the last set-up: rebuild the wheel and the lock (about two seconds).
        setup = subprocess.run(["bash", "scripts/setup_web.sh"], cwd=ROOT, capture_output=True, text=True)
        assert setup.returncode == 0, f"scripts/setup_web.sh failed:\n{setup.stdout}\n{setup.stderr}"
        assert (reason := stale_wheel_reason()) is None, reason
    out = tmp_path_factory.mktemp("pyodide_lane") / "summary.json"
    command = [*node, str(RUNNER), "--out", str(out), *marked_files()]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=LANE_TIMEOUT_S)
    output = f"{run.stdout}\n{run.stderr}"
    assert out.is_file(), f"the lane wrote no summary (exit {run.returncode}):\n{output[-8000:]}"
    summary: dict[str, Any] = json.loads(out.read_text())
    assert summary["ok"], f"the lane broke before the tests ran: {summary.get('error')}\n{output[-8000:]}"
    summary["stdout"] = output
    summary["returncode"] = run.returncode
    return summary


def test_the_lane_runs_python_3_14_under_emscripten_from_the_wheel(lane: dict[str, Any]) -> None:
    env = lane["env"]
    assert env["platform"] == "emscripten"
    assert env["version_info"][:2] == [3, 14]
    assert env["remi_web_file"] == "/lib/python3.14/site-packages/remi_web/__init__.py"
    assert lane["jspi"] is True


def test_every_marked_test_passes_under_pyodide(lane: dict[str, Any]) -> None:
    tests: dict[str, dict[str, Any]] = lane["tests"]
    assert not lane["collect_errors"], "\n\n".join(e["nodeid"] + "\n" + e["longrepr"] for e in lane["collect_errors"])
    not_passed = {nodeid: entry for nodeid, entry in tests.items() if entry["outcome"] != "passed"}
    report = "\n\n".join(
        f"{nodeid}: {entry['outcome']} {entry.get('reason', '')}\n{entry.get('longrepr', '')}"
        for nodeid, entry in not_passed.items()
    )
    assert not not_passed, f"{len(not_passed)} of {len(tests)} tests did not pass under Pyodide:\n\n{report}"
    assert tests, "the lane ran no tests"
    assert sorted(tests) == sorted(lane["collected"])
    assert lane["exit_code"] == 0 and lane["returncode"] == 0, lane["stdout"][-8000:]


def test_the_lane_runs_the_same_tests_as_the_native_suite(lane: dict[str, Any]) -> None:
    files = marked_files()
    collect = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
         "-m", "pyodide", *files],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert collect.returncode == 0, collect.stdout + collect.stderr
    native = sorted(
        line for line in collect.stdout.splitlines() if "::" in line and not native_only(line)
    )
    assert native, "no test is marked pyodide"
    extra = pyodide_only_tests(native)
    assert extra, "no store conformance test is marked pyodide"
    assert not any(BROWSER_BACKEND in nodeid for nodeid in native), "natively there is no IndexedDB"
    expected, collected = set(native) | set(extra), set(lane["collected"])
    missing, unexpected = sorted(expected - collected), sorted(collected - expected)
    assert not missing and not unexpected, f"missing in the lane: {missing}\nonly in the lane: {unexpected}"
    assert len(lane["collected"]) == len(native) + len(extra)  # and none collected twice
    assert lane["files"] == files


def test_the_lane_has_indexeddb(lane: dict[str, Any]) -> None:
    assert lane["indexeddb"].startswith("fake-indexeddb@")
    browser_only = [nodeid for nodeid in lane["collected"] if nodeid.endswith(BROWSER_BACKEND)]
    assert browser_only and all(lane["tests"][nodeid]["outcome"] == "passed" for nodeid in browser_only)
