"""The eval tab: the built-in example dataset runs in the page's worker against the page's agent
(the same EvalRunner as `remi eval`, the mock model over HTTP) and the comparison shows both
variants; and the HTML report `remi eval` writes, opened in the browser, shows a model's `<script>` as text and
runs nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from browser_app import WebServer, boot, screenshot
from playwright.sync_api import Page

ATTACK = "<script>document.title = 'pwned'; window.ran = true</script><img src=x onerror=\"window.ran = true\">"


def cells(page: Page, selector: str) -> list[list[str]]:
    """The text of each cell of each body row of the table at `selector`."""
    rows: list[list[str]] = page.eval_on_selector_all(
        f"{selector} tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    return rows


def test_the_example_dataset_runs_in_the_page_and_compares_two_variants(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    page.click("#open-evals")
    assert page.get_attribute("#open-evals", "aria-pressed") == "true"
    assert page.is_visible("#evals") and not page.is_visible("#messages")
    assert not page.is_visible("#composer")
    page.click("#evals-example")
    page.wait_for_function("document.querySelector('#evals-dataset').value.includes('arithmetic')")
    assert page.input_value("#evals-variants").count("\n") == 2  # two variants, a line each
    page.click("#evals-run")
    page.wait_for_selector("#evals-results:not([hidden])")

    header = page.eval_on_selector_all("#evals-table thead th", "ths => ths.map(t => t.textContent)")
    assert header == ["variant", "runs", "done", "errors", "latency", "contains", "tool:calculator", "overall"]
    assert page.eval_on_selector_all("#evals-table thead th", "ths => ths.map(t => t.scope)") == ["col"] * 8
    rows = cells(page, "#evals-table")
    assert [row[0] for row in rows] == ["Baseline", "Terse prompt"]
    for row in rows:
        assert row[1:4] == ["5", "5", "0"]
        assert row[5:7] == ["0.80", "1.00"]  # 4 of 5 (the mock cannot know a capital); the calculator used
    runs = cells(page, "#evals-runs")
    assert len(runs) == 10
    arithmetic = [r for r in runs if r[0] == "arithmetic"]
    assert {r[6] for r in arithmetic} == {"2+3*4 = 14."}
    assert page.inner_text("#evals-status") == "Done: 10 runs."
    assert page.get_attribute("#evals-download", "href").startswith("blob:")  # type: ignore[union-attr]
    assert page.evaluate("window.remi.evalResult.report.variants.length") == 2
    assert page.is_enabled("#evals-run")  # ready for another run
    screenshot(page, "eval-tab")

    page.click("#open-evals")  # back to the chat, which works as before
    assert page.is_visible("#messages") and not page.is_visible("#evals")
    assert page.is_enabled("#input")


def test_a_bad_dataset_is_told_in_the_tab(page: Page, web: WebServer) -> None:
    boot(page, web.url)
    page.click("#open-evals")
    page.fill("#evals-dataset", '{"input": "hi"}\n{"input": ')
    page.click("#evals-run")
    page.wait_for_selector("#evals-error:not([hidden])")
    assert "Line 2 is not JSON" in page.inner_text("#evals-error")
    assert page.get_attribute("#evals-error", "role") == "alert"
    page.wait_for_function("!document.querySelector('#evals-run').disabled")


def test_the_html_report_shows_model_markup_as_text_and_runs_nothing(page: Page, tmp_path: Path) -> None:
    (tmp_path / "cases.jsonl").write_text(json.dumps({"id": "markup", "input": ATTACK, "expected": "You said"}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}  # the mock, in process
    done = subprocess.run(
        [sys.executable, "-m", "remi_web.cli.main", "eval", "cases.jsonl"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "eval-out" / "report.html").as_uri()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report)
    assert page.title() == "Evaluation of cases.jsonl"
    assert page.evaluate("window.ran === undefined")
    assert page.locator("td.answer").inner_text() == f"You said: {ATTACK}"
    assert page.locator("img").count() == 0
    assert page.locator("figure.chart svg").count() == 2  # contains, overall
    assert dialogs == [] and requests == [report]  # nothing ran, nothing else was fetched
    screenshot(page, "eval-report")
