"""The report's bar charts: inline SVG, checked by parsing it as XML (the standard library's
parser): bars in proportion to their values, error bars on the same scale as the axis ticks,
intervals cut at the plot's edge, missing values said, every text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from remi_web.evals.svg_chart import Bar, bar_chart, nice_ticks, value_range

pytestmark = pytest.mark.pyodide

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def tick_y(root: ET.Element) -> dict[str, float]:
    """The y of each tick's grid line, by the tick's label."""
    labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    lines = [g for g in root.iter(f"{SVG}line") if g.get("class") == "grid"]
    assert len(labels) == len(lines)
    return {label.text or "": float(line.get("y1", "nan")) for label, line in zip(labels, lines)}


def bars(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "bar"]


def test_bars_are_in_proportion_to_their_values_on_the_axis_scale() -> None:
    root = parse(bar_chart("contains", [Bar("a", 0.5), Bar("b", 1.0), Bar("c", 0.25)]))
    ticks = tick_y(root)
    assert list(ticks) == ["0", "0.25", "0.5", "0.75", "1"]
    rects = [g.find(f"{SVG}rect") for g in bars(root)]
    assert all(r is not None for r in rects)
    heights = [float(r.get("height", "nan")) for r in rects if r is not None]
    assert heights[1] == pytest.approx(2 * heights[0]) and heights[0] == pytest.approx(2 * heights[2])
    for rect, label in zip(rects, ["0.5", "1", "0.25"]):
        assert rect is not None
        assert float(rect.get("y", "nan")) == pytest.approx(ticks[label], abs=0.1)  # its top
        bottom = float(rect.get("y", "nan")) + float(rect.get("height", "nan"))
        assert bottom == pytest.approx(ticks["0"], abs=0.1)  # from the zero line
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "value"]
    assert values == ["0.50", "1.00", "0.25"]


def test_an_error_bar_spans_the_interval_with_caps() -> None:
    root = parse(bar_chart("judge", [Bar("a", 0.5, low=0.25, high=0.75)]))
    ticks = tick_y(root)
    interval = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "interval")
    stem, *caps = list(interval)
    assert sorted([float(stem.get("y1", "nan")), float(stem.get("y2", "nan"))]) == pytest.approx(
        sorted([ticks["0.25"], ticks["0.75"]]), abs=0.1
    )
    assert sorted(float(c.get("y1", "nan")) for c in caps) == pytest.approx(
        sorted([ticks["0.25"], ticks["0.75"]]), abs=0.1
    )


def test_an_interval_past_the_plot_is_cut_without_a_cap_and_told_whole() -> None:
    root = parse(bar_chart("exact", [Bar("a", 0.9, low=0.4, high=1.6)]))
    ticks = tick_y(root)
    assert list(ticks)[-1] == "1"  # the axis follows the values, not the interval
    interval = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "interval")
    stem, *caps = list(interval)
    assert min(float(stem.get("y1", "nan")), float(stem.get("y2", "nan"))) == pytest.approx(ticks["1"], abs=0.1)
    assert len(caps) == 1  # only the lower end is a real end
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text == "a: 0.90 (interval 0.40 to 1.60)"


def test_values_outside_zero_to_one_widen_the_axis() -> None:
    assert value_range([Bar("a", 0.5)]) == (0.0, 1.0)
    assert value_range([Bar("a", 3.2), Bar("b", -0.4)]) == (-0.4, 3.2)
    root = parse(bar_chart("tokens", [Bar("a", 3.2), Bar("b", -0.4)]))
    ticks = tick_y(root)
    assert float(list(ticks)[0]) <= -0.4 and float(list(ticks)[-1]) >= 3.2
    rect = bars(root)[1].find(f"{SVG}rect")
    assert rect is not None
    assert float(rect.get("y", "nan")) == pytest.approx(ticks["0"], abs=0.1)  # below zero: hangs from it


def test_a_bar_without_a_value_says_so() -> None:
    root = parse(bar_chart("judge", [Bar("a", None), Bar("b", 1.0)]))
    first = bars(root)[0]
    assert first.find(f"{SVG}rect") is None
    assert [t.text for t in first.iter(f"{SVG}text") if t.get("class") == "missing"] == ["no score"]


def test_every_text_is_escaped_and_labels_are_cut_with_their_whole_name_in_the_tooltip() -> None:
    label = '<b onload="x()">Terse & "long" prompt</b>'
    root = parse(bar_chart("<contains>", [Bar(label, 0.5)], chart_id="c1"))
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}title").text == "<contains>"  # type: ignore[union-attr]
    assert not list(root.iter(f"{SVG}b")) and not list(root.iter("b"))  # no markup came through
    bar = bars(root)[0]
    assert bar.get("data-label") == label
    tooltip = bar.find(f"{SVG}title")
    assert tooltip is not None and tooltip.text == f"{label}: 0.50"
    shown = next(t.text for t in bar.iter(f"{SVG}text") if t.get("class") == "label")
    assert shown is not None and shown.endswith("…") and label.startswith(shown[:-1])


def test_the_chart_is_an_image_named_and_described_for_screen_readers() -> None:
    root = parse(bar_chart("contains", [Bar("base", 0.5), Bar("terse", None)], chart_id="c7"))
    assert root.get("role") == "img"
    named = (root.get("aria-labelledby") or "").split()
    ids = {el.get("id"): el.text for el in root.iter() if el.get("id")}
    assert named == ["c7-title", "c7-desc"] and set(named) <= set(ids)
    assert ids["c7-desc"] == "base: 0.50; terse: no score"


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]),
        (0.0, 37.0, [0.0, 10.0, 20.0, 30.0, 40.0]),
        (-0.2, 1.0, [-0.5, 0.0, 0.5, 1.0]),
        (0.0, 1.3, [0.0, 0.5, 1.0, 1.5]),
        (2.0, 2.0, [2.0]),
    ],
)
def test_ticks_are_round_and_cover_the_range(low: float, high: float, expected: list[float]) -> None:
    assert nice_ticks(low, high) == pytest.approx(expected)
