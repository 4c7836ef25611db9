"""The calculator example runs from one file natively, the way the web app loads it, and as
a component (approval-gated tool included)."""

from __future__ import annotations

import runpy
from pathlib import Path

from wasm_helpers import run, texts

from remi_web import ChatRequest, Done, InterruptEvent, ScriptedModel, ToolCall
from remi_web.browser.page_agent import load_page_agent
from remi_web.wasm.build import build_component
from remi_web.wasm import WasmAgent

CALCULATOR = Path(__file__).resolve().parents[2] / "examples" / "calculator" / "agent.py"


def _script() -> ScriptedModel:
    return ScriptedModel([
        ["Computing. ", ToolCall("calculator", {"expression": "2 + 3 * 4"})],
        ["It is 14. ", ToolCall("save_result", {"name": "answer", "value": 14})],
        ["Saved."],
    ])


async def test_natively() -> None:
    example = runpy.run_path(str(CALCULATOR))
    assert await example["run"](_script(), "what is 2+3*4? save it") == "Computing. It is 14. Saved."


async def test_as_the_web_app_loads_it() -> None:
    builder = load_page_agent(CALCULATOR.read_text(), "agent.py")
    assert not builder.has_model  # the page supplies the model
    events = await run(builder.model(_script()).build(), "what is 2+3*4? save it")
    assert texts(events, "tool_result") == ["14"]
    assert isinstance(events[-1], InterruptEvent)


async def test_as_a_component(tmp_path: Path, build_cache: Path) -> None:
    out = tmp_path / "calculator.wasm"
    build_component(CALCULATOR, out, cache_dir=build_cache)
    agent = await WasmAgent.load(out, model=_script())
    assert agent.build.info.name == "calculator"
    events = await run(agent, "what is 2+3*4? save it")
    assert texts(events, "tool_result") == ["14"]
    paused = events[-1]
    assert isinstance(paused, InterruptEvent)
    assert paused.interrupts[0].payload == {
        "tool": "save_result", "arguments": {"name": "answer", "value": 14}
    }
    answer = {paused.interrupts[0].interrupt_id: {"approved": True}}
    resumed = await run(agent, ChatRequest.resume(paused.run_id, answer))
    assert texts(resumed, "tool_result") == ["Saved answer = 14 (1 saved)."]
    assert isinstance(resumed[-1], Done) and resumed[-1].text == "Saved."
