"""Structured-output scorers: is the answer valid against a JSON Schema, or a pydantic type?

The answer checked is the run's structured output (`done.output`) when it has one, else its
final text read as JSON (a Markdown code fence around it is allowed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.json_schema import load_jsonschema
from ..core.schema_types import JsonValue
from .dataset import EvalCase
from .expected import shown
from .run_result import RunResult
from .scorer import Score

_FENCE = re.compile(r"^```[\w-]*\s*\n(.*?)\n?```\s*$", re.DOTALL)


class _NotJson(Exception):
    pass


def answer_value(run: RunResult) -> JsonValue:
    """The run's structured output, or its final text parsed as JSON (`_NotJson` if not)."""
    if run.output is not None:
        return run.output
    text = run.final_text.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        value: JsonValue = json.loads(text)
    except ValueError as error:
        raise _NotJson(f"the answer is not JSON ({error}): {shown(run.final_text)}") from None
    return value


@dataclass(frozen=True, slots=True)
class JsonSchemaValid:
    """1 when the answer is valid against `schema` (JSON Schema Draft 2020-12), else 0 with
    the first problems as the rationale. An invalid `schema` is the scorer's error."""

    schema: Mapping[str, JsonValue]
    name: str = "json_schema"

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """Whether the answer fits the schema."""
        await load_jsonschema()  # in the page, loaded on first use
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(dict(self.schema))
        except SchemaError as error:
            raise ValueError(
                f"the scorer's schema is not a valid JSON Schema: {error.message}"
            ) from None
        try:
            value = answer_value(run)
        except _NotJson as error:
            return [Score.check(self.name, False, str(error))]
        validator = Draft202012Validator(dict(self.schema))
        errors = sorted(validator.iter_errors(value), key=lambda e: [str(p) for p in e.path])
        if not errors:
            return [Score.check(self.name, True, "the answer fits the schema")]
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.absolute_path) or 'answer'}: {e.message}"
            for e in errors[:3]
        )
        return [Score.check(self.name, False, problems)]


@dataclass(frozen=True, slots=True)
class PydanticValid:
    """1 when the answer validates as `type` (a pydantic model, a dataclass, any type
    pydantic reads), else 0 with pydantic's first errors as the rationale."""

    type: Any
    name: str = "pydantic"

    async def score(self, case: EvalCase, run: RunResult) -> list[Score]:
        """Whether the answer validates."""
        from pydantic import TypeAdapter, ValidationError

        try:
            value = answer_value(run)
        except _NotJson as error:
            return [Score.check(self.name, False, str(error))]
        try:
            TypeAdapter(self.type).validate_python(value)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
                for e in error.errors()[:3]
            )
            return [Score.check(self.name, False, problems)]
        kind = getattr(self.type, "__name__", str(self.type))
        return [Score.check(self.name, True, f"the answer is a valid {kind}")]
