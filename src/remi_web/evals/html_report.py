"""The evaluation as one self-contained HTML file (what `remi eval` writes as `report.html`):
the comparison table, a bar chart per scorer (the mean per variant with its interval, inline
SVG), the variants, every run (case, variant, repeat, how it ended, scores, latency, an
excerpt of the answer) and the whole result as JSON data.

Nothing is fetched when the file is viewed (no script, no style sheet, no font from
elsewhere) and it runs no script: the data sits in a `<script type="application/json">`
block, which a browser never executes. Everything that comes from runs (answers, errors,
case ids, labels) is HTML-escaped, and `<` is escaped inside the JSON too, so a model answer
holding markup shows as text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from .evaluate import EvalResult
from .report import OVERALL, EvalReport, ScoreSummary
from .scoring import ScoredRun
from .svg_chart import Bar, bar_chart
from .variant import Variant

EXCERPT_CHARS = 160
"""How much of an answer the runs table shows (the cell's tooltip holds more)."""

TOOLTIP_CHARS = 2000

STYLE = """
:root { color-scheme: light dark; font-family: system-ui, sans-serif; --line: #d0d4da;
  --muted: #5f6672; --ok: #047857; --bad: #b91c1c; --head: #f3f4f6; }
@media (prefers-color-scheme: dark) { :root { --line: #394150; --muted: #a1a8b3;
  --ok: #6ee7b7; --bad: #fca5a5; --head: #1c2028; } }
body { margin: 24px auto; max-width: 1200px; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
.summary, caption, figcaption, .meta dt { color: var(--muted); }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
.meta dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
caption { text-align: left; padding: 4px 0; caption-side: top; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--head); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.answer { max-width: 420px; overflow-wrap: anywhere; white-space: pre-wrap; }
.end-done { color: var(--ok); } .end-error, .failed { color: var(--bad); }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; padding: 8px; border: 1px solid var(--line); border-radius: 8px; }
figure.chart figcaption { font-size: 13px; text-align: center; }
"""


def render_html(
    result: EvalResult,
    *,
    title: str = "Evaluation report",
    variants: Sequence[Variant] = (),
    excerpt_chars: int = EXCERPT_CHARS,
) -> str:
    """The HTML text of the report of `result`.

    Args:
        result: the scored runs and their report (`evaluate`'s result).
        title: the page's title.
        variants: the variants, for their settings (system prompt, model...); the table of
            variants is left out without them.
        excerpt_chars: how much of each answer the runs table shows.
    """
    report = result.report
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="summary">{escape(summary_line(report, len(result.runs)))}</p>',
        _metadata(report),
        "<h2>Comparison</h2>",
        comparison_table(report),
        "<h2>Charts</h2>",
        '<div class="charts">',
        *(score_figure(report, name, index) for index, name in enumerate(chart_names(report))),
        "</div>",
    ]
    if variants:
        body += ["<h2>Variants</h2>", variants_table(variants)]
    body += [
        "<h2>Runs</h2>",
        runs_table(result.runs, excerpt_chars),
        '<script type="application/json" id="eval-data">',
        json_for_html(result.to_dict()),
        "</script>",
    ]
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )


def summary_line(report: EvalReport, runs: int) -> str:
    """What was run, and what `±` means."""
    line = (
        f"{report.cases} case(s) × {len(report.variants)} variant(s) × {report.repeats} "
        f"repeat(s): {runs} run(s)."
    )
    if report.repeats > 1:
        return line + (
            f" ± is half the {report.confidence:.0%} Student-t interval over the repeats."
        )
    return line + " One repeat: means without intervals."


def chart_names(report: EvalReport) -> list[str]:
    """The score names that get a chart: every scorer's, then `overall`."""
    return [*report.scorers, OVERALL]


def comparison_table(report: EvalReport) -> str:
    """One row per variant: its runs, how they ended, mean latency, time to first token,
    tokens, and a column per score name (mean ± half-width, failures)."""
    names = chart_names(report)
    head = ["variant", "runs", "done", "errors", "latency", "first token", "tokens", *names]
    rows = []
    for variant in report.variants:
        cells = [
            _num(str(variant.runs)),
            _num(str(variant.ends.get("done", 0))),
            _num(str(variant.ends.get("error", 0))),
            _num(_seconds(variant.mean_latency)),
            _num(_seconds(variant.mean_ttft)),
            _num("-" if variant.mean_tokens is None else f"{variant.mean_tokens:.0f}"),
            *(_num(score_text(report.cell(variant.variant_id, name))) for name in names),
        ]
        rows.append(
            f'<tr data-variant="{_attr(variant.variant_id)}"><th scope="row">'
            f"{escape(variant.label)}</th>{''.join(cells)}</tr>"
        )
    return _table("The variants compared (means over every run)", head, rows, "comparison")


def score_text(cell: ScoreSummary | None) -> str:
    """A cell of the comparison: `0.80 ±0.05`, `-` without a value, and `(n failed)`."""
    if cell is None or cell.mean is None:
        text = "-"
    else:
        half = cell.half_width
        text = f"{cell.mean:.2f}" + ("" if half is None else f" ±{half:.2f}")
    if cell is not None and cell.errors:
        text += f" ({cell.errors} failed)"
    return text


def score_figure(report: EvalReport, name: str, index: int) -> str:
    """The figure of one score name: a bar per variant with its interval."""
    bars = []
    for variant in report.variants:
        cell = report.cell(variant.variant_id, name)
        if cell is None:
            bars.append(Bar(variant.label, None))
        else:
            bars.append(Bar(variant.label, cell.mean, cell.low, cell.high))
    chart = bar_chart(f"{name}: mean per variant", bars, chart_id=f"chart-{index}")
    caption = name + (f" (mean, {report.confidence:.0%} interval)" if report.repeats > 1 else " (mean)")
    return (
        f'<figure class="chart" data-scorer="{_attr(name)}">{chart}'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def variants_table(variants: Sequence[Variant]) -> str:
    """What each variant changes: system prompt, model, temperature, completion budget,
    tools."""
    head = ["variant", "id", "system prompt", "model", "temperature", "max tokens", "tools"]
    rows = []
    for variant in variants:
        tools = ", ".join(tool.name for tool in variant.tools)
        cells = [
            variant.id,
            variant.system if variant.system is not None else "(as captured)",
            variant.model or "(as captured)",
            "(as captured)" if variant.temperature is None else f"{variant.temperature:g}",
            "(as captured)" if variant.max_tokens is None else str(variant.max_tokens),
            f"{variant.tool_mode}: {tools}" if tools else "(as captured)",
        ]
        rows.append(
            f'<tr><th scope="row">{escape(variant.label)}</th>'
            + "".join(f"<td>{escape(cell)}</td>" for cell in cells)
            + "</tr>"
        )
    return _table("What each variant changes", head, rows, "variants")


def runs_table(runs: Sequence[ScoredRun], excerpt_chars: int = EXCERPT_CHARS) -> str:
    """One row per run: case, variant, repeat, how it ended, its scores, latency, and an
    excerpt of its answer (or its error)."""
    head = ["case", "variant", "repeat", "end", "scores", "latency", "answer"]
    rows = []
    for item in runs:
        run = item.run
        answer = run.final_text or (run.error.message if run.error is not None else "")
        rows.append(
            f'<tr data-case="{_attr(run.case_id)}" data-variant="{_attr(run.variant_id)}">'
            f"<td>{escape(run.case_id)}</td><td>{escape(run.variant_label)}</td>"
            f'{_num(str(run.repeat))}<td class="end-{_attr(run.end)}">{escape(run.end)}</td>'
            f"<td>{scores_html(item)}</td>{_num(_seconds(run.latency))}"
            f'<td class="answer" title="{_attr(excerpt(answer, TOOLTIP_CHARS))}">'
            f"{escape(excerpt(answer, excerpt_chars))}</td></tr>"
        )
    return _table("Every run (answers cut; the JSON data below has them whole)", head, rows, "runs")


def scores_html(item: ScoredRun) -> str:
    """A run's scores: `name value` each, a failed scorer with its error."""
    parts = []
    for score in item.scores:
        if score.value is None:
            parts.append(
                f'<span class="failed" title="{_attr(score.error or "")}">'
                f"{escape(score.name)} failed</span>"
            )
        else:
            parts.append(
                f'<span title="{_attr(score.rationale or "")}">{escape(score.name)} '
                f"{score.value:.2f}</span>"
            )
    return ", ".join(parts) or "-"


def excerpt(text: str, limit: int) -> str:
    """`text` cut to `limit` characters (an ellipsis marks the cut)."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def json_for_html(data: Any) -> str:
    """`data` as JSON safe inside a `<script type="application/json">` block: `<`, `>`
    and `&` (and the two JavaScript line separators) as `\\u` escapes, so no text in it can
    close the block."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def _metadata(report: EvalReport) -> str:
    shown = {
        key: value for key, value in report.metadata.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }
    if not shown:
        return ""
    items = "".join(
        f"<dt>{escape(str(key))}</dt><dd>{escape(str(value))}</dd>" for key, value in shown.items()
    )
    return f'<dl class="meta">{items}</dl>'


def _table(caption: str, head: Sequence[str], rows: Sequence[str], name: str) -> str:
    header = "".join(f'<th scope="col">{escape(text)}</th>' for text in head)
    return (
        f'<table class="{_attr(name)}"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _num(text: str) -> str:
    return f'<td class="num">{escape(text)}</td>'


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _attr(text: str) -> str:
    return escape(text, quote=True)
