"""Variants from a file (`variants.yaml`, `.json` or `.jsonl`): a list of variant objects,
or an object whose `variants` is one.

```yaml
- id: baseline
- id: terse
  label: Terse prompt
  system: Answer with the number only.
  temperature: 0
- id: no-tools
  tools: []
  tool_mode: replace
```
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .documents import Format, document, format_of, jsonl_records, read_text
from .errors import DatasetError, InvalidVariant
from .variant import Variant, unique_variants


def parse_variants(text: str, format: Format = "yaml") -> list[Variant]:
    """The variants of a file's text."""
    if format == "jsonl":
        records = jsonl_records(text)
    else:
        value = document(text, format)
        listed = value.get("variants") if isinstance(value, Mapping) else value
        if not isinstance(listed, list):
            raise DatasetError(
                "A variants file is a list of variants, or an object with a `variants` list."
            )
        records = list(enumerate(listed, start=1))
    return unique_variants([_variant(record, position) for position, record in records])


def load_variants(path: str | Path) -> list[Variant]:
    """The variants of a file (.yaml, .yml, .json or .jsonl)."""
    try:
        return parse_variants(read_text(path), format_of(path))
    except (DatasetError, InvalidVariant) as error:
        raise DatasetError(f"{Path(path).name}: {error}") from None


def _variant(record: object, position: int) -> Variant:
    from pydantic import ValidationError

    if not isinstance(record, Mapping):
        raise DatasetError(
            f"Variant {position} must be an object with at least an `id`.", line=position
        )
    try:
        return Variant.from_dict(dict(record))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "variant"
        raise DatasetError(
            f"Variant {position}: {where}: {first['msg']}.", line=position, field=where
        ) from None
