"""`LLMJudge`: a model grades each run against a rubric and answers with a JSON verdict
(`{"score": 0..1, "rationale": "..."}`), asked for with a JSON-schema `response_format`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..core.ctx import ChatCtx
from ..core.messages import Message
from ..core.model_io import ChatModel, ModelRequest, TextChunk
from ..core.schema_types import JsonValue
from .dataset import EvalCase
from .errors import JudgeError
from .expected import shown
from .run_result import RunResult
from .scorer import Score

INSTRUCTIONS = """You grade an AI assistant's answer against a rubric.

Rubric:
{rubric}

Reply with one JSON object and nothing else:
{{"score": <a number from 0 (fails the rubric) to 1 (fully meets it)>,
 "rationale": "<one or two sentences>"}}"""

VERDICT_SCHEMA: dict[str, JsonValue] = {
    "type": "object",
    "properties": {
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "rationale": {"type": "string"},
    },
    "required": ["score", "rationale"],
    "additionalProperties": False,
}
"""The JSON Schema of a verdict."""

_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A judge's verdict: a score from 0 to 1 and why."""

    score: float
    rationale: str


def parse_verdict(text: str) -> Verdict:
    """The verdict in a judge's reply: a JSON object (alone, or the outermost one in the
    text) with a numeric `score` from 0 to 1 and a `rationale`; `JudgeError` otherwise."""
    found = _OBJECT.search(text)
    try:
        value: Any = json.loads(found.group(0) if found else text)
    except ValueError:
        raise JudgeError(f"The judge's reply holds no JSON object: {shown(text)}") from None
    if not isinstance(value, dict):
        raise JudgeError(f"The judge's verdict is not a JSON object: {shown(text)}")
    score = value.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise JudgeError(f"The judge's score must be a number from 0 to 1, not {score!r}.")
    rationale = value.get("rationale", "")
    return Verdict(float(score), rationale if isinstance(rationale, str) else json.dumps(rationale))


@dataclass(frozen=True, slots=True)
class LLMJudge:
    """A scorer that asks `model` to grade each run against `rubric`.

    Args:
        model: any chat model (`OpenAIModel`, `AnthropicModel`, a `ScriptedModel`...).
        rubric: what a good answer does, in plain words.
        name: the score's name.
        model_name: the model to ask for (None: the client's default).
        temperature: the judge's temperature (None: the client's default).
        structured: ask for the verdict's JSON Schema as a `response_format` (turn it off
            for a provider that refuses one; the reply is then read as JSON text).
    """

    model: ChatModel
    rubric: str
    name: str = "judge"
    model_name: str | None = None
    temperature: float | None = 0.0
    structured: bool = True

    def request(self, case: EvalCase, run: RunResult) -> ModelRequest:
        """The model call that grades `run`."""
        extra: dict[str, JsonValue] = {}
        if self.structured:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "verdict", "schema": VERDICT_SCHEMA, "strict": True},
            }
        return ModelRequest(
            [
                Message.system(INSTRUCTIONS.format(rubric=self.rubric)),
                Message.user(question(case, run)),
            ],
            model=self.model_name, temperature=self.temperature, extra=extra,
        )

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """The judge's verdict on `run` (`JudgeError` when it gives none)."""
        parts: list[str] = []
        async for chunk in self.model.chat(self.request(case, run), ChatCtx()):
            if isinstance(chunk, TextChunk):
                parts.append(chunk.text)
        verdict = parse_verdict("".join(parts))
        return [Score(self.name, verdict.score, verdict.rationale)]


def question(case: EvalCase, run: RunResult) -> str:
    """What the judge is shown: the user's message, the expected answer (if any), the
    assistant's answer, its tool calls, and how the run ended if not with an answer."""
    parts = [f"The user's message:\n<input>\n{case.input_text}\n</input>"]
    if case.expected is not None:
        expected = case.expected if isinstance(case.expected, str) else json.dumps(case.expected)
        parts.append(f"The expected answer:\n<expected>\n{expected}\n</expected>")
    answer = run.final_text if run.output is None else json.dumps(run.output)
    parts.append(f"The assistant's answer:\n<answer>\n{answer}\n</answer>")
    if run.tool_calls:
        results = {r.call_id: r.content for r in run.tool_results}
        lines = [
            f"- {c.name}({c.arguments}) -> {results.get(c.call_id, '(no result)')}"
            for c in run.tool_calls
        ]
        parts.append("The tools it called:\n" + "\n".join(lines))
    if run.end != "done":
        reason = f": {run.error.message}" if run.error is not None else ""
        parts.append(f"The run did not finish; it ended {run.end}{reason}.")
    return "\n\n".join(parts)
