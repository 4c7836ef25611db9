"""Runs inside Pyodide: pytest on the lane's test files, returning one outcome per test as JSON.

Not a test module: the native suite never imports it. The host side
(`pyodide_lane_plugin.py`, in the lane's pytest-pyodide run) copies tests/ into Pyodide and calls
`run_tests` there once, with `callPromising`.

pytest-asyncio runs each async test with `asyncio.Runner(...).run(coro)`. Under Pyodide the one
event loop, the WebLoop, is always "running", so the stock Runner refuses to start
("Runner.run() cannot be called from a running event loop"). `WebLoopRunner` stands in for it, in
pytest-asyncio's module only: it runs the coroutine on the WebLoop with `loop.run_until_complete`,
which Pyodide implements by JSPI stack switching (as it does for `asyncio.run`), and on close it
cancels the tasks a test left behind, as the stock Runner does. The tests themselves are unchanged.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import sys
import time
from collections.abc import Coroutine
from typing import Any

import pytest


class WebLoopRunner:
    """`asyncio.Runner` for Pyodide: runs coroutines on the WebLoop by stack switching."""

    def __init__(self, *, debug: bool | None = None, loop_factory: object = None) -> None:
        if loop_factory is not None:
            raise RuntimeError("the Pyodide lane has one event loop, the WebLoop: no loop_factory")
        self._loop: asyncio.AbstractEventLoop | None = None

    def __enter__(self) -> WebLoopRunner:
        self.get_loop()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_event_loop()
        return self._loop

    def run(self, coro: Coroutine[Any, Any, Any], *, context: contextvars.Context | None = None) -> Any:
        loop = self.get_loop()
        return loop.run_until_complete(loop.create_task(coro, context=context))

    def close(self) -> None:
        if self._loop is None:
            return
        loop, self._loop = self._loop, None
        leftover = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftover:
            task.cancel()
        if leftover:
            loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))


class WebLoopRunnerPlugin:
    """A pytest plugin: hands pytest-asyncio the `WebLoopRunner` as soon as it is registered."""

    def pytest_plugin_registered(self, plugin: object) -> None:
        if getattr(plugin, "__name__", None) == "pytest_asyncio.plugin":
            plugin.Runner = WebLoopRunner  # type: ignore[attr-defined]


class Recorder:
    """A pytest plugin: one outcome per test (failures keep their report) and collection errors."""

    def __init__(self) -> None:
        self.tests: dict[str, dict[str, Any]] = {}
        self.collected: list[str] = []
        self.collect_errors: list[dict[str, str]] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = [item.nodeid for item in session.items]

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append({"nodeid": report.nodeid, "longrepr": str(report.longrepr)[-6000:]})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.tests.setdefault(report.nodeid, {"outcome": "passed", "duration": 0.0})
        entry["duration"] = round(entry["duration"] + report.duration, 4)
        if hasattr(report, "wasxfail"):
            entry["outcome"] = "xpassed" if report.passed else "xfailed"
            entry["reason"] = report.wasxfail
        elif report.failed:
            entry["outcome"] = "failed"
            entry.setdefault("when", report.when)
            entry.setdefault("longrepr", str(report.longrepr)[-6000:])
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"
            entry["reason"] = str(report.longrepr)


def environment() -> dict[str, Any]:
    """The interpreter and JavaScript runtime the lane runs on; raises unless Python 3.14 under Emscripten."""
    import js  # type: ignore[import-not-found]
    from pyodide.ffi import can_run_sync  # type: ignore[import-not-found]

    import remi_web

    navigator = getattr(js, "navigator", None)
    factory = getattr(js, "indexedDB", None)
    env = {
        "platform": sys.platform,
        "version": sys.version,
        "version_info": list(sys.version_info[:3]),
        "remi_web_file": remi_web.__file__,
        "pytest": pytest.__version__,
        "jspi": bool(can_run_sync()),
        "user_agent": None if navigator is None else str(navigator.userAgent),
        # "IDBFactory" is a browser's own IndexedDB; fake-indexeddb's factory is an "FDBFactory".
        "indexeddb": None if factory is None else str(factory.constructor.name),
    }
    if sys.platform != "emscripten" or sys.version_info[:2] != (3, 14):
        raise RuntimeError(f"expected Python 3.14 on emscripten, got {sys.version} on {sys.platform}")
    return env


def run_tests(root: str, files: list[str]) -> str:
    """`pytest -m pyodide FILES` in `root` (holding pyproject.toml and tests/); the JSON summary."""
    env = environment()
    here = os.getcwd()
    os.chdir(root)
    try:
        recorder = Recorder()
        started = time.perf_counter()
        plugins = [WebLoopRunnerPlugin(), recorder]
        args = ["-p", "no:cacheprovider", "--color=no", "-m", "pyodide", *files]
        exit_code = int(pytest.main(args, plugins=plugins))
    finally:
        os.chdir(here)
    return json.dumps(
        {
            "exit_code": exit_code,
            "pytest_seconds": round(time.perf_counter() - started, 3),
            "env": env,
            "collected": recorder.collected,
            "collect_errors": recorder.collect_errors,
            "tests": recorder.tests,
        }
    )
