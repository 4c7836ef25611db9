"""The eval tab's worker side: an `eval` command runs a dataset against the page's agent (the
agent file behind `start_bridge`, on the mock model over real HTTP) and posts its progress and
result; bad commands are told back; Stop cancels; the page's store keeps no trace."""

from __future__ import annotations

import json
from typing import Any

import pytest

from remi_web import AgentBuilder, MemoryStore, tool
from remi_web.browser import BrowserSettings, WorkerBridge, start_bridge
from remi_web.browser.evals_bridge import MAX_RUNS, read_eval_command
from remi_web.evals import DatasetError, ScorerSpecError
from remi_web.testing.mock_model import MockModel

pytestmark = pytest.mark.pyodide

AGENT_FILE = '''
from remi_web import AgentBuilder, tool


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3".
    """
    assert set(expression) <= set("0123456789+-*/(). ")
    return str(eval(expression))


agent = AgentBuilder().tools(calculator).system("You are a helpful assistant.")
'''

DATASET = "\n".join(json.dumps(case) for case in [
    {"id": "sum", "input": "what is 2+3*4", "expected": "14",
     "scorers": [{"type": "tool_called", "tool": "calculator"}]},
    {"id": "count", "input": "count to 3", "expected": "1 2 3"},
    {"id": "capital", "input": "what is the capital of France?", "expected": "Paris"},
])
VARIANTS = '{"id": "baseline", "label": "Baseline"}\n{"id": "terse", "system": "Be terse."}\n'


class Page:
    """Every JSON message the worker posts, parsed."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def post(self, text: str) -> None:
        self.messages.append(json.loads(text))

    def kinds(self) -> list[str]:
        return [m["kind"] for m in self.messages]


def eval_command(settings: dict[str, Any], **fields: Any) -> str:
    return json.dumps({"op": "eval", "settings": settings, **fields})


async def test_an_evaluation_in_the_worker_streams_progress_then_the_comparison(mock_llm: str) -> None:
    page, store = Page(), MemoryStore()
    bridge = start_bridge(AGENT_FILE, page.post, "agent.py", store)
    settings = {"base_url": mock_llm, "model": "mock"}
    await bridge.handle(eval_command(settings, dataset=DATASET, variants=VARIANTS, repeats=2))

    assert page.kinds() == ["eval_started", *["eval_progress"] * 12, "eval_result", "idle"]
    started = page.messages[0]
    assert started["total"] == 12 and started["cases"] == 3
    assert started["variants"] == [{"id": "baseline", "label": "Baseline"}, {"id": "terse", "label": "terse"}]
    assert [m["done"] for m in page.messages[1:13]] == list(range(1, 13))
    result = page.messages[13]
    report = result["report"]
    assert report["scorers"] == ["contains", "tool:calculator"]
    means = {(c["variant_id"], c["scorer"]): c["mean"] for c in report["scores"]}
    assert means[("baseline", "contains")] == means[("terse", "contains")] == pytest.approx(2 / 3)
    assert means[("baseline", "tool:calculator")] == 1.0
    assert {v["variant_id"]: v["ends"] for v in report["variants"]} == {
        "baseline": {"done": 6}, "terse": {"done": 6}
    }
    assert report["metadata"] == {"agent": "page agent", "model": "mock"}
    sums = [r for r in result["runs"] if r["run"]["case_id"] == "sum"]
    assert {r["run"]["final_text"] for r in sums} == {"2+3*4 = 14."}
    assert result["table"].splitlines()[0].startswith("variant")
    assert "Baseline" in result["table"] and result["html"].startswith("<!doctype html>")
    assert [v["system"] for v in result["variants"]] == [None, "Be terse."]
    # the runs used a store of their own: the page's store has none of their checkpoints
    run_ids = [r["run"]["run_id"] for r in sums]
    assert all(run_ids) and [await store.latest_checkpoint(rid) for rid in run_ids] == [None] * 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"dataset": "  "}, "`eval` needs `dataset`"),
        ({"dataset": '{"input": "hi"}\n{"input": '}, "Line 2 is not JSON"),
        ({"dataset": '{"input": "hi", "expect": "x"}'}, "unknown field(s) expect"),
        ({"dataset": '{"input": "hi"}', "variants": '{"label": "no id"}'}, "Variant 1"),
        ({"dataset": '{"input": "hi"}', "scorers": ["nope"]}, "`type` must be one of"),
        ({"dataset": '{"input": "hi"}', "repeats": 0}, "`repeats` must be a whole number"),
        ({"dataset": '{"input": "hi"}', "timeout": -1}, "`timeout` must be a number"),
        ({"dataset": '{"input": "hi"}', "repeats": MAX_RUNS + 1}, "use `remi eval`"),
    ],
)
async def test_a_bad_command_is_told_back_and_nothing_runs(fields: dict[str, Any], message: str) -> None:
    page = Page()
    made: list[str] = []

    def make(settings: BrowserSettings) -> Any:
        made.append(settings.model)
        return AgentBuilder().model(MockModel()).build()

    bridge = WorkerBridge(make, MemoryStore(), page.post)
    await bridge.handle(eval_command({}, **fields))
    assert page.kinds() == ["eval_error", "idle"]
    assert message in page.messages[0]["message"]
    assert made == []  # no agent was even made
    assert not bridge.busy


async def test_stop_cancels_the_evaluation_and_what_ran_is_reported() -> None:
    page = Page()
    bridge: WorkerBridge | None = None

    @tool
    async def press_stop() -> str:
        """The user presses Stop while the evaluation runs."""
        assert bridge is not None
        await bridge.handle(json.dumps({"op": "cancel"}))
        return "stopping"

    def make(settings: BrowserSettings) -> Any:
        return AgentBuilder().model(MockModel()).tools(press_stop).build()

    bridge = WorkerBridge(make, MemoryStore(), page.post)
    dataset = "\n".join(json.dumps({"id": f"c{i}", "input": "call press_stop"}) for i in range(3))
    await bridge.handle(eval_command({}, dataset=dataset, concurrency=1))
    assert page.kinds()[-2:] == ["eval_result", "idle"]
    runs = page.messages[-2]["runs"]
    assert [r["run"]["end"] for r in runs] == ["cancelled"] * 3
    assert [c["name"] for c in runs[0]["run"]["tool_calls"]] == ["press_stop"]
    assert not bridge.busy


async def test_an_evaluation_waits_for_no_run_and_a_run_is_refused_meanwhile() -> None:
    page = Page()
    bridge: WorkerBridge | None = None
    answers: list[dict[str, Any]] = []

    @tool
    async def chat_meanwhile() -> str:
        """The user sends a chat message while the evaluation runs."""
        assert bridge is not None
        before = len(page.messages)
        await bridge.handle(json.dumps({"op": "send", "thread_id": "t1", "text": "hi"}))
        await bridge.handle(eval_command({}, dataset='{"input": "hi"}'))
        answers.extend(page.messages[before:])
        return "ok"

    def make(settings: BrowserSettings) -> Any:
        return AgentBuilder().model(MockModel()).tools(chat_meanwhile).build()

    bridge = WorkerBridge(make, MemoryStore(), page.post)
    await bridge.handle(eval_command({}, dataset='{"input": "call chat_meanwhile"}'))
    assert [a["kind"] for a in answers] == ["event", "eval_error"]
    assert "already streaming" in answers[0]["event"]["message"]
    assert "a run is streaming" in answers[1]["message"]
    assert page.kinds()[-2:] == ["eval_result", "idle"]


def test_datasets_and_variants_as_jsonl_or_json_text_or_objects() -> None:
    as_json = json.dumps([{"id": "a", "input": "hi"}, {"id": "b", "input": "yo"}], indent=2)
    read = read_eval_command({"dataset": as_json, "variants": [{"id": "v1"}, {"id": "v2"}]})
    assert [c.id for c in read.cases] == ["a", "b"] and [v.id for v in read.variants] == ["v1", "v2"]
    assert read.total == 4 and [s.name for s in read.scorers] == ["contains"]
    jsonl = read_eval_command({"dataset": '{"input": "hi"}', "variants": "", "scorers": ["exact", {"type": "regex", "pattern": "h"}]})
    assert [v.id for v in jsonl.variants] == ["baseline"]
    assert [s.name for s in jsonl.scorers] == ["exact", "regex"]
    spread = '{\n  "cases": [{"id": "a", "input": "hi"}]\n}'
    assert [c.id for c in read_eval_command({"dataset": spread}).cases] == ["a"]
    with pytest.raises(ScorerSpecError, match="Case 'case-1'"):
        read_eval_command({"dataset": '{"input": "hi", "scorers": [{"type": "contains", "bad": 1}]}'})
    with pytest.raises(ScorerSpecError):
        read_eval_command({"dataset": '{"input": "hi"}', "scorers": [{"type": "contains", "bad": 1}]})
    with pytest.raises(DatasetError, match="Two cases have the id"):
        read_eval_command({"dataset": '{"id": "a", "input": "hi"}\n{"id": "a", "input": "yo"}'})
