"""`LLMJudge`: a model grades a run against a rubric and answers with a JSON verdict; on a
`ScriptedModel` and on the mock model over real HTTP (which answers a JSON-schema
`response_format` with the schema's fields)."""

from __future__ import annotations

import pytest

from remi_web import AgentBuilder, ScriptedModel
from remi_web.core.content import content_text
from remi_web.evals import (
    EvalCase,
    EvalRunner,
    JudgeError,
    LLMJudge,
    RunError,
    RunResult,
    ToolCallRecord,
    ToolResultRecord,
    Variant,
    Verdict,
    evaluate,
    parse_verdict,
    score_run,
)
from remi_web.model import OpenAIModel

pytestmark = pytest.mark.pyodide

RUBRIC = "The answer gives the right number and shows the calculation."


def answered(text: str, **fields: object) -> RunResult:
    return RunResult("sum", "v", "V", 0, "done", final_text=text, **fields)  # type: ignore[arg-type]


async def test_a_scripted_judge_gives_its_verdict_and_sees_the_run() -> None:
    model = ScriptedModel([['{"score": 0.8, "rationale": "Right number, no working shown."}']])
    judge = LLMJudge(model, RUBRIC)
    case = EvalCase.user("sum", "what is 2+3*4", "14")
    run = answered(
        "It is 14.",
        tool_calls=[ToolCallRecord("c1", "calculator", '{"expression": "2+3*4"}')],
        tool_results=[ToolResultRecord("c1", "calculator", "14")],
    )
    scored = await score_run(case, run, [judge])
    assert [(s.name, s.value, s.rationale) for s in scored.scores] == [
        ("judge", 0.8, "Right number, no working shown.")
    ]
    [request] = model.requests
    system, user = request.messages
    assert system.role == "system" and RUBRIC in content_text(system.content)
    shown = content_text(user.content)
    for part in ("what is 2+3*4", "<expected>\n14\n</expected>", "<answer>\nIt is 14.\n</answer>",
                 'calculator({"expression": "2+3*4"}) -> 14'):
        assert part in shown
    assert request.temperature == 0.0
    response_format = request.extra["response_format"]
    assert isinstance(response_format, dict) and response_format["type"] == "json_schema"


async def test_the_judge_is_told_how_an_unfinished_run_ended() -> None:
    model = ScriptedModel([['{"score": 0, "rationale": "It failed."}']])
    failed = RunResult("sum", "v", "V", 0, "error", error=RunError("timeout", "took too long"))
    scores = await LLMJudge(model, RUBRIC, structured=False, name="quality").score(EvalCase.user("sum", "hi"), failed)
    assert scores[0].name == "quality" and scores[0].value == 0.0
    request = model.requests[0]
    assert "it ended error: took too long" in content_text(request.messages[1].content)
    assert "<expected>" not in content_text(request.messages[1].content)
    assert "response_format" not in request.extra


def test_verdicts_are_read_from_json_alone_or_in_prose() -> None:
    assert parse_verdict('{"score": 1, "rationale": "ok"}') == Verdict(1.0, "ok")
    assert parse_verdict('Here is my verdict:\n```json\n{"score": 0.25, "rationale": "weak"}\n```') == Verdict(0.25, "weak")
    assert parse_verdict('{"score": 0.5}') == Verdict(0.5, "")
    for reply, problem in [
        ("Looks good to me.", "no JSON object"),
        ('{"score": 2, "rationale": "great"}', "from 0 to 1"),
        ('{"score": "high"}', "from 0 to 1"),
        ('{"score": true}', "from 0 to 1"),
        ("[0.5]", "not a JSON object"),
    ]:
        with pytest.raises(JudgeError, match=problem):
            parse_verdict(reply)


async def test_a_judge_without_a_verdict_is_a_failed_score_not_a_crash() -> None:
    model = ScriptedModel([["I think it is fine."]])
    scored = await score_run(EvalCase.user("c", "hi"), answered("hello"), [LLMJudge(model, RUBRIC)])
    [score] = scored.scores
    assert score.value is None and "JudgeError" in str(score.error) and scored.total is None


async def test_the_judge_on_the_mock_model_over_http(mock_llm: str) -> None:
    agent = AgentBuilder().model(OpenAIModel("mock", base_url=mock_llm, api_key="k")).build()
    judge = LLMJudge(OpenAIModel("mock", base_url=mock_llm, api_key="k"), RUBRIC)
    cases = [
        EvalCase.user("graded", "score=0.75 rationale=echoed"),  # the mock echoes it; the judge reads it
        EvalCase.user("plain", "hello there"),  # nothing to read: the schema's placeholders
    ]
    result = await evaluate(EvalRunner(agent), cases, [Variant.baseline()], [judge])
    graded, plain = result.runs
    assert graded.run.final_text == "You said: score=0.75 rationale=echoed"
    assert [(s.name, s.value, s.rationale) for s in graded.scores] == [("judge", 0.75, "echoed")]
    assert [(s.name, s.value, s.rationale) for s in plain.scores] == [("judge", 0.0, "")]
    cell = result.report.cell("baseline", "judge")
    assert cell is not None and cell.mean == pytest.approx(0.375) and cell.count == 2
