"""Datasets: the cases of an evaluation, read from JSONL (everywhere), JSON or YAML.

One record per case:

```json
{"id": "sum", "input": "what is 2+3*4", "expected": "14",
 "metadata": {"topic": "math"}, "scorers": [{"type": "contains"}]}
```

`input` is the user's message, or a whole `SessionCapture` object (`message`, `history`,
`tools`, `model`, ...; a `message` may be plain text). `id` defaults to `case-<n>` (its line
in JSONL, its position otherwise); `expected`, `metadata` and `scorers` (specs of built-in
scorers for this case only, see `scorer_specs`) are optional. A JSON or YAML file holds a
list of records, or an object whose `cases` is one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.content import Content, content_text
from ..core.schema_types import JsonValue
from .capture import SessionCapture
from .documents import Format, document, format_of, jsonl_records, read_text
from .errors import CaptureError, DatasetError

CASE_FIELDS = frozenset({"id", "input", "expected", "metadata", "scorers"})


@dataclass(frozen=True, slots=True)
class EvalCase:
    """One case: the session to replay, what a good answer is, and how to judge it.

    Args:
        id: unique within the dataset.
        capture: the session to replay.
        expected: the reference answer scorers compare with (None: none).
        metadata: free data about the case (not sent to the agent).
        scorers: specs of built-in scorers used for this case only (`scorer_specs`).
    """

    id: str
    capture: SessionCapture
    expected: JsonValue = None
    metadata: dict[str, JsonValue] = field(default_factory=dict)
    scorers: list[dict[str, JsonValue]] = field(default_factory=list)

    @staticmethod
    def user(
        id: str,
        content: Content,
        expected: JsonValue = None,
        *,
        metadata: dict[str, JsonValue] | None = None,
        scorers: Sequence[dict[str, JsonValue]] = (),
    ) -> EvalCase:
        """A case of one user message."""
        return EvalCase(
            id, SessionCapture.user(content), expected, dict(metadata or {}), list(scorers)
        )

    @property
    def input_text(self) -> str:
        """The text of the user's message."""
        return content_text(self.capture.message.content)

    def to_dict(self) -> dict[str, Any]:
        """The case as a JSON-ready record (`case_from_record` reads it back)."""
        record: dict[str, Any] = {"id": self.id, "input": self.capture.to_dict()}
        if self.expected is not None:
            record["expected"] = self.expected
        if self.metadata:
            record["metadata"] = self.metadata
        if self.scorers:
            record["scorers"] = self.scorers
        return record


def case_from_record(record: object, position: int) -> EvalCase:
    """The case of one record (`position`: its 1-based line or place, for errors and the
    default id)."""
    if not isinstance(record, Mapping):
        raise DatasetError(
            f"Case {position} must be an object, not {type(record).__name__}.", line=position
        )
    unknown = sorted(str(key) for key in record if key not in CASE_FIELDS)
    if unknown:
        raise DatasetError(
            f"Case {position} has unknown field(s) {', '.join(unknown)}; the fields are "
            f"{', '.join(sorted(CASE_FIELDS))}.",
            line=position, field=unknown[0],
        )
    case_id = record.get("id", f"case-{position}")
    if not isinstance(case_id, str | int) or isinstance(case_id, bool) or not str(case_id):
        raise DatasetError(
            f"Case {position}: `id` must be a non-empty string.", line=position, field="id"
        )
    metadata = record.get("metadata", {})
    if not isinstance(metadata, dict):
        raise DatasetError(
            f"Case {position}: `metadata` must be an object.", line=position, field="metadata"
        )
    scorers = record.get("scorers", [])
    if not isinstance(scorers, list) or not all(isinstance(s, dict) for s in scorers):
        raise DatasetError(
            f"Case {position}: `scorers` must be a list of objects "
            '(e.g. {"type": "contains"}).',
            line=position, field="scorers",
        )
    return EvalCase(
        str(case_id),
        _capture(record.get("input"), position),
        _json(record.get("expected"), position),
        metadata,
        scorers,
    )


def parse_dataset(text: str, format: Format = "jsonl") -> list[EvalCase]:
    """The cases of a dataset's text."""
    if format == "jsonl":
        return unique_cases(case_from_record(r, n) for n, r in jsonl_records(text))
    value = document(text, format)
    records = value.get("cases") if isinstance(value, Mapping) else value
    if not isinstance(records, list):
        raise DatasetError(
            "A dataset document is a list of cases, or an object with a `cases` list."
        )
    return unique_cases(case_from_record(r, n) for n, r in enumerate(records, start=1))


def load_dataset(path: str | Path) -> list[EvalCase]:
    """The cases of a dataset file (.jsonl, .json, .yaml or .yml)."""
    format = format_of(path)
    try:
        return parse_dataset(read_text(path), format)
    except DatasetError as error:
        where = f" (line {error.line})" if format == "jsonl" and error.line else ""
        raise DatasetError(
            f"{Path(path).name}{where}: {error}", line=error.line, field=error.field
        ) from None


def dump_jsonl(cases: Iterable[EvalCase]) -> str:
    """The cases as JSONL text, one record per line."""
    return "".join(json.dumps(case.to_dict(), ensure_ascii=False) + "\n" for case in cases)


def unique_cases(cases: Iterable[EvalCase]) -> list[EvalCase]:
    """The cases as a list, or `DatasetError` when two share an id."""
    listed = list(cases)
    seen: set[str] = set()
    for case in listed:
        if case.id in seen:
            raise DatasetError(
                f"Two cases have the id {case.id!r}; ids must be unique.", field="id"
            )
        seen.add(case.id)
    return listed


def _capture(raw: object, position: int) -> SessionCapture:
    from pydantic import ValidationError

    if isinstance(raw, str):
        return SessionCapture.user(raw)
    if not isinstance(raw, Mapping):
        raise DatasetError(
            f"Case {position}: `input` must be the user's message (text) or a capture object.",
            line=position, field="input",
        )
    data = dict(raw)
    if isinstance(data.get("message"), str):
        data["message"] = {"role": "user", "content": data["message"]}
    try:
        return SessionCapture.from_dict(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in ("input", *first["loc"]))
        raise DatasetError(
            f"Case {position}: {where}: {first['msg']}.", line=position, field=where
        ) from None
    except CaptureError as error:
        raise DatasetError(
            f"Case {position}: {error}", line=position, field="input.message"
        ) from None


def _json(value: object, position: int) -> JsonValue:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise DatasetError(
            f"Case {position}: `expected` must be JSON.", line=position, field="expected"
        ) from None
    return value  # type: ignore[return-value]  # checked just above
