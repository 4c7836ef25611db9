"""`remi build` and `remi dev` end to end, as a user runs them."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from remi_web.remote import HttpAgent

ROOT = Path(__file__).resolve().parents[2]
CALCULATOR = ROOT / "examples" / "calculator" / "agent.py"


def _remi(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "remi_web.cli.main", *args],
        capture_output=True, text=True, timeout=600, **kwargs,  # type: ignore[call-overload]
    )


def test_remi_build_writes_the_component_and_its_cwasm(tmp_path: Path, build_cache: Path) -> None:
    out = tmp_path / "calc.wasm"
    result = _remi("build", str(CALCULATOR), "-o", str(out), "--cache-dir", str(build_cache))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b"\0asm"
    assert out.with_suffix(".cwasm").read_bytes().startswith(b"remi-cwasm 2\n")
    assert f"built {out}" in result.stdout and "calc.cwasm" in result.stdout


def test_remi_build_explains_an_agent_file_without_an_agent(tmp_path: Path) -> None:
    bad = tmp_path / "nothing_here.py"
    bad.write_text('"""No agent in here."""\nVALUE = 1\n')
    result = _remi("build", str(bad), "-o", str(tmp_path / "x.wasm"))
    assert result.returncode == 1
    assert "defines neither build_agent(model) nor `agent`" in result.stderr
    assert not (tmp_path / "x.wasm").exists()


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


async def _ask(base_url: str) -> tuple[list[str], str]:
    agent = HttpAgent(base_url)
    results: list[str] = []
    final = ""
    async for event in agent.chat("what is 2+3*4"):
        if event.type == "tool_result":
            results.append(str(event.content))  # type: ignore[union-attr]
        elif event.type == "done":
            final = event.text  # type: ignore[union-attr]
    return results, final


async def test_remi_dev_rebuilds_on_save_and_the_next_request_gets_the_new_build(
    tmp_path: Path, build_cache: Path
) -> None:
    agent_file = tmp_path / "agent.py"
    shutil.copyfile(CALCULATOR, agent_file)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "remi_web.cli.main", "dev", str(agent_file), "--port", str(port),
         "--no-web", "--cache-dir", str(build_cache), "--full-build"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    lines = _Lines(process)
    try:
        lines.wait_for("serving agent.py")
        base_url = f"http://127.0.0.1:{port}"
        assert await _ask(base_url) == (["14"], "2+3*4 = 14.")

        source = agent_file.read_text()
        old = "    return format_number(evaluate(expression))"
        assert old in source
        agent_file.write_text(source.replace(old, '    return "v2:" + format_number(evaluate(expression))'))
        rebuilt = lines.wait_for("rebuild 2")
        built = lines.wait_for(": built ")
        swapped = lines.wait_for("swapped in generation 2")
        assert "agent.cwasm" in built and " ms" in swapped, (rebuilt, built, swapped)
        assert await _ask(base_url) == (["v2:14"], "2+3*4 = v2:14.")

        agent_file.write_text(source.replace(old, "    return (  # a syntax error"))
        lines.wait_for("rebuild 3")
        failed = lines.wait_for("failed")
        assert "previous build keeps serving" in failed
        assert await _ask(base_url) == (["v2:14"], "2+3*4 = v2:14.")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
