"""`remi eval DATASET --agent module:agent [--variants FILE]`: run a dataset under variants,
print the comparison table, and write `report.json` and `report.html`.

A progress bar goes to stderr, the table to stdout, the reports to `--out` (`eval-out/`).
Scores are reported, not judged: the exit code is 0 once the runs are done (failed runs
included), 1 when a `--fail-under` threshold is missed, 2 for unusable input (a dataset,
variants file, agent or option; one line on stderr), 130 after Ctrl+C (the runs in flight
are cancelled, and what finished is reported and written).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..core.cancel import CancellationToken
from ..core.errors import RemiError
from ..evals.dataset import EvalCase, load_dataset
from ..evals.errors import DatasetError
from ..evals.evaluate import EvalResult, evaluate
from ..evals.html_report import render_html
from ..evals.runner import EvalRunner
from ..evals.scorer import Scorer
from ..evals.scoring import case_scorers
from ..evals.table import render_table
from ..evals.variant import Variant
from ..evals.variants_file import load_variants
from .eval_inputs import (
    EvalInputError,
    Threshold,
    approval_policy,
    eval_agent,
    parse_scorers,
    parse_thresholds,
)
from .eval_progress import ProgressBar

DONE, BELOW_THRESHOLD, USAGE, INTERRUPTED = 0, 1, 2, 130
DEFAULT_OUT = "eval-out"


def parser() -> argparse.ArgumentParser:
    """The options of `remi eval`."""
    cli = argparse.ArgumentParser(
        prog="remi eval",
        description=(
            "Run a dataset of cases under variants, print the comparison table, and write "
            "report.json and report.html. Scores are reported, not judged (exit 0), unless "
            "--fail-under says otherwise."
        ),
    )
    cli.add_argument("dataset", help="the cases: a .jsonl, .json, .yaml or .yml file")
    cli.add_argument(
        "--agent", metavar="MODULE:ATTRIBUTE",
        help="the agent (an agent, a builder, or a function (store) -> agent); default: the "
        "demo agent of `remi chat` on the configured model (OPENAI_BASE_URL, else the mock)",
    )
    cli.add_argument(
        "--variants", metavar="FILE",
        help="the variants to compare (.yaml, .yml, .json, .jsonl); default: the baseline only",
    )
    cli.add_argument(
        "--scorer", action="append", default=[], metavar="SPEC",
        help="a scorer (repeat): a built-in (contains, exact, regex, json_schema, tool_called, "
        'latency, usage), a JSON spec like \'{"type": "usage", "max_total_tokens": 500}\', or '
        "MODULE:ATTRIBUTE naming scorers; default: contains. Cases' own specs apply too",
    )
    cli.add_argument("--repeats", type=int, default=1, help="passes over the dataset (default 1)")
    cli.add_argument("--concurrency", type=int, default=4, help="runs at once (default 4)")
    cli.add_argument("--timeout", type=float, default=None, help="seconds one run may take")
    cli.add_argument(
        "--approve", action="append", default=[], metavar="TOOL",
        help="approve the interrupts of TOOL without asking (repeat; * for every tool); "
        "otherwise a run that asks ends `interrupted`",
    )
    cli.add_argument("--model", help="the model name for an agent that leaves it to the command")
    cli.add_argument(
        "--confidence", type=float, default=0.95, help="the intervals' level (default 0.95)"
    )
    cli.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR",
        help=f"where report.json and report.html go (default {DEFAULT_OUT}/)",
    )
    cli.add_argument(
        "--fail-under", action="append", default=[], metavar="SCORER=VALUE",
        help="exit 1 when a variant's mean of SCORER (or overall) is below VALUE (repeat)",
    )
    return cli


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything an evaluation needs, read and checked before the first run."""

    dataset: Path
    cases: list[EvalCase]
    variants: list[Variant]
    scorers: list[Scorer]
    runner: EvalRunner
    about: str
    out: Path
    thresholds: list[Threshold]
    repeats: int
    confidence: float


def main(argv: Sequence[str] | None = None) -> int:
    """Run `remi eval`; the exit code."""
    try:
        args = parser().parse_args(list(argv) if argv is not None else None)
    except SystemExit as exit_:
        return USAGE if exit_.code else DONE
    try:
        plan = prepare(args)
    except RemiError as error:
        print(f"remi eval: {error}", file=sys.stderr)
        return USAGE
    print(
        f"remi eval: {len(plan.cases)} case(s) x {len(plan.variants)} variant(s) x "
        f"{plan.repeats} repeat(s) on {plan.about}",
        file=sys.stderr,
    )
    try:
        result, interrupted = asyncio.run(run(plan))
    except KeyboardInterrupt:  # a second Ctrl+C: stop at once, write nothing
        print("\nremi eval: stopped", file=sys.stderr)
        return INTERRUPTED
    print(render_table(result.report))
    written = write_reports(plan, result)
    print(f"remi eval: wrote {', '.join(str(path) for path in written)}", file=sys.stderr)
    _note_failures(result)
    if interrupted:
        print("remi eval: interrupted; the runs not finished are recorded as cancelled",
              file=sys.stderr)
        return INTERRUPTED
    missed = missed_thresholds(result, plan.thresholds)
    for line in missed:
        print(f"remi eval: {line}", file=sys.stderr)
    return BELOW_THRESHOLD if missed else DONE


def prepare(args: argparse.Namespace) -> Plan:
    """Read the dataset, variants, scorers and agent, and make the output folder: every
    input problem surfaces here, before any run."""
    dataset = Path(args.dataset)
    if not dataset.is_file():
        raise DatasetError(f"no dataset at {dataset}")
    cases = load_dataset(dataset)
    if not cases:
        raise DatasetError(f"{dataset.name} has no cases")
    for case in cases:
        case_scorers(case)  # a bad spec of a case fails now, not after the runs
    variants = load_variants(args.variants) if args.variants else [Variant.baseline()]
    scorers = parse_scorers(args.scorer)
    thresholds = parse_thresholds(args.fail_under)
    if args.repeats < 1:
        raise EvalInputError(f"--repeats must be 1 or more, not {args.repeats}")
    if not 0.0 < args.confidence < 1.0:
        raise EvalInputError(
            f"--confidence is between 0 and 1 (e.g. 0.95), not {args.confidence}"
        )
    agent, about = eval_agent(args.agent, args.model)
    runner = EvalRunner(
        agent, concurrency=args.concurrency, timeout=args.timeout,
        interrupts=approval_policy(args.approve),
    )
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EvalInputError(f"--out {out}: {error.strerror or error}") from None
    return Plan(
        dataset, cases, variants, scorers, runner, about, out, thresholds, args.repeats,
        args.confidence,
    )


async def run(plan: Plan) -> tuple[EvalResult, bool]:
    """Run and score the evaluation with a progress bar; a first Ctrl+C cancels the runs in
    flight (what finished is kept), a second one stops at once. The result, and whether it
    was interrupted."""
    token = CancellationToken()
    loop = asyncio.get_running_loop()

    def interrupt() -> None:
        token.cancel()
        loop.remove_signal_handler(signal.SIGINT)  # the next Ctrl+C raises KeyboardInterrupt

    try:
        loop.add_signal_handler(signal.SIGINT, interrupt)
    except (NotImplementedError, RuntimeError):  # no signal handlers here (Windows)
        pass
    total = len(plan.cases) * len(plan.variants) * plan.repeats
    progress = ProgressBar(total, sys.stderr)
    progress.start()
    started = time.time()
    try:
        result = await evaluate(
            plan.runner, plan.cases, plan.variants, plan.scorers, repeats=plan.repeats,
            confidence=plan.confidence, cancel=token, on_result=progress.advance,
        )
    finally:
        progress.finish()
        try:
            loop.remove_signal_handler(signal.SIGINT)
        except (NotImplementedError, RuntimeError):
            pass
        await _close(plan.runner.agent)
    metadata: dict[str, Any] = {
        "dataset": str(plan.dataset),
        "agent": plan.about,
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
        "seconds": round(time.time() - started, 3),
    }
    report = replace(result.report, metadata={**result.report.metadata, **metadata})
    return EvalResult(result.runs, report), token.cancelled


def write_reports(plan: Plan, result: EvalResult) -> list[Path]:
    """Write `report.json` (the report, every scored run, the variants) and `report.html`;
    their paths."""
    data = {**result.to_dict(), "variants": [variant.to_dict() for variant in plan.variants]}
    json_path = plan.out / "report.json"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path = plan.out / "report.html"
    title = f"Evaluation of {plan.dataset.name}"
    html_path.write_text(render_html(result, title=title, variants=plan.variants), encoding="utf-8")
    return [json_path, html_path]


def missed_thresholds(result: EvalResult, thresholds: Sequence[Threshold]) -> list[str]:
    """A line per variant and `--fail-under` threshold it misses (a score name the report
    does not have is missed too: a typo must not pass)."""
    lines = []
    report = result.report
    for threshold in thresholds:
        for variant in report.variants:
            cell = report.cell(variant.variant_id, threshold.scorer)
            mean = cell.mean if cell is not None else None
            if mean is None:
                lines.append(
                    f"{variant.label}: no {threshold.scorer!r} score (the scores are "
                    f"{', '.join([*report.scorers, 'overall'])})"
                )
            elif mean < threshold.value:
                lines.append(
                    f"{variant.label}: {threshold.scorer} {mean:.3f} is below {threshold.value:g}"
                )
    return lines


def _note_failures(result: EvalResult) -> None:
    """Say on stderr why runs failed: how many per variant, and the first failure."""
    failed = Counter(item.run.variant_id for item in result.runs if item.run.end == "error")
    said: set[str] = set()
    for item in result.runs:
        run = item.run
        if run.end == "error" and run.error is not None and run.variant_id not in said:
            said.add(run.variant_id)
            print(
                f"remi eval: {run.variant_label}: {failed[run.variant_id]} run(s) failed; "
                f"first, case {run.case_id!r}: {run.error.message}",
                file=sys.stderr,
            )


async def _close(agent: object) -> None:
    closer = getattr(agent, "aclose", None)
    if callable(closer):
        await closer()

