"""The comparison as a plain-text table (what `remi eval` prints): one row per variant, a
column per score name with its mean and the half-width of its interval."""

from __future__ import annotations

from .report import OVERALL, EvalReport, ScoreSummary


def render_table(report: EvalReport, *, digits: int = 2) -> str:
    """The report as an aligned text table, with a line saying what `±` means."""
    header = ["variant", "runs", "done", "errors", "latency", *report.scorers, OVERALL]
    rows = [header]
    for variant in report.variants:
        cells = [report.cell(variant.variant_id, name) for name in report.scorers]
        latency = "-" if variant.mean_latency is None else f"{variant.mean_latency:.{digits}f}s"
        rows.append([
            variant.label,
            str(variant.runs),
            str(variant.ends.get("done", 0)),
            str(variant.ends.get("error", 0)),
            latency,
            *(_cell(cell, digits) for cell in cells),
            _cell(variant.overall, digits),
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(text.ljust(widths[i]) for i, text in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    if report.repeats > 1:
        lines.append(
            f"± is half the {report.confidence:.0%} t-interval over {report.repeats} repeats "
            f"of {report.cases} case(s)."
        )
    else:
        lines.append(f"{report.cases} case(s), 1 repeat: no intervals (run more repeats).")
    return "\n".join(lines)


def _cell(cell: ScoreSummary | None, digits: int) -> str:
    if cell is None or cell.mean is None:
        text = "-"
    else:
        half = cell.half_width
        text = f"{cell.mean:.{digits}f}" + ("" if half is None else f" ±{half:.{digits}f}")
    if cell is not None and cell.errors:
        text += f" ({cell.errors} failed)"
    return text
