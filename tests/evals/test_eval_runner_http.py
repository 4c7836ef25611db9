"""The runner against the mock model over real loopback HTTP (natively through httpx; in the
Pyodide lane through fetch to the mock the lane's host started): tool calls and results,
reasoning from a variant's model, interrupts answered by a router, and the whole evaluation
scored and reported."""

from __future__ import annotations

import json

import pytest

from remi_web import AgentBuilder, InterruptRouter, tool
from remi_web.evals import (
    Contains,
    EvalCase,
    EvalRunner,
    ExactMatch,
    ToolCalled,
    Variant,
    evaluate,
    render_table,
)
from remi_web.model import OpenAIModel

pytestmark = pytest.mark.pyodide


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3".
    """
    allowed = set("0123456789+-*/(). ")
    assert set(expression) <= allowed
    return str(eval(expression))  # noqa: S307 - digits and operators only, checked above


saved: list[str] = []


@tool(requires_approval=True)
def save_note(text: str) -> str:
    """Save a note after the user approves."""
    saved.append(text)
    return f"saved {text!r}"


def mock_agent(url: str):  # type: ignore[no-untyped-def]
    model = OpenAIModel("mock", base_url=url, api_key="k")
    return AgentBuilder().model(model).tools(calculator, save_note).build()


async def test_a_calculator_case_runs_over_http(mock_llm: str) -> None:
    runner = EvalRunner(mock_agent(mock_llm))
    result = await runner.run_one(EvalCase.user("sum", "what is 2+3*4"), Variant.baseline())
    assert result.end == "done", result.error
    assert [(c.name, json.loads(c.arguments)) for c in result.tool_calls] == [("calculator", {"expression": "2+3*4"})]
    assert [(r.name, r.content) for r in result.tool_results] == [("calculator", "14")]
    assert "14" in result.final_text
    assert result.turns == 2 and result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert result.ttft is not None and result.ttft <= result.latency
    assert result.reasoning == ""


async def test_a_variants_model_is_the_one_that_answers(mock_llm: str) -> None:
    runner = EvalRunner(mock_agent(mock_llm))
    result = await runner.run_one(EvalCase.user("hi", "hello there"), Variant("think", model="mock-think"))
    assert result.end == "done"
    assert result.reasoning.startswith("The user wrote")  # models named "think" reason first
    assert result.model == "mock-think"
    assert "hello there" in result.final_text


async def test_an_interrupt_over_http_is_answered_by_a_router(mock_llm: str) -> None:
    saved.clear()
    runner = EvalRunner(mock_agent(mock_llm), interrupts=InterruptRouter().approve(tool="save_note"))
    case = EvalCase.user("note", 'call save_note with {"text": "buy milk"}')
    result = await runner.run_one(case, Variant.baseline())
    assert result.end == "done", result.error
    assert saved == ["buy milk"]
    assert [(r.tool_name, r.decision) for r in result.interrupts] == [("save_note", "approve")]
    assert [r.content for r in result.tool_results] == ["saved 'buy milk'"]


async def test_an_evaluation_over_http_scores_and_compares_variants(mock_llm: str) -> None:
    cases = [
        EvalCase.user("sum", "what is 2+3*4", "14",
                      scorers=[{"type": "tool_called", "tool": "calculator", "args": {"expression": "2+3*4"}}]),
        EvalCase.user("count", "count to 3", "1 2 3"),
        EvalCase.user("echo", "hello there", "hello there"),
    ]
    variants = [Variant.baseline(), Variant("think", "Thinking model", model="mock-think")]
    result = await evaluate(EvalRunner(mock_agent(mock_llm), concurrency=3), cases, variants,
                            [Contains(), ExactMatch()], repeats=2)
    assert len(result.runs) == 12
    assert all(item.run.end == "done" for item in result.runs)
    report = result.report
    assert [v.variant_id for v in report.variants] == ["baseline", "think"]
    assert report.scorers == ["contains", "exact", "tool:calculator"]
    for variant in ("baseline", "think"):
        contains = report.cell(variant, "contains")
        assert contains is not None and contains.mean == 1.0 and contains.count == 6
        tool_cell = report.cell(variant, "tool:calculator")
        assert tool_cell is not None and tool_cell.mean == 1.0 and tool_cell.count == 2
        exact = report.cell(variant, "exact")  # the mock says "You said: hello there", "2+3*4 = 14."
        assert exact is not None and exact.mean == pytest.approx(1 / 3)  # only "1 2 3" is exact
    think = report.variant("think")
    assert think is not None and think.ends == {"done": 6} and think.label == "Thinking model"
    assert think.mean_tokens is not None and think.mean_tokens > 0
    table = render_table(report)
    assert table.splitlines()[0].split() == ["variant", "runs", "done", "errors", "latency", "contains", "exact", "tool:calculator", "overall"]
    assert "Thinking model" in table
    assert json.loads(result.to_json())["report"]["repeats"] == 2
