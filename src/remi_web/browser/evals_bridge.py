"""The worker side of the web app's eval tab: the `eval` command runs a small dataset under
variants against the page's agent with the same `EvalRunner` as `remi eval`, and posts its
progress and result.

The command: `{"op": "eval", "dataset": TEXT, "variants": TEXT or [objects], "scorers":
["contains", {"type": ...}], "repeats": 1, "concurrency": 4, "timeout": 120, "settings": ...}`
(the dataset and variants are JSONL text, or JSON text starting with `[`). Posted back, in
order: `{"kind": "eval_started", "total", "cases", "variants": [{"id", "label"}]}`, one
`{"kind": "eval_progress", "done", "total", "case_id", "variant_id", "end"}` per finished run,
then `{"kind": "eval_result", "report", "runs", "variants", "table", "html"}` (the report as
`remi eval` writes it, the text table, the self-contained HTML report) or `{"kind":
"eval_error", "message"}` for a command that cannot run. Pure Python, no threads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..core.cancel import CancellationToken
from ..core.errors import RemiError
from ..evals.dataset import EvalCase, parse_dataset
from ..evals.documents import Format
from ..evals.evaluate import EvalResult, evaluate
from ..evals.html_report import render_html
from ..evals.run_result import RunResult
from ..evals.runner import EvalAgent, EvalRunner
from ..evals.scorer import Scorer
from ..evals.scorer_specs import scorer_from_spec
from ..evals.scoring import case_scorers
from ..evals.table import render_table
from ..evals.variant import Variant
from ..evals.variants_file import parse_variants

EVAL_OP = "eval"
MAX_RUNS = 500
"""A page evaluation is small: more runs than this are refused (use `remi eval`)."""
DEFAULT_TIMEOUT = 120.0
"""Seconds one run may take in the page unless the command says otherwise."""


class PageEvalError(RemiError):
    """An `eval` command the worker cannot run (the message says what to fix)."""

    code = "bad_eval_command"


@dataclass(frozen=True, slots=True)
class PageEval:
    """An `eval` command, read and checked.

    Args:
        cases: the dataset.
        variants: the variants (the baseline alone when the command names none).
        scorers: the scorers of every run (the cases' own specs apply too).
        repeats: passes over the dataset.
        concurrency: runs at once.
        timeout: seconds one run may take.
    """

    cases: list[EvalCase]
    variants: list[Variant]
    scorers: list[Scorer]
    repeats: int = 1
    concurrency: int = 4
    timeout: float = DEFAULT_TIMEOUT

    @property
    def total(self) -> int:
        """The runs the evaluation makes."""
        return len(self.cases) * len(self.variants) * self.repeats


def read_eval_command(command: Mapping[str, Any]) -> PageEval:
    """The evaluation an `eval` command asks for (`PageEvalError`, or the library's
    `DatasetError` naming the line, when it is malformed)."""
    dataset = command.get("dataset")
    if not isinstance(dataset, str) or not dataset.strip():
        raise PageEvalError("`eval` needs `dataset`: JSONL text, one case per line")
    cases = parse_dataset(dataset, _format_of(dataset))
    if not cases:
        raise PageEvalError("the dataset has no cases")
    for case in cases:
        case_scorers(case)  # a bad spec of a case fails now, not after the runs
    evaluation = PageEval(
        cases,
        _variants(command.get("variants")),
        _scorers(command.get("scorers")),
        _whole(command, "repeats", 1),
        _whole(command, "concurrency", 4),
        _seconds(command.get("timeout", DEFAULT_TIMEOUT)),
    )
    if evaluation.total > MAX_RUNS:
        raise PageEvalError(
            f"{evaluation.total} runs is more than the page runs ({MAX_RUNS}); use `remi eval`"
        )
    return evaluation


async def run_page_eval(
    command: Mapping[str, Any],
    make_agent: Callable[[], EvalAgent],
    post: Callable[[str], None],
    cancel: CancellationToken | None = None,
    *,
    metadata: Mapping[str, Any] | None = None,
) -> EvalResult | None:
    """Carry out one `eval` command: post its progress and result (see the module's
    docstring); the result, or None when the command could not run (`eval_error` posted).

    Args:
        command: the page's command.
        make_agent: makes the agent to evaluate (called once, after the command is read).
        post: sends one JSON text to the page.
        cancel: cancelling it cancels the runs in flight and skips the rest.
        metadata: shown in the report (e.g. the model the page uses).
    """
    try:
        evaluation = read_eval_command(command)
        agent = make_agent()
        runner = EvalRunner(agent, concurrency=evaluation.concurrency, timeout=evaluation.timeout)
    except RemiError as error:
        post(json.dumps({"kind": "eval_error", "message": str(error)}))
        return None
    post(json.dumps({
        "kind": "eval_started",
        "total": evaluation.total,
        "cases": len(evaluation.cases),
        "variants": [{"id": v.id, "label": v.label} for v in evaluation.variants],
    }))
    done = 0

    def progress(run: RunResult) -> None:
        nonlocal done
        done += 1
        post(json.dumps({
            "kind": "eval_progress", "done": done, "total": evaluation.total,
            "case_id": run.case_id, "variant_id": run.variant_id, "end": run.end,
        }))

    try:
        result = await evaluate(
            runner, evaluation.cases, evaluation.variants, evaluation.scorers,
            repeats=evaluation.repeats, cancel=cancel, on_result=progress,
        )
    finally:
        closer = getattr(agent, "aclose", None)  # a remote agent's client
        if callable(closer):
            await closer()
    report = replace(result.report, metadata={**result.report.metadata, **(metadata or {})})
    result = EvalResult(result.runs, report)
    post(json.dumps({
        "kind": "eval_result",
        **result.to_dict(),
        "variants": [variant.to_dict() for variant in evaluation.variants],
        "table": render_table(report),
        "html": render_html(result, title="Evaluation in the page", variants=evaluation.variants),
    }))
    return result


def _format_of(text: str) -> Format:
    """JSON for one document (a list, or an object over several lines), else JSONL."""
    stripped = text.strip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{") and "\n" in stripped:
        try:
            json.loads(stripped)
        except ValueError:
            return "jsonl"  # JSONL, or broken: its errors then name the line
        return "json"
    return "jsonl"


def _variants(raw: object) -> list[Variant]:
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return [Variant.baseline()]
    if isinstance(raw, str):
        return parse_variants(raw, _format_of(raw))
    if isinstance(raw, list):
        return parse_variants(json.dumps(raw), "json")
    raise PageEvalError("`variants` is JSONL text, or a list of variant objects")


def _scorers(raw: object) -> list[Scorer]:
    specs = ["contains"] if raw is None else raw
    if not isinstance(specs, list) or not specs:
        raise PageEvalError('`scorers` is a list of built-in names or specs, e.g. ["contains"]')
    scorers = []
    for spec in specs:
        if isinstance(spec, str):
            scorers.append(scorer_from_spec({"type": spec.strip()}))
        elif isinstance(spec, dict):
            scorers.append(scorer_from_spec(spec))
        else:
            raise PageEvalError(f"a scorer is a built-in name or a spec object, not {spec!r}")
    return scorers


def _whole(command: Mapping[str, Any], name: str, default: int) -> int:
    value = command.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PageEvalError(f"`{name}` must be a whole number, 1 or more (not {value!r})")
    return value


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise PageEvalError(f"`timeout` must be a number of seconds above 0 (not {value!r})")
    return float(value)
