"""`remi_web.evals`: capture a session, replay it under variants, score the runs, compare.

```python
from remi_web.evals import Contains, EvalCase, EvalRunner, Variant, evaluate, render_table

cases = [EvalCase.user("sum", "what is 2+3*4", expected="14")]
variants = [Variant.baseline(), Variant("terse", system="Answer with the number only.")]
result = await evaluate(EvalRunner(agent), cases, variants, [Contains()], repeats=3)
print(render_table(result.report))
```

Thread-free and socket-free: the whole library runs in the page (Pyodide) as natively;
only YAML files need PyYAML (JSONL and JSON are read everywhere).
"""

from .capture import SessionCapture
from .dataset import EvalCase, case_from_record, dump_jsonl, load_dataset, parse_dataset
from .errors import (
    CaptureError,
    DatasetError,
    EvalError,
    InvalidStartMessage,
    InvalidVariant,
    JudgeError,
    MissingStartRequest,
    ScorerSpecError,
)
from .evaluate import EvalResult, evaluate
from .html_report import render_html
from .interrupt_policy import InterruptAnswerer, InterruptPolicy
from .judge import LLMJudge, Verdict, parse_verdict
from .replay import replay_messages, replay_request, replay_tools
from .report import EvalReport, ScoreSummary, VariantSummary, build_report
from .run_result import (
    InterruptRecord,
    RunEnd,
    RunError,
    RunResult,
    ToolCallRecord,
    ToolResultRecord,
)
from .runner import AgentFactory, EvalRunner, ToolAnswerer
from .scorer import FunctionScorer, Score, Scorer, scorer
from .scorer_specs import scorer_from_spec
from .scorers_budget import LatencyBudget, UsageBudget
from .scorers_match import Contains, ExactMatch, RegexMatch
from .scorers_output import JsonSchemaValid, PydanticValid
from .scorers_tools import ToolCalled
from .scoring import ScoredRun, score_run, score_runs
from .stats import Interval, mean, sample_stdev, t_interval
from .student_t import t_cdf, t_quantile
from .table import render_table
from .variant import ToolMode, Variant
from .variants_file import load_variants, parse_variants

__all__ = [
    "AgentFactory", "CaptureError", "Contains", "DatasetError", "EvalCase", "EvalError",
    "EvalReport", "EvalResult", "EvalRunner", "ExactMatch", "FunctionScorer",
    "InterruptAnswerer", "InterruptPolicy", "InterruptRecord", "Interval", "InvalidStartMessage",
    "InvalidVariant", "JsonSchemaValid", "JudgeError", "LLMJudge", "LatencyBudget",
    "MissingStartRequest", "PydanticValid", "RegexMatch", "RunEnd", "RunError", "RunResult",
    "Score", "ScoreSummary", "ScoredRun", "Scorer", "ScorerSpecError", "SessionCapture",
    "ToolAnswerer", "ToolCallRecord", "ToolCalled", "ToolMode", "ToolResultRecord",
    "UsageBudget", "Variant", "VariantSummary", "Verdict", "build_report", "case_from_record",
    "dump_jsonl", "evaluate", "load_dataset", "load_variants", "mean", "parse_dataset",
    "parse_variants", "parse_verdict", "render_html", "render_table", "replay_messages",
    "replay_request", "replay_tools", "sample_stdev", "score_run", "score_runs", "scorer",
    "scorer_from_spec", "t_cdf", "t_interval", "t_quantile",
]
