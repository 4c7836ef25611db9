"""Bar charts as inline SVG text: one bar per variant with its confidence interval as an error
bar (what a report shows per scorer). Plain string building, no plotting library, so a report
stays one self-contained file and the chart is made in the page as natively.

Every text is escaped; the chart is an accessible image (`role="img"`, a title and a
description that give every value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626")
"""Bar colours, one per variant in order (then again)."""

LABEL_CHARS = 14
"""Axis labels longer than this are cut (the bar's tooltip keeps the whole label)."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value (None: no value) and its interval (None: none)."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    """The chart's geometry in pixels: plot height, bar width, the gap between bars, and the
    margins left of the plot (tick labels) and below it (bar labels)."""

    plot_height: int = 160
    bar_width: int = 48
    gap: int = 28
    left: int = 44
    bottom: int = 40
    top: int = 24
    right: int = 12


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    chart_id: str = "chart",
    layout: Layout = Layout(),
) -> str:
    """The `<svg>` text of a bar chart of `bars` titled `title`.

    Args:
        title: what the chart shows (its accessible name).
        bars: the bars, left to right.
        chart_id: a prefix for the ids inside the SVG (unique within the page).
        layout: the geometry.
    """
    low, high = value_range(bars)
    ticks = nice_ticks(low, high)
    low, high = min(low, ticks[0]), max(high, ticks[-1])
    width = layout.left + len(bars) * (layout.bar_width + layout.gap) + layout.gap + layout.right
    height = layout.top + layout.plot_height + layout.bottom
    plot_bottom = layout.top + layout.plot_height

    def y(value: float) -> float:
        return layout.top + (high - value) / (high - low) * layout.plot_height

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{_attr(title_id)} {_attr(desc_id)}">',
        f'<title id="{_attr(title_id)}">{escape(title)}</title>',
        f'<desc id="{_attr(desc_id)}">{escape(describe(bars))}</desc>',
    ]
    for tick in ticks:
        at = y(tick)
        parts.append(
            f'<line class="grid" x1="{layout.left}" x2="{width - layout.right}" y1="{at:.1f}" '
            f'y2="{at:.1f}" stroke="currentColor" stroke-opacity="0.15"/>'
        )
        parts.append(
            f'<text class="tick" x="{layout.left - 6}" y="{at + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="currentColor">{escape(format_tick(tick))}</text>'
        )
    base = y(min(max(0.0, low), high))
    parts.append(
        f'<line class="axis" x1="{layout.left}" x2="{width - layout.right}" y1="{base:.1f}" '
        f'y2="{base:.1f}" stroke="currentColor"/>'
    )
    for index, bar in enumerate(bars):
        x = layout.left + layout.gap + index * (layout.bar_width + layout.gap)
        center = x + layout.bar_width / 2
        parts.append(f'<g class="bar" data-label="{_attr(bar.label)}">')
        parts.append(f"<title>{escape(describe_bar(bar))}</title>")
        if bar.value is None:
            parts.append(
                f'<text class="missing" x="{center:.1f}" y="{base - 6:.1f}" text-anchor="middle" '
                f'font-size="11" fill="currentColor">no score</text>'
            )
        else:
            top, bottom = sorted((y(bar.value), base))
            parts.append(
                f'<rect x="{x}" y="{top:.1f}" width="{layout.bar_width}" '
                f'height="{max(bottom - top, 0.5):.1f}" fill="{PALETTE[index % len(PALETTE)]}"/>'
            )
            label_at = top
            if bar.low is not None and bar.high is not None:
                ends = (max(bar.low, low), min(bar.high, high))
                caps = (bar.low >= low, bar.high <= high)
                parts.append(_error_bar(center, y(ends[0]), y(ends[1]), layout.bar_width / 4, caps))
                label_at = min(label_at, y(ends[1]))
            parts.append(
                f'<text class="value" x="{center:.1f}" y="{label_at - 5:.1f}" '
                f'text-anchor="middle" font-size="11" fill="currentColor">'
                f"{escape(format_value(bar.value))}</text>"
            )
        parts.append(
            f'<text class="label" x="{center:.1f}" y="{plot_bottom + 16}" text-anchor="middle" '
            f'font-size="11" fill="currentColor">{escape(short_label(bar.label))}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def value_range(bars: Sequence[Bar]) -> tuple[float, float]:
    """The values the axis shows: from 0 (or the lowest value) to 1 (or the highest). An
    interval reaching past them is cut at the plot's edge (its end drawn without a cap)."""
    values = [bar.value for bar in bars if bar.value is not None and math.isfinite(bar.value)]
    return min([0.0, *values]), max([1.0, *values])


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) from at or below
    `low` to at or above `high`, about `target` of them."""
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return [low]
    rough = span / max(target - 1, 1)
    power = 10.0 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= rough)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(n * step, 10) for n in range(first, last + 1)]


def format_value(value: float) -> str:
    """A value as a bar's label shows it (two decimals)."""
    return f"{value:.2f}"


def format_tick(value: float) -> str:
    """A tick value as the axis shows it (`0`, `0.25`, `1`)."""
    return f"{value:g}"


def short_label(label: str) -> str:
    """`label` cut to `LABEL_CHARS` characters (an ellipsis marks the cut)."""
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def describe_bar(bar: Bar) -> str:
    """One bar in words: its label, value and interval."""
    if bar.value is None:
        return f"{bar.label}: no score"
    text = f"{bar.label}: {bar.value:.2f}"
    if bar.low is not None and bar.high is not None:
        text += f" (interval {bar.low:.2f} to {bar.high:.2f})"
    return text


def describe(bars: Sequence[Bar]) -> str:
    """Every bar in words (the chart's description for a screen reader)."""
    return "; ".join(describe_bar(bar) for bar in bars) or "no variants"


def _error_bar(
    x: float, y_low: float, y_high: float, cap: float, caps: tuple[bool, bool]
) -> str:
    lines = [f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y_low:.1f}" y2="{y_high:.1f}"/>']
    for at, capped in zip((y_low, y_high), caps):
        if capped:
            lines.append(f'<line x1="{x - cap:.1f}" x2="{x + cap:.1f}" y1="{at:.1f}" y2="{at:.1f}"/>')
    return (
        '<g class="interval" stroke="currentColor" stroke-width="1.5">' + "".join(lines) + "</g>"
    )


def _attr(text: str) -> str:
    return escape(text, quote=True)
