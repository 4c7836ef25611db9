"""What a case expects, as the texts the match scorers compare with."""

from __future__ import annotations

import json

from ..core.schema_types import JsonValue

MAX_SHOWN = 80
"""Characters of a text a rationale quotes."""


def expected_texts(given: str | list[str] | None, expected: JsonValue) -> list[str] | None:
    """`given` (a scorer's own expectation) or else the case's `expected`, as texts: a string
    is one, a list of strings several, any other JSON value its JSON text; None: nothing is
    expected (the scorer does not apply)."""
    if given is not None:
        return [given] if isinstance(given, str) else list(given)
    value = expected
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return [item for item in value if isinstance(item, str)]
    return [json.dumps(value, ensure_ascii=False)]


def shown(text: str) -> str:
    """`text` quoted for a rationale, shortened."""
    return repr(text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "...")
