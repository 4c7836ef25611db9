"""Rows of the benchmark table, the printed table, and the JSON report.

Every row compares remi-web with one other thing (the floor, or a peer) on one metric.
`advantage` is how many times better remi-web is: other/remi for a cost (lower is better),
remi/other for a rate (higher is better). Above 1 remi-web is ahead; against a floor it is
below 1 by construction (it says how close to the floor remi-web gets).
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal, TypeAlias

from pydantic import JsonValue

Better: TypeAlias = Literal["lower", "higher"]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: remi-web against one comparator on one metric.

    Args:
        scenario: the scenario's name (`streaming`, `seed`, `tools`, `http`, `peers`...).
        metric: what is measured, with its unit (`us/delta`, `ms/run`, `deltas/s`...).
        remi: remi-web's value (None: not measured).
        against: what remi-web is compared with (`floor`, `pydantic-ai`, ...; "" for none).
        other: the comparator's value (None: none, or not measured).
        better: whether lower or higher values are better.
        target: the target, as text ("" for none).
        met: whether remi-web meets the target (None: no target, or not measurable).
        note: why a value is missing, or what to know to read the row.
    """

    scenario: str
    metric: str
    remi: float | None
    against: str = ""
    other: float | None = None
    better: Better = "lower"
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def advantage(self) -> float | None:
        """How many times better remi-web is than the comparator (above 1: ahead)."""
        if self.remi is None or self.other is None or self.remi <= 0 or self.other <= 0:
            return None
        return self.other / self.remi if self.better == "lower" else self.remi / self.other

    def to_json(self) -> dict[str, JsonValue]:
        """The row as JSON, with its advantage."""
        data: dict[str, JsonValue] = dict(asdict(self))
        data["advantage"] = self.advantage
        return data


@dataclass(slots=True)
class Outcome:
    """What a scenario produced: table rows, and details kept only in the JSON report
    (`detail_table` is also printed, under the main table)."""

    rows: list[Row] = field(default_factory=list)
    details: dict[str, JsonValue] = field(default_factory=dict)
    detail_table: list[list[str]] = field(default_factory=list)


def fmt(value: float | None) -> str:
    """A number with about four significant digits ("-" for none)."""
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 10:
        return f"{value:.2f}"
    if magnitude >= 0.01 or value == 0:
        return f"{value:.3f}"
    return f"{value:.2e}"


def _met(row: Row) -> str:
    if row.met is None:
        return "-" if not row.target else "n/a"
    return "yes" if row.met else "NO"


HEADER = ("scenario", "metric", "remi-web", "vs", "other", "adv.", "target", "met?")


def table_lines(rows: Sequence[Row]) -> list[str]:
    """The main table as text lines (notes go in a last column when present)."""
    body = [
        (
            row.scenario,
            row.metric,
            fmt(row.remi),
            row.against or "-",
            fmt(row.other),
            "-" if row.advantage is None else f"{row.advantage:.2f}x",
            row.target or "-",
            _met(row),
            row.note,
        )
        for row in rows
    ]
    return grid([(*HEADER, "note"), *body])


def grid(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows of cells as aligned text columns (the first row is the header)."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def machine() -> dict[str, JsonValue]:
    """Where the numbers come from: CPU, cores, OS, Python, and the load right now."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "load_average": [round(x, 2) for x in load],
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(
    path: Path,
    outcomes: dict[str, Outcome],
    config: dict[str, JsonValue],
    started: dict[str, JsonValue],
) -> None:
    """Write the whole report (machine before and after, config, rows, details) to `path`."""
    report: dict[str, JsonValue] = {
        "machine": started,
        "machine_after": machine(),
        "config": config,
        "rows": [row.to_json() for outcome in outcomes.values() for row in outcome.rows],
        "details": {name: outcome.details for name, outcome in outcomes.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
