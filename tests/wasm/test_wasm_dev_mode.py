"""Dev mode: the agent runs from its source in the dev runtime (one component, built once per
session), so an edit is served without componentize-py; syntax, import and missing-module
errors name the real file, line and code, and the previous source keeps serving."""

from __future__ import annotations

import asyncio
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from wasm_helpers import HeldModel, run, texts

from helpers import free_port
from remi_web import ScriptedModel, ToolCall
from remi_web.guest.dev_source import DEV_PRELOAD
from remi_web.remote import HttpAgent
from remi_web.wasm import ReloadEvent
from remi_web.wasm.artifact import LoadedComponent, load
from remi_web.wasm.dev_agent import DevAgent
from remi_web.wasm.dev_runtime import build_dev_runtime
from remi_web.wasm.dev_source_error import DevSourceError

AGENTS = Path(__file__).parent / "agents"
CALCULATOR = Path(__file__).resolve().parents[2] / "examples" / "calculator" / "agent.py"


@pytest.fixture(scope="session")
def dev_runtime_wasm(tmp_path_factory: pytest.TempPathFactory, build_cache: Path) -> Path:
    """The dev runtime component (built once, through the build cache)."""
    out = tmp_path_factory.mktemp("dev_runtime") / "dev-runtime.wasm"
    build_dev_runtime(out, cache_dir=build_cache)
    return out


@pytest.fixture(scope="session")
def dev_runtime(dev_runtime_wasm: Path) -> LoadedComponent:
    """The dev runtime, loaded (from its signed .cwasm)."""
    return load(dev_runtime_wasm)


@pytest.fixture
def probe_source(tmp_path: Path) -> Path:
    """A copy of the probe agent in a folder of its own (VERSION = "v1")."""
    target = tmp_path / "agent_src" / "probe_agent.py"
    target.parent.mkdir()
    shutil.copyfile(AGENTS / "probe_agent.py", target)
    return target


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


async def _next(events: asyncio.Queue[ReloadEvent]) -> ReloadEvent:
    return await asyncio.wait_for(events.get(), timeout=60)


async def test_an_edit_is_served_while_the_run_in_flight_finishes_on_the_old_source(
    dev_runtime: LoadedComponent, probe_source: Path
) -> None:
    model = HeldModel([
        ["Checking. ", ToolCall("build_version", {})],
        ["done"],
        [ToolCall("build_version", {})],
        ["done"],
    ])
    agent = await DevAgent.open(probe_source, runtime=dev_runtime, model=model)
    reloads: asyncio.Queue[ReloadEvent] = asyncio.Queue()
    try:
        assert agent.build.info.name == "probe-v1" and agent.build.generation == 1
        async with agent.watching(on_reload=reloads.put_nowait):
            in_flight = asyncio.ensure_future(run(agent, "which build?"))
            await asyncio.wait_for(model.holding.wait(), timeout=30)  # v1 is mid-stream
            probe_source.write_text(
                probe_source.read_text().replace('VERSION = "v1"', 'VERSION = "v2"'))
            swapped = await _next(reloads)
            assert swapped.ok and swapped.generation == 2, swapped.reason
            assert agent.build.info.name == "probe-v2"
            model.release()
            old = await asyncio.wait_for(in_flight, timeout=60)
            new = await run(agent, "which build now?")
    finally:
        agent.close()
    assert texts(old, "tool_result") == ["v1"] and old[-1].type == "done"
    assert texts(new, "tool_result") == ["v2"] and new[-1].type == "done"
    assert swapped.path == probe_source.resolve() and swapped.sha256 == agent.source.digest


async def test_a_syntax_error_names_the_real_file_and_line_and_the_old_source_serves(
    dev_runtime: LoadedComponent, probe_source: Path
) -> None:
    model = ScriptedModel([[ToolCall("build_version", {})], ["still v1"]])
    agent = await DevAgent.open(probe_source, runtime=dev_runtime, model=model)
    reloads: asyncio.Queue[ReloadEvent] = asyncio.Queue()
    good = probe_source.read_text()
    try:
        async with agent.watching(on_reload=reloads.put_nowait):
            probe_source.write_text(good.replace("    return VERSION", "    return (VERSION"))
            rejected = await _next(reloads)
        events = await run(agent, "still serving?")
    finally:
        agent.close()
    line = _line_of(probe_source, "return (VERSION")
    assert not rejected.ok and rejected.generation == 1
    assert rejected.reason is not None
    assert f'File "{probe_source.resolve()}", line {line}' in rejected.reason
    assert "    return (VERSION\n           ^\n" in rejected.reason
    assert "SyntaxError: '(' was never closed" in rejected.reason
    problem = agent.problem
    assert problem is not None and problem.kind == "syntax"
    assert (problem.path, problem.line, problem.code) == (
        str(probe_source.resolve()), line, "    return (VERSION")
    assert agent.build.generation == 1 and agent.build.info.name == "probe-v1"
    assert texts(events, "tool_result") == ["v1"] and events[-1].type == "done"


async def test_an_import_error_in_the_guest_names_the_real_files_and_lines(
    dev_runtime: LoadedComponent, probe_source: Path
) -> None:
    agent = await DevAgent.open(probe_source, runtime=dev_runtime, model=ScriptedModel([]))
    helper = probe_source.parent / "helper.py"
    helper.write_text('"""A helper that fails when imported."""\n\nLIMIT = undefined_name + 1\n')
    source = probe_source.read_text()
    broken = source.replace("import socket\n", "import socket\n\nimport helper\n")
    assert broken != source
    try:
        event = await agent.reload(broken.encode())
    finally:
        agent.close()
    assert not event.ok and event.reason is not None
    problem = agent.problem
    assert problem is not None and problem.kind == "error"
    probe_source.write_text(broken)
    assert [(f.path, f.line, f.code) for f in problem.frames] == [
        (str(probe_source.resolve()), _line_of(probe_source, "import helper"), "import helper"),
        (str(helper.resolve()), 3, "LIMIT = undefined_name + 1"),
    ]
    assert problem.message == "NameError: name 'undefined_name' is not defined"
    assert f'File "{helper.resolve()}", line 3, in <module>' in event.reason
    assert "/agent/" not in event.reason  # the mount inside the component is never shown
    assert agent.build.generation == 1 and agent.build.info.name == "probe-v1"


async def test_a_standard_module_the_dev_runtime_lacks_is_named_with_what_to_do(
    dev_runtime: LoadedComponent, tmp_path: Path
) -> None:
    assert "colorsys" not in DEV_PRELOAD
    agent_file = tmp_path / "colors_agent.py"
    agent_file.write_text(
        '"""An agent that needs a standard module the dev runtime was not built with."""\n'
        "import colorsys\n\n"
        "from remi_web import AgentBuilder\n\n"
        "agent = AgentBuilder().system(str(colorsys.rgb_to_hsv(1, 0, 0)))\n"
    )
    with pytest.raises(DevSourceError) as caught:
        await DevAgent.open(agent_file, runtime=dev_runtime, model=ScriptedModel([]))
    problem = caught.value.problem
    assert problem.kind == "missing_module" and problem.module == "colorsys"
    assert (problem.path, problem.line, problem.code) == (
        str(agent_file.resolve()), 2, "import colorsys")
    report = str(caught.value)
    assert "ModuleNotFoundError: No module named 'colorsys'" in report
    assert "`remi build`" in report and "--preload colorsys" in report


async def test_a_file_without_an_agent_is_refused_with_its_path(
    dev_runtime: LoadedComponent, tmp_path: Path
) -> None:
    agent_file = tmp_path / "nothing_here.py"
    agent_file.write_text('"""No agent in here."""\nVALUE = 1\n')
    with pytest.raises(DevSourceError) as caught:
        await DevAgent.open(agent_file, runtime=dev_runtime, model=ScriptedModel([]))
    assert caught.value.problem.kind == "no_agent"
    assert caught.value.problem.path == str(agent_file.resolve())
    assert "defines neither build_agent(model) nor `agent`" in str(caught.value)


class _Lines:
    """The lines a process prints, readable with a timeout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stream = process.stdout
        threading.Thread(target=lambda: [self._queue.put(line) for line in stream],
                         daemon=True).start()

    def wait_for(self, text: str, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        pytest.fail(f"no line with {text!r} in {timeout}s; printed:\n{''.join(self.seen)}")


async def _ask(base_url: str) -> list[str]:
    results: list[str] = []
    async for event in HttpAgent(base_url).chat("what is 2+3*4"):
        if event.type == "tool_result":
            results.append(str(event.content))  # type: ignore[union-attr]
    return results


async def test_remi_dev_serves_each_save_from_source_and_prints_syntax_errors(
    tmp_path: Path, build_cache: Path, dev_runtime_wasm: Path
) -> None:
    agent_file = tmp_path / "calc" / "agent.py"
    agent_file.parent.mkdir()
    shutil.copyfile(CALCULATOR, agent_file)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "remi_web.cli.main", "dev", str(agent_file), "--port", str(port),
         "--no-web", "--cache-dir", str(build_cache)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    lines = _Lines(process)
    try:
        runtime = lines.wait_for("dev runtime: ")
        assert "from the build cache" in runtime  # the session's build, not a new one
        lines.wait_for("serving agent.py from its source")
        base_url = f"http://127.0.0.1:{port}"
        assert await _ask(base_url) == ["14"]

        source = agent_file.read_text()
        old = "    return format_number(evaluate(expression))"
        assert old in source
        agent_file.write_text(source.replace(old, '    return "v2:" + format_number(evaluate(expression))'))
        lines.wait_for("serving generation 2")
        assert await _ask(base_url) == ["v2:14"]

        agent_file.write_text(source.replace(old, "    return (  # a syntax error"))
        lines.wait_for("kept generation 2")
        where = lines.wait_for(f'File "{agent_file.resolve()}"')
        code = lines.wait_for("return (  # a syntax error")
        lines.wait_for("^")
        lines.wait_for("SyntaxError: '(' was never closed")
        line = _line_of(agent_file, "return (  # a syntax error")
        assert where.strip() == f'File "{agent_file.resolve()}", line {line}', where
        assert code.strip() == "return (  # a syntax error"
        assert not any("componentize" in seen or "/agent/" in seen for seen in lines.seen)
        assert await _ask(base_url) == ["v2:14"]
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
