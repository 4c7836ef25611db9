"""The Pyodide lane's host side: pytest-pyodide runs the `pyodide`-marked tests inside Pyodide.

A pytest plugin for the lane's own environment (.venv-lane, made by scripts/setup_lane.sh:
pytest-pyodide needs pytest<9), never for the native suite. tests/test_pyodide_lane.py runs, once
per runtime ("node", "chrome"):

    PYTHONPATH=tests/pyodide_lane .venv-lane/bin/python -m pytest -p pyodide_lane_plugin \\
        -p no:skipping -p no:cacheprovider --run-in-pyodide --rt node --dist-dir web/dist \\
        -m pyodide --lane-report OUT.json TEST_FILE ...

pytest-pyodide collects the files on the host, starts the runtime (node, or Debian's chromium
through Playwright) on web/dist (the assembled Pyodide with our lock), serves it, copies files
into Pyodide and replaces each test's call. This plugin adds what our suite needs:

- the runtime: node with WebAssembly stack switching (JSPI) and fake-indexeddb's globals; Debian's
  /usr/bin/chromium (REMI_CHROMIUM) with our flags, since `playwright install` is never run;
- Pyodide ready for the tests: the project's wheel, pytest, pytest-asyncio and hypothesis loaded
  from web/dist's lock, tests/ and pyproject.toml copied in;
- the tests run inside Pyodide in one pytest session (`lane.run_tests`) rather than one session
  per test (pytest-pyodide's `run_test_in_pyodide`, which also lets a test that was skipped or
  not found there pass): each host test then reports its own outcome there, and fails unless it
  was collected and passed inside Pyodide;
- nothing evaluated natively: the host neither sets up fixtures nor evaluates skip marks
  (`-p no:skipping`), so `skipif(sys.platform != "emscripten")` is decided inside Pyodide;
- the loopback servers of lane_services.py (the mock LLM, an MCP server), started on the host
  and named to the tests through Pyodide's os.environ, so tests over real HTTP run in the lane;
- a JSON report (--lane-report) of both collections and every outcome, which
  tests/test_pyodide_lane.py compares with the native suite.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from lane_services import running_services

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
PYPROJECT = ROOT / "pyproject.toml"
CHROMIUM = os.environ.get("REMI_CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LANE_NODE = ROOT / "web" / "node_modules" / ".remi-node" / "bin" / "node"
JSPI_FLAG = "--experimental-wasm-stack-switching"
FAKE_INDEXEDDB = ROOT / "web" / "node_modules" / "fake-indexeddb" / "auto" / "index.js"
IDB_GLOBALS = [
    "indexedDB", "IDBCursor", "IDBCursorWithValue", "IDBDatabase", "IDBFactory", "IDBIndex", "IDBKeyRange",
    "IDBObjectStore", "IDBOpenDBRequest", "IDBRequest", "IDBTransaction", "IDBVersionChangeEvent",
]
PACKAGES = ["remi-web", "pytest", "pytest-asyncio", "hypothesis", "micropip"]
NOT_COPIED = {"__pycache__", ".pytest_cache", ".hypothesis"}
IN_PYODIDE = "test_files"
"""Where tests/ and pyproject.toml go, relative to Pyodide's working directory (as pytest-pyodide copies)."""
RUN_TIMEOUT_S = 600
INITIALIZE = """
const errors = [];
await pyodide.loadPackage(%s, { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
if (errors.length) throw new Error(`loading the lane's packages failed: ${errors.join("; ")}`);
"""


def node_with_jspi() -> tuple[str, list[str]]:
    """A node with WebAssembly stack switching and the flags it needs (setup_web.sh's node first).

    Node 20 needs --experimental-wasm-stack-switching; newer nodes have JSPI on by default.
    """
    has_new = "process.exit(typeof WebAssembly.Suspending === 'function' ? 0 : 1)"
    has_any = "process.exit(typeof WebAssembly.Function === 'function' || typeof WebAssembly.Suspending === 'function' ? 0 : 1)"
    for node in [str(LANE_NODE) if LANE_NODE.is_file() else None, shutil.which("node")]:
        if node is None:
            continue
        for flags, probe in ([], has_new), ([JSPI_FLAG], has_any):
            if subprocess.run([node, *flags, "-e", probe], capture_output=True, timeout=30).returncode == 0:
                return node, flags
    raise pytest.UsageError("no node with WebAssembly stack switching (JSPI): run bash scripts/setup_web.sh")


def configure_node() -> None:
    """pytest-pyodide spawns `node` from PATH: ours first, with JSPI and fake-indexeddb's globals."""
    from pytest_pyodide import get_global_config

    node, flags = node_with_jspi()
    os.environ["PATH"] = f"{Path(node).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    if not FAKE_INDEXEDDB.is_file():
        raise pytest.UsageError(f"{FAKE_INDEXEDDB} is missing: run bash scripts/setup_web.sh")
    config = get_global_config()
    config.set_flags("node", [*flags, "--require", shlex.quote(str(FAKE_INDEXEDDB))])
    config.add_node_extra_globals(IDB_GLOBALS)


def chromium_browsers(request: Any) -> Iterator[dict[str, Any]]:
    """pytest-pyodide's `_playwright_browsers`, launching Debian's chromium instead of Playwright's."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.exit(f"{CHROMIUM} is missing: run bash scripts/setup_browser.sh", returncode=1)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_FLAGS)
        try:
            yield {"chrome": browser}
        finally:
            browser.close()


def copied(entry: Any) -> bool:
    """Whether pytest-pyodide should still copy this (source, destination) into Pyodide.

    tests/ and pyproject.toml went in as one archive (`Lane.ship`); directories are listed file by
    file anyway; a wheel in ./dist would be installed over the project's own, which comes from
    web/dist's lock.
    """
    source = Path(entry[0] if isinstance(entry, tuple) else entry).resolve()
    return not (source.is_dir() or source.suffix == ".whl" or source.is_relative_to(TESTS) or source == PYPROJECT)


def archive_of_tests(archive: Path) -> Path:
    """tests/ (without caches) and pyproject.toml, zipped with paths relative to the repository."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(TESTS.rglob("*")):
            if path.is_file() and not NOT_COPIED & set(path.relative_to(TESTS).parts):
                zipped.write(path, path.relative_to(ROOT).as_posix())
        zipped.write(PYPROJECT, PYPROJECT.name)
    return archive


class Lane:
    """The plugin's state and its per-session hooks: one runtime, one run inside Pyodide, one report."""

    def __init__(self, config: pytest.Config, original_copy: Any) -> None:
        self.config = config
        self.original_copy = original_copy
        self.shipped: list[Any] = []
        self.runtime = str(config.option.runtime).strip()
        self.files: list[str] = []
        self.host: dict[str, str] = {}
        self.result: dict[str, Any] | None = None
        self.error: str | None = None
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}
        self.services = ExitStack()

    def run_test(self, nodeid: str, selenium: Any) -> bool:
        """pytest-pyodide's `run_test_in_pyodide(nodeid, selenium)`: the outcome of `nodeid` inside Pyodide."""
        if self.result is None and self.error is None:
            self.run_all(selenium)
        if self.error is not None:
            pytest.fail(f"the lane broke inside Pyodide ({self.runtime}):\n{self.error}", pytrace=False)
        assert self.result is not None
        entry = self.result["tests"].get(nodeid)
        if entry is None:
            errors = "\n\n".join(e["nodeid"] + "\n" + e["longrepr"] for e in self.result["collect_errors"])
            pytest.fail(f"{nodeid} was not run inside Pyodide ({self.runtime})\n{errors}", pytrace=False)
        if entry["outcome"] != "passed":
            details = entry.get("longrepr") or entry.get("reason", "")
            pytest.fail(f"{entry['outcome']} inside Pyodide ({self.runtime}):\n{details}", pytrace=False)
        return True

    def copy(self, file_list: Sequence[Any], selenium: Any, install_wheels: bool = True, recurse_directories: bool = True) -> None:
        """pytest-pyodide's `copy_files_to_emscripten_fs`: tests/ and pyproject.toml once, as one archive.

        pytest-pyodide copies a test's whole directory before each test, one fetch per file, all
        at once, from a one-threaded server with a listen backlog of 5: beyond about a hundred
        files node's fetch stalls. One archive is one fetch.
        """
        if selenium not in self.shipped:
            self.ship(selenium)
        self.original_copy([entry for entry in file_list if copied(entry)], selenium, install_wheels, recurse_directories)

    def ship(self, selenium: Any) -> None:
        """Copy tests/ and pyproject.toml into Pyodide's IN_PYODIDE directory."""
        started = time.perf_counter()
        archive = archive_of_tests(Path(sys.prefix) / "pyodide-lane-tests.zip")  # served from below the cwd
        destination = Path(IN_PYODIDE) / archive.name
        self.original_copy([(archive, destination)], selenium, install_wheels=False)
        selenium.run(f"import zipfile; zipfile.ZipFile({str(destination)!r}).extractall({IN_PYODIDE!r})")
        self.shipped.append(selenium)
        self.seconds["copy"] = round(time.perf_counter() - started, 3)

    def run_all(self, selenium: Any) -> None:
        """Run every host file inside Pyodide in one pytest session."""
        self.seconds["before_tests"] = round(time.perf_counter() - self.started, 3)  # collect, boot, copy
        try:
            if selenium not in self.shipped:
                self.ship(selenium)
            urls = self.services.enter_context(running_services())
            selenium.run(f"import os; os.environ.update({urls!r})")
            copied_at = time.perf_counter()
            selenium.set_script_timeout(RUN_TIMEOUT_S)
            if hasattr(selenium, "p"):  # the node runner waits for the result with pexpect's own timeout
                selenium.p.timeout = RUN_TIMEOUT_S
            # Called with callPromising, not runPythonAsync (pytest-pyodide's run_async): under
            # runPythonAsync the second `loop.run_until_complete` (pytest-asyncio's) never returns.
            # lane.run_tests is a plain function; callPromising lets it stack-switch (JSPI).
            tests_dir = f"{IN_PYODIDE}/tests/pyodide_lane"
            load = f"import os, sys\nsys.path.insert(0, os.path.abspath({tests_dir!r}))\nimport lane\nlane.run_tests"
            code = f"""
                const run = pyodide.runPython({json.dumps(load)});
                try {{
                    return await run.callPromising({json.dumps(IN_PYODIDE)}, pyodide.toPy({json.dumps(self.files)}));
                }} finally {{
                    run.destroy();
                }}
            """
            self.result = json.loads(selenium.run_js(code))
            self.seconds["tests"] = round(time.perf_counter() - copied_at, 3)
        except Exception as error:  # reported on every test and in the report
            self.error = f"{type(error).__name__}: {error}"

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            item.setup = lambda: None  # type: ignore[method-assign]  # fixtures live inside Pyodide
        self.files = sorted({item.nodeid.split("::")[0] for item in items})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed or report.skipped or report.when == "call":
            if self.host.get(report.nodeid) in (None, "passed"):
                self.host[report.nodeid] = report.outcome

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.services.close()
        if self.result is not None:
            extra = sorted(set(self.result["collected"]) - set(self.host))
            if extra:  # collected inside Pyodide only: the host never asked for them
                print(f"\nthe lane collected {len(extra)} tests inside Pyodide that the host did not: {extra[:20]}")
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        path = self.config.getoption("--lane-report")
        if path:
            self.seconds["total"] = round(time.perf_counter() - self.started, 3)
            report = {
                "runtime": self.runtime,
                "files": self.files,
                "host": self.host,
                "pyodide": self.result,
                "error": self.error,
                "seconds": self.seconds,
            }
            Path(path).write_text(json.dumps(report, indent=1))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--lane-report", default=None, help="write the Pyodide lane's JSON report here")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    import pytest_pyodide.fixture
    import pytest_pyodide.hook
    from pytest_pyodide import get_global_config

    if config.pluginmanager.has_plugin("skipping"):
        raise pytest.UsageError("run the lane with -p no:skipping: skip marks are decided inside Pyodide")
    if not config.option.run_in_pyodide:
        raise pytest.UsageError("the lane runs with --run-in-pyodide")
    for name in ("skip", "skipif", "xfail"):  # registered by the skipping plugin, decided inside Pyodide
        config.addinivalue_line("markers", f"{name}: evaluated inside Pyodide")
    lane = Lane(config, pytest_pyodide.hook.copy_files_to_emscripten_fs)
    if lane.runtime not in {"node", "chrome"}:
        raise pytest.UsageError(f"the lane runs on --rt node or --rt chrome, not {lane.runtime!r}")
    if lane.runtime == "node":
        configure_node()
    elif str(config.option.runner).lower() != "playwright":
        raise pytest.UsageError("the lane runs chromium with --runner playwright (Debian's /usr/bin/chromium)")
    else:
        get_global_config().set_flags("chrome", CHROME_FLAGS)
        pytest_pyodide.fixture._playwright_browsers = chromium_browsers  # type: ignore[assignment]
    get_global_config().set_initialize_script(INITIALIZE % json.dumps(PACKAGES))
    pytest_pyodide.hook.copy_files_to_emscripten_fs = lane.copy  # type: ignore[assignment]
    pytest_pyodide.hook.run_test_in_pyodide = lane.run_test  # type: ignore[assignment]
    config.pluginmanager.register(lane, "pyodide_lane")
