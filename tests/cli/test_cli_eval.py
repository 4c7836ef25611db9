"""`remi eval` end to end, as a subprocess, on a 10-case dataset with two variants against the
mock model served over real HTTP (`remi mock-llm`, another subprocess): the progress bar,
the comparison table, report.json (per-variant means) and a self-contained report.html with a
chart per scorer and escaped model text; one-line errors (exit 2) for bad inputs; failed runs
reported (exit 0); `--fail-under`; Ctrl+C writes what finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from helpers import free_port, wait_for_port

AGENT_MODULE = '''
import os

from remi_web import AgentBuilder, OpenAIModel, tool
from remi_web.model.retry import RetryPolicy


@tool
def calculator(expression: str) -> str:
    """Evaluate arithmetic.

    Args:
        expression: e.g. "2 + 3".
    """
    assert set(expression) <= set("0123456789+-*/(). ")
    return str(eval(expression))


model = OpenAIModel(
    "mock", base_url=os.environ["EVAL_MOCK_URL"], api_key="k", retry=RetryPolicy(max_retries=0)
)
agent = AgentBuilder().model(model).tools(calculator).build()
'''

ATTACK = "<script>document.title = 'pwned'</script>"
CASES: list[dict[str, Any]] = [
    {"id": "sum", "input": "what is 2+3*4", "expected": "14",
     "scorers": [{"type": "tool_called", "tool": "calculator"}]},
    {"id": "division", "input": "what is 10/4", "expected": "2.5"},
    {"id": "difference", "input": "what is 100-58", "expected": "42"},
    {"id": "product", "input": "what is 6*7", "expected": "42"},
    {"id": "count", "input": "count to 4", "expected": "1 2 3 4"},
    {"id": "echo", "input": "hello there", "expected": "hello there"},
    {"id": "markup", "input": ATTACK, "expected": "You said"},
    {"id": "memory", "input": {"message": "what did I say first?",
                               "history": [{"role": "user", "content": "remember kiwi"},
                                           {"role": "assistant", "content": "ok"}]},
     "expected": "remember kiwi"},
    {"id": "capital", "input": "what is the capital of France?", "expected": "Paris"},
    {"id": "greeting", "input": "hi", "expected": ["hi", "hello"]},
]
"""The mock answers 9 of them (the capital it cannot know); `greeting` expects two texts and
the echo has only one of them."""

VERBOSE = (
    "You are an extremely thorough assistant. Think about every question with great care, "
    "explain each of your steps, consider the alternatives, and check your arithmetic twice "
    "before you give the user your final answer."
)
VARIANTS = [{"id": "baseline", "label": "Baseline"},
            {"id": "verbose", "label": "Verbose prompt", "system": VERBOSE}]
USAGE = '{"type": "usage", "max_prompt_tokens": 25}'
"""Passes the baseline's prompts (a few short messages) and fails the verbose prompt's."""


def serve_mock(*args: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "remi_web.cli.main", "mock-llm", "--port", str(port), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    """`remi mock-llm` on a loopback port, unpaced."""
    yield from serve_mock()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder with the agent module, the dataset and the variants file."""
    (tmp_path / "eval_agent.py").write_text(AGENT_MODULE)
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CASES))
    (tmp_path / "variants.jsonl").write_text("".join(json.dumps(v) + "\n" for v in VARIANTS))
    return tmp_path


def remi_eval(work: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EVAL_MOCK_URL": url, "PYTHONPATH": str(work), "OPENAI_BASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "remi_web.cli.main", "eval", *args],
        capture_output=True, text=True, env=env, cwd=work, timeout=240,
    )


class Html(HTMLParser):
    """The report as a browser reads it: elements with attributes, and the runs' answers."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.answers: list[str] = []
        self._in_answer = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_answer = tag == "td" and dict(attrs).get("class") == "answer"
        if self._in_answer:
            self.answers.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_answer = False

    def handle_data(self, data: str) -> None:
        if self._in_answer:
            self.answers[-1] += data


def test_ten_cases_two_variants_table_json_and_html(work: Path, mock_url: str) -> None:
    done = remi_eval(
        work, mock_url, "cases.jsonl", "--agent", "eval_agent:agent", "--variants",
        "variants.jsonl", "--repeats", "2", "--scorer", "contains", "--scorer", USAGE,
        "--out", "reports",
    )
    assert done.returncode == 0, done.stderr

    # progress on stderr, a line per tenth of the 40 runs when it is not a terminal
    progress = [line for line in done.stderr.splitlines() if line.startswith("eval [")]
    assert progress[0].endswith("] 0/40 runs") and progress[-1].endswith("] 40/40 runs")
    assert len(progress) == 11
    assert "eval [" not in done.stdout

    # the table on stdout: a row per variant, a column per score
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "variant", "runs", "done", "errors", "latency", "contains", "usage", "tool:calculator",
        "overall",
    ]
    rows = {line[:14].strip(): line[14:].split() for line in lines[2:4]}
    assert rows["Baseline"][:3] == ["20", "20", "0"] and rows["Verbose prompt"][:3] == ["20", "20", "0"]
    assert rows["Baseline"][4:8:2] == ["0.85", "1.00"]  # contains, usage
    assert rows["Verbose prompt"][4:8:2] == ["0.85", "0.00"]
    assert lines[-1] == "± is half the 95% t-interval over 2 repeats of 10 case(s)."

    # report.json: the report, every scored run, the variants
    data = json.loads((work / "reports" / "report.json").read_text())
    report = data["report"]
    assert report["cases"] == 10 and report["repeats"] == 2
    means = {(c["variant_id"], c["scorer"]): c["mean"] for c in report["scores"]}
    assert means == pytest.approx({
        ("baseline", "contains"): 0.85, ("verbose", "contains"): 0.85,
        ("baseline", "usage"): 1.0, ("verbose", "usage"): 0.0,
        ("baseline", "tool:calculator"): 1.0, ("verbose", "tool:calculator"): 1.0,
    })
    assert len(data["runs"]) == 40
    assert {r["run"]["end"] for r in data["runs"]} == {"done"}
    by_case = {r["run"]["case_id"]: r for r in data["runs"] if r["run"]["variant_id"] == "verbose"}
    assert by_case["sum"]["run"]["final_text"] == "2+3*4 = 14."
    assert by_case["memory"]["run"]["final_text"] == "You first said: remember kiwi"
    assert by_case["greeting"]["scores"][0]["value"] == 0.5  # "hi", not "hello"
    assert [v["system"] for v in data["variants"]] == [None, VERBOSE]
    assert report["metadata"]["agent"] == "agent eval_agent:agent"

    # report.html: self-contained, a chart per scorer, the model's markup as text
    html = (work / "reports" / "report.html").read_text()
    page = Html()
    page.feed(html)
    figures = [a.get("data-scorer") for tag, a in page.elements if tag == "figure"]
    assert figures == ["contains", "usage", "tool:calculator", "overall"]
    assert sum(1 for tag, _ in page.elements if tag == "svg") == 4
    assert [a for tag, a in page.elements if tag == "script"] == [
        {"type": "application/json", "id": "eval-data"}
    ]
    assert not [a for _, attrs in page.elements for a in attrs if a in ("src", "href")]
    assert page.answers.count(f"You said: {ATTACK}") == 4
    assert ATTACK not in html


def test_runs_that_fail_are_reported_and_the_command_still_succeeds(work: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    done = remi_eval(work, dead, "cases.jsonl", "--agent", "eval_agent:agent", "--out", "out")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].split()[:4] == ["Baseline", "10", "0", "10"]
    assert "remi eval: Baseline: 10 run(s) failed; first, case 'sum':" in done.stderr
    data = json.loads((work / "out" / "report.json").read_text())
    assert {r["run"]["end"] for r in data["runs"]} == {"error"}


def test_fail_under_judges_each_variant(work: Path, mock_url: str) -> None:
    common = ("cases.jsonl", "--agent", "eval_agent:agent", "--variants", "variants.jsonl",
              "--scorer", "contains", "--scorer", USAGE)
    passed = remi_eval(work, mock_url, *common, "--fail-under", "contains=0.8")
    assert passed.returncode == 0, passed.stderr
    missed = remi_eval(work, mock_url, *common, "--fail-under", "usage=0.5",
                       "--fail-under", "contians=0.1")
    assert missed.returncode == 1
    judged = [line for line in missed.stderr.splitlines() if "below" in line or "no 'contians'" in line]
    assert judged == [
        "remi eval: Verbose prompt: usage 0.000 is below 0.5",
        "remi eval: Baseline: no 'contians' score (the scores are contains, usage, "
        "tool:calculator, overall)",
        "remi eval: Verbose prompt: no 'contians' score (the scores are contains, usage, "
        "tool:calculator, overall)",
    ]
    assert (work / "eval-out" / "report.html").is_file()  # written before judging


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing.jsonl",), "no dataset at missing.jsonl"),
        (("cases.jsonl", "--agent", "no_such_module_xyz:agent"), "cannot import 'no_such_module_xyz'"),
        (("cases.jsonl", "--agent", "eval_agent:nothing"), "no attribute 'nothing'"),
        (("cases.jsonl", "--agent", "eval_agent"), "expected MODULE:ATTRIBUTE"),
        (("cases.jsonl", "--variants", "bad_variants.jsonl"), "bad_variants.jsonl: Variant 2"),
        (("cases.jsonl", "--variants", "missing.yaml"), "Cannot read missing.yaml"),
        (("broken.jsonl",), "broken.jsonl (line 2): Line 2 is not JSON"),
        (("bad_spec.jsonl",), "Case 'x': Scorer spec of type 'regex'"),
        (("cases.jsonl", "--scorer", "nope"), "--scorer 'nope': give a built-in"),
        (("cases.jsonl", "--fail-under", "contains"), "write SCORER=VALUE"),
        (("cases.jsonl", "--concurrency", "0"), "concurrency must be 1 or more"),
        (("cases.jsonl", "--repeats", "0"), "--repeats must be 1 or more"),
        (("cases.jsonl", "--out", "cases.jsonl/x"), "--out cases.jsonl/x"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(work: Path, mock_url: str, args: tuple[str, ...], message: str) -> None:
    (work / "bad_variants.jsonl").write_text('{"id": "a"}\n{"id": "b", "tool_mode": "merge"}\n')
    (work / "broken.jsonl").write_text('{"input": "hi"}\n{"input": \n')
    (work / "bad_spec.jsonl").write_text('{"id": "x", "input": "hi", "scorers": [{"type": "regex", "patern": "h"}]}\n')
    done = remi_eval(work, mock_url, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("remi eval: "), done.stderr
    assert message in lines[0]
    assert not (work / "eval-out" / "report.json").exists()  # nothing ran


def test_ctrl_c_cancels_the_runs_and_writes_what_finished(work: Path) -> None:
    slow = serve_mock("--tps", "5")  # a 40-number count takes seconds at this pace
    url = next(slow)
    try:
        (work / "slow.jsonl").write_text(
            "".join(json.dumps({"id": f"c{i}", "input": "count to 40"}) + "\n" for i in range(4))
        )
        env = {**os.environ, "EVAL_MOCK_URL": url, "PYTHONPATH": str(work)}
        process = subprocess.Popen(
            [sys.executable, "-m", "remi_web.cli.main", "eval", "slow.jsonl", "--agent",
             "eval_agent:agent", "--concurrency", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=work,
        )
        assert process.stderr is not None
        for line in process.stderr:  # the empty bar: the handler is set, runs are starting
            if line.startswith("eval ["):
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        slow.close()
    assert process.returncode == 130, err
    assert "interrupted; the runs not finished are recorded as cancelled" in err
    data = json.loads((work / "eval-out" / "report.json").read_text())
    assert [r["run"]["end"] for r in data["runs"]] == ["cancelled"] * 4
    assert out.splitlines()[0].startswith("variant")


def test_the_demo_agent_by_default_and_approvals_by_policy(tmp_path: Path) -> None:
    note = {"id": "note", "input": 'call save_note with {"text": "milk"}', "expected": "milk"}
    (tmp_path / "notes.jsonl").write_text(json.dumps(note) + "\n")

    def run(*args: str) -> dict[str, Any]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}  # the mock, in process
        done = subprocess.run(
            [sys.executable, "-m", "remi_web.cli.main", "eval", "notes.jsonl", *args],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "on the demo agent on the built-in mock model" in done.stderr
        data: dict[str, Any] = json.loads((tmp_path / "eval-out" / "report.json").read_text())
        return data["runs"][0]

    waiting = run()
    assert waiting["run"]["end"] == "interrupted"
    assert [i["tool_name"] for i in waiting["run"]["pending_interrupts"]] == ["save_note"]
    approved = run("--approve", "save_note")
    assert approved["run"]["end"] == "done"
    assert [(i["tool_name"], i["decision"]) for i in approved["run"]["interrupts"]] == [("save_note", "approve")]
    assert approved["scores"][0]["value"] == 1.0


def test_scorers_from_a_module_and_their_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from remi_web.cli.eval_inputs import EvalInputError, parse_scorers

    (tmp_path / "my_scorers.py").write_text(
        "from remi_web.evals import Contains, scorer\n"
        "@scorer('short')\n"
        "def short(case, run):\n"
        "    return len(run.final_text) < 20\n"
        "ALL = [short, Contains(name='has')]\n"
        "NOT_A_SCORER = 42\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert [s.name for s in parse_scorers([])] == ["contains"]
    assert [s.name for s in parse_scorers(["my_scorers:short", "my_scorers:ALL", "exact"])] == [
        "short", "short", "has", "exact"
    ]
    assert [s.name for s in parse_scorers(['{"type": "regex", "pattern": "\\\\d"}'])] == ["regex"]
    for spec, message in [
        ("my_scorers:NOT_A_SCORER", "int is not a scorer"),
        ("my_scorers:missing", "AttributeError"),
        ("{not json", "is not JSON"),
        ('{"type": "regex", "patern": "x"}', "unknown patern"),
    ]:
        with pytest.raises(EvalInputError, match=message):
            parse_scorers([spec])


def test_the_progress_bar_redraws_on_a_terminal_and_logs_tenths_otherwise() -> None:
    import io

    from remi_web.cli.eval_progress import ProgressBar
    from remi_web.evals import RunResult

    def finish(bar: ProgressBar, ends: list[str]) -> None:
        bar.start()
        for end in ends:
            bar.advance(RunResult("c", "v", "V", 0, end))  # type: ignore[arg-type]
        bar.finish()

    live = io.StringIO()
    finish(ProgressBar(4, live, live=True), ["done", "error", "done", "cancelled"])
    frames = live.getvalue().split("\r")[1:]
    assert len(frames) == 5 and frames[0] == "eval [" + "." * 30 + "] 0/4 runs"
    assert frames[-1] == "eval [" + "#" * 30 + "] 4/4 runs, 1 cancelled, 1 error\n"

    log = io.StringIO()
    finish(ProgressBar(100, log, live=False), ["done"] * 100)
    lines = log.getvalue().splitlines()
    assert [line.split("] ")[1] for line in lines] == [f"{n}/100 runs" for n in range(0, 101, 10)]
