"""StdoutTracer: JSON lines on stdout by default, readable lines on request."""

from __future__ import annotations

import io

import pytest
from trace_helpers import drain, traced_agent

from remi_web import ScriptedModel, ToolCall
from remi_web.tracing.records import TRACE_RECORD_ADAPTER
from remi_web.tracing import CompositeTracer, RecordingTracer, StdoutTracer

pytestmark = pytest.mark.pyodide

SCRIPT = [[ToolCall("balance")], ["You have 100."]]


async def test_json_lines_on_stdout_parse_back_to_the_records(
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorder = RecordingTracer()
    agent = traced_agent(ScriptedModel(SCRIPT), CompositeTracer(StdoutTracer(), recorder))
    await drain(agent.chat("balance?"))
    lines = capsys.readouterr().out.splitlines()
    assert [TRACE_RECORD_ADAPTER().validate_json(line) for line in lines] == recorder.records
    assert lines[0].startswith('{"run_id"') and lines[0].endswith('"type":"run_start"}')


async def test_human_lines_are_short_and_readable() -> None:
    out = io.StringIO()
    agent = traced_agent(ScriptedModel(SCRIPT), StdoutTracer(human=True, stream=out))
    await drain(agent.chat("balance?"))
    lines = out.getvalue().splitlines()
    kinds = [line.split()[1] for line in lines]
    assert kinds == ["run_start", "model_start", "model_end", "tool_start", "tool_end",
                     "model_start", "model_end", "run_end"]
    assert lines[0].split()[2] == "AgentLoop" and lines[1].startswith(lines[1][:13] + "  ")
    assert "tool_calls=1" in lines[2] and "tokens=" in lines[2] and "ttft=" in lines[2]
    assert "balance call=call_0_0" in lines[3] and "result='100'" in lines[4]
    assert lines[-1].split()[2] == "done" and "turns=2" in lines[-1]
    assert all(len(line) < 200 for line in lines)
