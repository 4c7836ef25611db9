"""Datasets in JSONL (and JSON): cases with an input (text or a whole capture), an expected
answer, metadata and their own scorer specs; errors that say which line and field; a round
trip through `dump_jsonl`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remi_web.evals import (
    DatasetError,
    EvalCase,
    SessionCapture,
    case_from_record,
    dump_jsonl,
    load_dataset,
    parse_dataset,
)

pytestmark = pytest.mark.pyodide

JSONL = """\
{"id": "sum", "input": "what is 2+3*4", "expected": "14", "metadata": {"topic": "math"}}
# a comment, then a blank line

{"input": "count to 3", "expected": ["1", "2", "3"], "scorers": [{"type": "contains"}]}
{"id": "chat", "input": {"message": "and now?", "history": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}], "model": "big", "tools": [{"name": "lookup", "description": "Look up."}]}, "expected": {"answer": 1}}
"""


def test_cases_are_read_from_jsonl() -> None:
    first, second, third = parse_dataset(JSONL)
    assert (first.id, first.input_text, first.expected, first.metadata) == ("sum", "what is 2+3*4", "14", {"topic": "math"})
    assert first.capture == SessionCapture(first.capture.message)  # a plain user message
    assert (second.id, second.expected, second.scorers) == ("case-4", ["1", "2", "3"], [{"type": "contains"}])
    assert third.input_text == "and now?" and third.expected == {"answer": 1}
    assert [(m.role, m.content) for m in third.capture.history] == [
        ("system", "Be brief."), ("user", "hi"), ("assistant", "hello")
    ]
    assert third.capture.model == "big" and [t.name for t in third.capture.tools] == ["lookup"]


def test_a_dataset_round_trips_through_jsonl() -> None:
    cases = parse_dataset(JSONL)
    text = dump_jsonl(cases)
    assert len(text.splitlines()) == 3
    assert parse_dataset(text) == cases
    record = json.loads(text.splitlines()[0])
    assert record["id"] == "sum" and record["input"]["message"]["role"] == "user"
    assert "scorers" not in record


def test_json_documents_hold_a_list_or_a_cases_list() -> None:
    listed = parse_dataset('[{"input": "a"}, {"input": "b", "expected": 2}]', "json")
    assert [(c.id, c.input_text, c.expected) for c in listed] == [("case-1", "a", None), ("case-2", "b", 2)]
    assert parse_dataset('{"cases": [{"id": 7, "input": "a"}]}', "json")[0].id == "7"
    with pytest.raises(DatasetError, match="a list of cases"):
        parse_dataset('{"items": []}', "json")


@pytest.mark.parametrize(
    ("line", "message", "field"),
    [
        ('{"input": "hi"', "Line 2 is not JSON", None),
        ('["hi"]', "Case 2 must be an object", None),
        ('{"input": "hi", "expect": "x"}', "unknown field\\(s\\) expect", "expect"),
        ('{"id": "", "input": "hi"}', "`id` must be a non-empty string", "id"),
        ('{"input": "hi", "metadata": [1]}', "`metadata` must be an object", "metadata"),
        ('{"input": "hi", "scorers": ["contains"]}', "`scorers` must be a list of objects", "scorers"),
        ('{"input": 42}', "`input` must be the user's message", "input"),
        ('{"input": {"message": "hi", "temperature": "warm"}}', "input.temperature", "input.temperature"),
        ('{"input": {"message": {"role": "assistant", "content": "hi"}}}', "user message", "input.message"),
        ('{"input": {"history": []}}', "input.message: Field required", "input.message"),
    ],
)
def test_bad_records_name_their_line_and_field(line: str, message: str, field: str | None) -> None:
    with pytest.raises(DatasetError, match=message) as caught:
        parse_dataset('{"input": "fine"}\n' + line + "\n")
    assert caught.value.line == 2 and caught.value.field == field


def test_ids_must_be_unique() -> None:
    with pytest.raises(DatasetError, match="'a'"):
        parse_dataset('{"id": "a", "input": "x"}\n{"id": "a", "input": "y"}\n')
    with pytest.raises(DatasetError, match="'case-1'"):  # a default id can clash too
        parse_dataset('{"input": "x"}\n{"id": "case-1", "input": "y"}\n')


def test_files_are_read_by_their_suffix(tmp_path: Path) -> None:
    jsonl = tmp_path / "cases.jsonl"
    jsonl.write_text(JSONL, encoding="utf-8")
    cases = load_dataset(jsonl)
    assert [c.id for c in cases] == ["sum", "case-4", "chat"]
    as_json = tmp_path / "cases.json"
    as_json.write_text(json.dumps([c.to_dict() for c in cases]), encoding="utf-8")
    assert load_dataset(as_json) == cases
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"input": "x"}\n{"input": "y", "bad": 1}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^broken.jsonl \(line 2\): Case 2 has unknown field\(s\) bad"):
        load_dataset(broken)
    with pytest.raises(DatasetError, match="unknown format '.csv'"):
        load_dataset(tmp_path / "cases.csv")
    with pytest.raises(DatasetError, match="Cannot read"):
        load_dataset(tmp_path / "missing.jsonl")


def test_cases_made_in_code() -> None:
    case = EvalCase.user("c", "hello", "hi", metadata={"k": 1}, scorers=[{"type": "exact"}])
    assert case_from_record(case.to_dict(), 1) == case
    assert case.to_dict()["expected"] == "hi"
