"""Reading the records of a dataset or variants file: JSONL everywhere, JSON, and YAML where
PyYAML is installed (imported on first use; the page reads JSONL and JSON)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Literal, TypeAlias

from .errors import DatasetError

Format: TypeAlias = Literal["jsonl", "json", "yaml"]
"""The formats records are read from."""

SUFFIXES: dict[str, Format] = {".jsonl": "jsonl", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def format_of(path: str | Path) -> Format:
    """The format a file's suffix names (`DatasetError` for another suffix)."""
    suffix = Path(path).suffix.lower()
    found = SUFFIXES.get(suffix)
    if found is None:
        raise DatasetError(
            f"{Path(path).name}: unknown format {suffix or '(no suffix)'!r}; use .jsonl, .json, "
            ".yaml or .yml."
        )
    return found


def read_text(path: str | Path) -> str:
    """The UTF-8 text of `path` (`DatasetError` if it cannot be read)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"Cannot read {path}: {error}") from None


def jsonl_records(text: str) -> list[tuple[int, object]]:
    """The values of JSONL `text` with their 1-based line numbers (blank lines and lines
    starting with `#` are skipped)."""
    records: list[tuple[int, object]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            records.append((number, json.loads(stripped)))
        except ValueError as error:
            raise DatasetError(f"Line {number} is not JSON: {error}", line=number) from None
    return records


def document(text: str, format: Format) -> object:
    """The one value of a JSON or YAML document."""
    if format == "json":
        try:
            return json.loads(text)
        except ValueError as error:
            raise DatasetError(f"Not JSON: {error}") from None
    if format == "yaml":
        return _yaml(text)
    raise DatasetError(f"A {format!r} text is read record by record (jsonl_records).")


def _yaml(text: str) -> object:
    try:
        yaml = importlib.import_module("yaml")
    except ImportError:
        raise DatasetError(
            "Reading YAML needs PyYAML (`pip install 'remi-web[evals]'`); or write the file "
            "as JSONL."
        ) from None
    try:
        value: object = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DatasetError(f"Not YAML: {error}") from None
    return value
