"""Running Python in a separate Pyodide worker of the page (`web/python_worker.js`): the code,
the workspace's files in, output streamed out, the files it changed back, and
`worker.terminate()` at the timeout. Browser only (it needs Pyodide's `js` module)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.schema_types import JsonValue

BOOT_TIMEOUT = 120.0
"""Seconds a new worker may take to boot Pyodide before the call fails."""


@dataclass(slots=True)
class WorkerOutcome:
    """What one call produced."""

    output: str = ""
    exit_code: int = 0
    timed_out: bool = False
    changed: dict[str, str] = field(default_factory=dict)


async def run_in_worker(
    code: str, files: dict[str, str], timeout: float, progress: Callable[[JsonValue], None]
) -> WorkerOutcome:
    """Run `code` in a new worker over `files` (path -> text); stop it after `timeout` s."""
    import js  # type: ignore[import-not-found]
    from pyodide.ffi import create_proxy, to_js  # type: ignore[import-not-found]

    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    done: asyncio.Future[dict[str, Any]] = loop.create_future()
    outcome = WorkerOutcome()
    parts: list[str] = []

    def on_message(event: Any) -> None:
        data = json.loads(str(event.data))
        kind = data.get("kind")
        if kind == "ready" and not ready.done():
            ready.set_result(None)
        elif kind == "output":
            parts.append(data["text"])
            progress(data["text"])
        elif kind == "done" and not done.done():
            done.set_result(data)

    def on_error(event: Any) -> None:
        error = RuntimeError(f"the Python worker failed: {getattr(event, 'message', event)}")
        for future in (ready, done):
            if not future.done():
                future.set_exception(error)

    url = js.URL.new("./python_worker.js", js.self.location.href).href
    options = to_js({"type": "module"}, dict_converter=js.Object.fromEntries)
    worker = js.Worker.new(url, options)
    handler, failure = create_proxy(on_message), create_proxy(on_error)
    worker.onmessage, worker.onerror = handler, failure
    try:
        worker.postMessage(json.dumps({"code": code, "files": files}))
        await asyncio.wait_for(ready, BOOT_TIMEOUT)
        try:
            data = await asyncio.wait_for(done, timeout)
        except TimeoutError:
            outcome.timed_out, outcome.exit_code = True, -9
        else:
            outcome.exit_code = int(data.get("exit_code", 1))
            outcome.changed = {str(k): str(v) for k, v in dict(data.get("changed", {})).items()}
    finally:
        worker.terminate()  # a runaway loop dies with its worker; the page never waited on it
        handler.destroy()
        failure.destroy()
    outcome.output = "".join(parts)
    return outcome
