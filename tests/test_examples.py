"""The README's tour and the demo run as documented."""

from __future__ import annotations

import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


async def test_quickstart_tour_runs() -> None:
    tour = runpy.run_path(str(ROOT / "examples" / "quickstart.py"))
    lines = await tour["main"]()
    assert lines[1] == "tool multiply -> 42.0"
    assert any(line.startswith("approval needed") for line in lines)
    assert lines[-2] == "tool send_email -> sent to ann@example.com"
    assert lines[-1] == "done: 'Emailed Ann the answer.' (same run: True)"


async def test_anthropic_model_example_runs_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)  # the mock server, not Anthropic
    example = runpy.run_path(str(ROOT / "examples" / "anthropic_model.py"))
    lines = await example["main"]()
    assert "tool multiply -> 42.0" in lines
    assert "answer: 'multiply returned 42.0.'" in lines
    assert lines[-1] == """answer: 'You first said: call multiply with {"a": 6, "b": 7}'"""
    assert lines[-2].startswith("thought: 'The user wrote")
    assert "0 cache reads" not in lines[-3]  # the second question reads the cached prefix


async def test_responses_model_example_runs_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # the mock server, not OpenAI
    example = runpy.run_path(str(ROOT / "examples" / "responses_model.py"))
    lines = await example["main"]()
    assert lines[:3] == [
        "thought: 'I should call calculator.'",
        "usage: 12 in (0 cached), 11 out (5 reasoning)",
        "tool calculator -> 14",
    ]
    assert "answer: '2+3*4 = 14.'" in lines
    assert lines[-1] == "answer: 'You first said: what is 2+3*4?'"
    assert "(0 cached)" not in lines[-2]  # the second question reads the cached prefix


async def test_evals_quick_example_runs() -> None:
    example = runpy.run_path(str(ROOT / "examples" / "evals_quick.py"))
    lines = await example["main"]()
    assert lines[0] == "sum under baseline: done, calculator -> 14, answer '2+3*4 = 14.'"
    assert lines[1] == "sum under think: done, calculator -> 14, answer '2+3*4 = 14.'"
    assert lines[2] == "  reasoning: 'I should call calculator.\\nI have the tool results; I can answer.'"
    assert any(line.startswith("note under baseline: done, save_note -> saved 'buy milk'") for line in lines)
    assert "captured under baseline: done, calculator -> 2.5, answer '10/4 = 2.5.'" in lines
    header = next(i for i, line in enumerate(lines) if line.startswith("variant"))
    assert lines[header].split() == [
        "variant", "runs", "done", "errors", "latency", "contains", "exact", "tool:calculator", "overall"
    ]
    baseline = lines[header + 2].split()
    assert baseline[:4] == ["Baseline", "8", "8", "0"]
    assert baseline[5:] == ["1.00", "±0.00", "0.25", "±0.00", "1.00", "±0.00", "0.67", "±0.00"]
    assert lines[-1] == "± is half the 95% t-interval over 2 repeats of 4 case(s)."


def test_remi_demo_runs_without_a_terminal() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "remi_web.cli.main", "demo"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "[-> 14]" in result.stdout
    assert "[-> Saved note: 2 + 3 * 4 = 14]" in result.stdout
    assert "the answer is 14, and it is saved." in result.stdout


def test_remi_mock_llm_serves_an_openai_compatible_api() -> None:
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "remi_web.cli.main", "mock-llm", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if f"http://127.0.0.1:{port}/v1" in line:
                break
        # The URL is printed before uvicorn binds: wait (bounded) until it answers.
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        body = {"model": "mock", "messages": [{"role": "user", "content": "count to 3"}]}
        reply = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=body, timeout=30)
        assert reply.status_code == 200
        assert "1" in reply.json()["choices"][0]["message"]["content"]
    finally:
        server.terminate()
        server.wait(timeout=30)
