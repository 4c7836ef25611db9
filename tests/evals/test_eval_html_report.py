"""The self-contained HTML report of real runs (the mock model in process), read back with the
standard library's HTML parser: the comparison table, a chart per scorer, every run, the data
as inert JSON, and model text that holds markup shown as text, never run."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from remi_web import AgentBuilder, tool
from remi_web.evals import Contains, EvalCase, EvalResult, EvalRunner, Variant, evaluate
from remi_web.evals.html_report import excerpt, json_for_html, render_html, score_text
from remi_web.testing.mock_model import MockModel

pytestmark = pytest.mark.pyodide

ATTACK = "<script>window.pwned = 1</script><img src=x onerror=alert(1)>"


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3".
    """
    assert set(expression) <= set("0123456789+-*/(). ")
    return str(eval(expression))  # noqa: S307 - digits and operators only, checked above


class Page(HTMLParser):
    """What a browser would build: the elements with their attributes, and the text of each
    table cell and of the JSON data block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.cells: list[list[str]] = []  # per table row: its cells' text
        self.tables: list[str] = []  # the class of each table, in order
        self.row_table: list[str] = []  # the table of each row
        self.data_json = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self.stack.append(tag)
        if tag == "table":
            self.tables.append(dict(attrs).get("class") or "")
        elif tag == "tr":
            self.cells.append([])
            self.row_table.append(self.tables[-1])
        elif tag in ("td", "th") and self.cells:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells[-1].append("".join(self._cell))
            self._cell = None
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self.stack and self.stack[-1] == "script":
            self.data_json += data

    def rows(self, table: str) -> list[list[str]]:
        return [cells for cells, name in zip(self.cells, self.row_table) if name == table]


async def evaluation() -> tuple[EvalResult, list[Variant]]:
    agent = AgentBuilder().model(MockModel()).tools(calculator).build()
    cases = [
        EvalCase.user("sum", "what is 2+3*4", "14"),
        EvalCase.user("markup", ATTACK, "You said"),
        EvalCase.user("capital", "what is the capital of France?", "Paris"),
    ]
    variants = [Variant.baseline(), Variant("terse", "Terse <prompt>", system="Only <b>numbers</b>.")]
    return await evaluate(EvalRunner(agent), cases, variants, [Contains()], repeats=2), variants


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


async def test_model_markup_is_shown_as_text_and_nothing_runs() -> None:
    result, variants = await evaluation()
    html = render_html(result, variants=variants)
    page = read(html)
    scripts = [attrs for tag, attrs in page.elements if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "eval-data"}]  # data, never code
    assert not [tag for tag, _ in page.elements if tag == "img"]
    assert not [a for _, attrs in page.elements for a in attrs if a.startswith("on")]
    answers = [row[-1] for row in page.rows("runs")[1:] if row[0] == "markup"]
    assert answers == [f"You said: {ATTACK}"] * 4  # the text itself, as text
    assert "<script>window" not in html and "&lt;script&gt;window.pwned" in html


async def test_the_data_block_is_the_whole_result_and_closes_nowhere_early() -> None:
    result, variants = await evaluation()
    page = read(render_html(result, variants=variants))
    assert json.loads(page.data_json) == json.loads(result.to_json())
    assert "<" not in page.data_json


async def test_the_comparison_and_a_chart_per_scorer() -> None:
    result, variants = await evaluation()
    report = result.report
    page = read(render_html(result, variants=variants, title="Math <eval>"))
    assert ("title", {}) in page.elements
    header, *rows = page.rows("comparison")
    assert header[0] == "variant" and header[-2:] == ["contains", "overall"]
    assert [row[0] for row in rows] == ["Baseline", "Terse <prompt>"]
    for row, variant in zip(rows, report.variants):
        assert row[-2] == score_text(report.cell(variant.variant_id, "contains"))
        assert row[-2].startswith("0.67")  # 2 of 3 cases: the mock does not know capitals
    figures = [attrs.get("data-scorer") for tag, attrs in page.elements if tag == "figure"]
    assert figures == ["contains", "overall"]
    charts = [attrs for tag, attrs in page.elements if tag == "svg"]
    assert len(charts) == 2 and all(c.get("role") == "img" for c in charts)
    assert len({c.get("aria-labelledby") for c in charts}) == 2  # ids unique in the page
    variants_rows = page.rows("variants")
    assert variants_rows[2][:3] == ["Terse <prompt>", "terse", "Only <b>numbers</b>."]


async def test_every_run_has_a_row() -> None:
    result, variants = await evaluation()
    header, *rows = read(render_html(result, variants=variants)).rows("runs")
    assert header == ["case", "variant", "repeat", "end", "scores", "latency", "answer"]
    assert len(rows) == len(result.runs) == 12
    first = rows[0]
    assert first[:4] == ["sum", "Baseline", "0", "done"]
    assert first[4] == "contains 1.00" and first[6] == "2+3*4 = 14."
    capital = next(r for r in rows if r[0] == "capital")
    assert capital[4] == "contains 0.00"


def test_excerpts_and_json_escapes() -> None:
    assert excerpt("abcdef", 4) == "abc…" and excerpt("abc", 4) == "abc"
    tricky = {"text": "</script><!-- & \u2028"}
    encoded = json_for_html(tricky)
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == tricky
