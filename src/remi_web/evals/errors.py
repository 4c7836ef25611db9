"""The errors of `remi_web.evals`: each with a stable `code` and a message that says what to do."""

from __future__ import annotations

from ..core.errors import RemiError, RequestError


class EvalError(RemiError):
    """Base of the errors an evaluation raises on purpose."""

    code = "eval_error"


class CaptureError(EvalError, RequestError):
    """A session cannot be captured as given."""

    code = "capture_error"


class MissingStartRequest(CaptureError):
    """A capture was asked of a request that continues a run (`Resume`, `ToolResults`): only
    a `Start` begins a session that can be replayed."""

    code = "missing_start_request"


class InvalidStartMessage(CaptureError):
    """The message a capture replays is not a user message (or there is none)."""

    code = "invalid_start_message"


class InvalidVariant(EvalError):
    """A variant is malformed (no id, an unknown tool mode, two variants with one id...)."""

    code = "invalid_variant"


class DatasetError(EvalError):
    """A dataset (or a variants file) cannot be read; `line` and `field` say where.

    Args:
        message: what is wrong.
        line: the 1-based line (JSONL) or the 1-based position of the case (YAML, JSON).
        field: the field at fault, dotted.
    """

    code = "invalid_dataset"

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.field = field


class JudgeError(EvalError):
    """An LLM judge gave no usable verdict (no JSON object, or no score between 0 and 1)."""

    code = "judge_error"


class ScorerSpecError(EvalError):
    """A scorer spec (a case's `scorers` entry) names no built-in scorer, or gives it
    arguments it does not take."""

    code = "invalid_scorer_spec"
