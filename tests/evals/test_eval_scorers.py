"""Each built-in scorer (exact, contains, regex, JSON-schema and pydantic validity, tool
called, latency and usage budgets), function scorers, scorer specs, and how scoring records
a scorer that fails."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from remi_web import AgentBuilder, ScriptedModel, ToolCall
from remi_web.core.usage import Usage
from remi_web.evals import (
    Contains,
    EvalCase,
    EvalRunner,
    ExactMatch,
    JsonSchemaValid,
    LatencyBudget,
    PydanticValid,
    RegexMatch,
    RunResult,
    Score,
    ScorerSpecError,
    ToolCallRecord,
    ToolCalled,
    UsageBudget,
    Variant,
    score_run,
    score_runs,
    scorer,
    scorer_from_spec,
)

pytestmark = pytest.mark.pyodide


def run(text: str = "", **fields: object) -> RunResult:
    """A finished run that answered `text`."""
    return RunResult("c", "v", "V", 0, "done", final_text=text, **fields)  # type: ignore[arg-type]


def case(expected: object = None, **fields: object) -> EvalCase:
    return EvalCase.user("c", "question", expected, **fields)  # type: ignore[arg-type]


class City(BaseModel):
    name: str
    population: int


CITY_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "population": {"type": "integer", "minimum": 0}},
    "required": ["name", "population"],
}


async def test_exact_match() -> None:
    exact = ExactMatch()
    assert await exact.score(case("14"), run("  14\n")) == [Score("exact", 1.0, "the answer is '14'")]
    [miss] = await exact.score(case("14"), run("fourteen"))
    assert (miss.value, miss.rationale) == (0.0, "expected '14', got 'fourteen'")
    assert (await exact.score(case(14), run("14")))[0].value == 1.0  # JSON expected: its text
    assert (await exact.score(case(["14", "fourteen"]), run("fourteen")))[0].value == 1.0
    assert (await ExactMatch(ignore_case=True).score(case("Paris"), run("PARIS")))[0].value == 1.0
    assert (await ExactMatch().score(case("Paris"), run("PARIS")))[0].value == 0.0
    assert (await ExactMatch(strip=False).score(case("14"), run("14 ")))[0].value == 0.0
    assert (await ExactMatch("own", name="mine").score(case("14"), run("own")))[0] == Score("mine", 1.0, "the answer is 'own'")
    assert await exact.score(case(None), run("anything")) == []  # nothing expected: no score


async def test_contains() -> None:
    [partial] = await Contains().score(case(["Paris", "France", "Seine"]), run("Paris is in France."))
    assert partial.value == pytest.approx(2 / 3) and partial.rationale is not None and "'Seine'" in partial.rationale
    assert (await Contains().score(case("14"), run("2+3*4 = 14.")))[0].value == 1.0
    assert (await Contains().score(case("paris"), run("Paris")))[0].value == 0.0
    assert (await Contains(ignore_case=True).score(case("paris"), run("Paris")))[0].value == 1.0
    assert await Contains().score(case(), run("x")) == []


async def test_regex_match() -> None:
    [hit] = await RegexMatch(r"\b1[0-9]\b").score(case(), run("it is 14."))
    assert (hit.value, hit.rationale) == (1.0, r"/\b1[0-9]\b/ matched '14'")
    assert (await RegexMatch().score(case(r"^\d+$"), run("14 apples")))[0].value == 0.0
    assert (await RegexMatch("APPLE", ignore_case=True).score(case(), run("14 apples")))[0].value == 1.0
    scored = await score_run(case(), run("x"), [RegexMatch("(unclosed")])
    assert scored.scores[0].value is None and "not a regular expression" in str(scored.scores[0].error)


async def test_json_schema_validity() -> None:
    valid = JsonSchemaValid(CITY_SCHEMA)
    assert (await valid.score(case(), run(output={"name": "Paris", "population": 2100000})))[0].value == 1.0
    fenced = run('```json\n{"name": "Paris", "population": 2100000}\n```')
    assert (await valid.score(case(), fenced))[0].value == 1.0
    [bad] = await valid.score(case(), run('{"name": "Paris", "population": -1}'))
    assert bad.value == 0.0 and bad.rationale is not None and "population" in bad.rationale
    [missing] = await valid.score(case(), run('{"name": "Paris"}'))
    assert missing.value == 0.0 and "'population' is a required property" in str(missing.rationale)
    [prose] = await valid.score(case(), run("Paris has 2.1 million people."))
    assert prose.value == 0.0 and "not JSON" in str(prose.rationale)
    broken = await score_run(case(), run("{}"), [JsonSchemaValid({"type": "no-such-type"})])
    assert broken.scores[0].value is None and "not a valid JSON Schema" in str(broken.scores[0].error)


async def test_pydantic_validity() -> None:
    assert (await PydanticValid(City).score(case(), run('{"name": "Paris", "population": 2100000}')))[0] == Score(
        "pydantic", 1.0, "the answer is a valid City"
    )
    [bad] = await PydanticValid(City).score(case(), run(output={"name": "Paris", "population": "many"}))
    assert bad.value == 0.0 and "population" in str(bad.rationale)

    @dataclass
    class Point:
        x: int
        y: int

    assert (await PydanticValid(Point, name="point").score(case(), run('{"x": 1, "y": 2}')))[0].value == 1.0
    assert (await PydanticValid(Point).score(case(), run('{"x": 1}')))[0].value == 0.0


async def test_tool_called() -> None:
    calls = [
        ToolCallRecord("1", "calculator", '{"expression": "2+3*4"}'),
        ToolCallRecord("2", "calculator", '{"expression": "1+1"}'),
        ToolCallRecord("3", "search", "not json"),
    ]
    made = run("14", tool_calls=calls)
    [any_call] = await ToolCalled("calculator").score(case(), made)
    assert (any_call.name, any_call.value) == ("tool:calculator", 1.0)
    assert any_call.rationale == "calculator called 2 time(s) (wanted 1+)"
    [one] = await ToolCalled("calculator", args={"expression": "2+3*4"}, max_times=1).score(case(), made)
    assert one.value == 1.0 and "1 call(s) with other arguments" in str(one.rationale)
    short = ToolCalled("calculator", args={"expression": lambda e: len(str(e)) < 4}, name="short")
    assert (await short.score(case(), made))[0] == Score(
        "short", 1.0, "calculator called 1 time(s) with matching arguments (wanted 1+); 1 call(s) with other arguments"
    )
    assert (await ToolCalled("calculator", min_times=3).score(case(), made))[0].value == 0.0
    assert (await ToolCalled("delete_all", max_times=0).score(case(), made))[0].value == 1.0
    assert (await ToolCalled("search", args={"q": "x"}).score(case(), made))[0].value == 0.0
    with pytest.raises(ValueError, match="min_times <= max_times"):
        ToolCalled("x", min_times=2, max_times=1)


async def test_tool_called_on_a_real_run() -> None:
    from remi_web import tool

    @tool
    def calculator(expression: str) -> str:
        """Evaluate arithmetic."""
        return "14"

    model = ScriptedModel([[ToolCall("calculator", {"expression": "2+3*4"})], ["14"]])
    agent = AgentBuilder().model(model).tools(calculator).build()
    result = await EvalRunner(agent).run_one(case("14"), Variant.baseline())
    scored = await score_run(case("14"), result, [ToolCalled("calculator", args={"expression": "2+3*4"}), ExactMatch()])
    assert [(s.name, s.value) for s in scored.scores] == [("tool:calculator", 1.0), ("exact", 1.0)]


async def test_latency_and_usage_budgets() -> None:
    timed = run("x", latency=1.5, ttft=0.4)
    assert [(s.name, s.value) for s in await LatencyBudget(max_seconds=2, max_ttft=0.5).score(case(), timed)] == [
        ("latency", 1.0), ("latency_ttft", 1.0)
    ]
    [slow] = await LatencyBudget(max_seconds=1).score(case(), timed)
    assert (slow.value, slow.rationale) == (0.0, "1.500 s (budget 1 s)")
    [silent] = await LatencyBudget(max_ttft=1).score(case(), run("", ttft=None))
    assert (silent.value, silent.rationale) == (0.0, "no text was streamed")
    used = run("x", usage=Usage(prompt_tokens=100, completion_tokens=30))
    assert (await UsageBudget(max_total_tokens=130).score(case(), used))[0].value == 1.0
    [over] = await UsageBudget(max_total_tokens=200, max_completion_tokens=20).score(case(), used)
    assert (over.value, over.rationale) == (0.0, "over budget: completion 30 > 20")
    assert await UsageBudget().score(case(), used) == []


async def test_function_scorers_sync_or_async() -> None:
    @scorer("short")
    def short(case: EvalCase, run: RunResult) -> bool:
        return len(run.final_text) < 5

    @scorer("length")
    async def length(case: EvalCase, run: RunResult) -> float:
        return min(1.0, len(run.final_text) / 10)

    @scorer("many")
    def many(case: EvalCase, run: RunResult) -> list[Score]:
        return [Score("a", 0.25, "a"), Score("b", 0.75)]

    @scorer("skips")
    def skips(case: EvalCase, run: RunResult) -> None:
        return None

    @scorer("wrong")
    def wrong(case: EvalCase, run: RunResult) -> str:
        return "great"

    scored = await score_run(case(), run("hello"), [short, length, many, skips, wrong])  # type: ignore[list-item]
    assert [(s.name, s.value) for s in scored.scores] == [
        ("short", 0.0), ("length", 0.5), ("a", 0.25), ("b", 0.75), ("wrong", None)
    ]
    assert "return a number, a bool, a Score" in str(scored.scores[-1].error)
    assert scored.total == pytest.approx((0.0 + 0.5 + 0.25 + 0.75) / 4)  # a failed score has no value
    assert scored.value("b") == 0.75 and scored.value("wrong") is None


async def test_a_cases_own_specs_are_scored_after_the_given_scorers() -> None:
    with_specs = case("14", scorers=[{"type": "contains"}, {"type": "tool_called", "tool": "calculator", "max_times": 0}])
    scored = await score_run(with_specs, run("it is 14"), [ExactMatch()])
    assert [(s.name, s.value) for s in scored.scores] == [("exact", 0.0), ("contains", 1.0), ("tool:calculator", 1.0)]
    assert scored.to_dict()["scores"][1] == {"name": "contains", "value": 1.0, "rationale": "contains '14'", "error": None}


def test_scorer_specs_build_every_built_in_and_refuse_the_rest() -> None:
    specs = [
        {"type": "exact", "expected": "14", "ignore_case": True},
        {"type": "contains", "expected": ["a", "b"]},
        {"type": "regex", "pattern": "\\d+"},
        {"type": "json_schema", "schema": CITY_SCHEMA},
        {"type": "tool_called", "tool": "calculator", "args": {"expression": "1+1"}, "min_times": 1},
        {"type": "latency", "max_seconds": 2},
        {"type": "usage", "max_total_tokens": 100},
    ]
    made = [scorer_from_spec(spec) for spec in specs]  # type: ignore[arg-type]
    assert [type(s).__name__ for s in made] == [
        "ExactMatch", "Contains", "RegexMatch", "JsonSchemaValid", "ToolCalled", "LatencyBudget", "UsageBudget"
    ]
    assert made[0] == ExactMatch("14", ignore_case=True)
    with pytest.raises(ScorerSpecError, match="`type` must be one of exact, contains"):
        scorer_from_spec({"type": "judge"})
    with pytest.raises(ScorerSpecError, match="missing tool"):
        scorer_from_spec({"type": "tool_called"})
    with pytest.raises(ScorerSpecError, match="unknown expectd"):
        scorer_from_spec({"type": "contains", "expectd": "x"})
    with pytest.raises(ScorerSpecError, match="min_times <= max_times"):
        scorer_from_spec({"type": "tool_called", "tool": "x", "min_times": 3, "max_times": 1})


async def test_score_runs_finds_each_runs_case_and_checks_specs_first() -> None:
    cases = [case("14")]
    scored = await score_runs(cases, [run("14"), run("15")], [ExactMatch()])
    assert [s.scores[0].value for s in scored] == [1.0, 0.0]
    with pytest.raises(ValueError, match="unknown case"):
        await score_runs(cases, [RunResult("other", "v", "V", 0, "done")], [ExactMatch()])
    with pytest.raises(ScorerSpecError, match="Case 'c'"):
        await score_runs([case("14", scorers=[{"type": "nope"}])], [run("14")])
