"""Built-in scorers from JSON specs (a dataset case's `scorers`, a config file):

```json
{"type": "contains", "expected": ["14"], "ignore_case": true}
{"type": "tool_called", "tool": "calculator", "args": {"expression": "2+3*4"}}
```

Types: `exact`, `contains`, `regex`, `json_schema`, `tool_called`, `latency`, `usage`; the
other keys are the scorer's arguments (see each class). The LLM judge and pydantic validity
need Python objects (a model, a type): give those to the scoring in code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.schema_types import JsonValue
from .errors import ScorerSpecError
from .scorer import Scorer
from .scorers_budget import LatencyBudget, UsageBudget
from .scorers_match import Contains, ExactMatch, RegexMatch
from .scorers_output import JsonSchemaValid
from .scorers_tools import ToolCalled

SCORER_TYPES: dict[str, tuple[type[Any], frozenset[str], frozenset[str]]] = {
    # type: (class, required keys, optional keys)
    "exact": (ExactMatch, frozenset(), frozenset({"expected", "name", "ignore_case", "strip"})),
    "contains": (Contains, frozenset(), frozenset({"expected", "name", "ignore_case"})),
    "regex": (RegexMatch, frozenset(), frozenset({"pattern", "name", "ignore_case"})),
    "json_schema": (JsonSchemaValid, frozenset({"schema"}), frozenset({"name"})),
    "tool_called": (
        ToolCalled, frozenset({"tool"}), frozenset({"args", "min_times", "max_times", "name"})
    ),
    "latency": (LatencyBudget, frozenset(), frozenset({"max_seconds", "max_ttft", "name"})),
    "usage": (
        UsageBudget, frozenset(),
        frozenset({"max_total_tokens", "max_prompt_tokens", "max_completion_tokens", "name"}),
    ),
}
"""The built-in scorers a spec can name."""


def scorer_from_spec(spec: Mapping[str, JsonValue]) -> Scorer:
    """The built-in scorer `spec` describes (`ScorerSpecError` if it describes none)."""
    kind = spec.get("type")
    known = SCORER_TYPES.get(kind) if isinstance(kind, str) else None
    if known is None:
        raise ScorerSpecError(
            f"Scorer spec {dict(spec)!r}: `type` must be one of {', '.join(SCORER_TYPES)}."
        )
    cls, required, optional = known
    given = {key: value for key, value in spec.items() if key != "type"}
    missing = sorted(required - given.keys())
    unknown = sorted(given.keys() - required - optional)
    if missing or unknown:
        problems = [f"missing {', '.join(missing)}"] if missing else []
        problems += [f"unknown {', '.join(unknown)}"] if unknown else []
        takes = ", ".join(sorted(required | optional))
        raise ScorerSpecError(
            f"Scorer spec of type {kind!r}: {'; '.join(problems)} (it takes {takes})."
        )
    try:
        made: Scorer = cls(**given)
    except (TypeError, ValueError) as error:
        raise ScorerSpecError(f"Scorer spec of type {kind!r}: {error}") from None
    return made
