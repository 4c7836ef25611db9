"""Read a docstring's summary and argument descriptions (Google, NumPy and Sphinx styles)."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

_GOOGLE_ARGS = re.compile(
    r"^(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Other Parameters):\s*$"
)
_GOOGLE_SECTION = re.compile(r"^[A-Z][A-Za-z ]*:\s*$")
_GOOGLE_ENTRY = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:(.*)$")
_NUMPY_ARGS = {"Parameters", "Other Parameters", "Keyword Arguments"}
_NUMPY_UNDERLINE = re.compile(r"^-{3,}\s*$")
_NUMPY_ENTRY = re.compile(r"^(\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::.*)?$")
_SPHINX_FIELD = re.compile(r"^:\w+")
_SPHINX_PARAM = re.compile(
    r"^:(?:param|parameter|arg|argument|key|keyword)\s+(?:[^:]*\s)?(\*{0,2}\w+)\s*:(.*)$"
)


@dataclass(frozen=True, slots=True)
class Docstring:
    """What a tool needs from a docstring.

    Args:
        summary: the first paragraph, on one line.
        params: each documented argument's description, on one line, by argument name.
    """

    summary: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    """Parse `doc` (Google `Args:`, NumPy `Parameters`, or Sphinx `:param x:` style)."""
    if not doc:
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    params: dict[str, str] = {}
    _google(lines, params)
    _numpy(lines, params)
    _sphinx(lines, params)
    return Docstring(_summary(lines), params)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _name(raw: str) -> str:
    return raw.strip().lstrip("*")


def _is_numpy_header(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and bool(lines[i].strip()) and bool(
        _NUMPY_UNDERLINE.match(lines[i + 1].strip())
    )


def _summary(lines: list[str]) -> str:
    summary: list[str] = []
    for i, line in enumerate(lines):
        text = line.strip()
        if (
            not text
            or _GOOGLE_SECTION.match(text)
            or _SPHINX_FIELD.match(text)
            or _is_numpy_header(lines, i)
        ):
            break
        summary.append(text)
    return " ".join(summary)


def _add(params: dict[str, str], names: list[str], parts: list[str]) -> None:
    text = " ".join(part for part in parts if part)
    for name in names:
        params[name] = text


def _google(lines: list[str], params: dict[str, str]) -> None:
    i = 0
    while i < len(lines):
        if not _GOOGLE_ARGS.match(lines[i].strip()):
            i += 1
            continue
        header = _indent(lines[i])
        entry_indent: int | None = None
        names: list[str] = []
        parts: list[str] = []
        i += 1
        while i < len(lines):
            line = lines[i]
            if line.strip():
                indent = _indent(line)
                if indent <= header:
                    break
                if entry_indent is None:
                    entry_indent = indent
                match = _GOOGLE_ENTRY.match(line.strip()) if indent <= entry_indent else None
                if match:
                    _add(params, names, parts)
                    names, parts = [_name(match.group(1))], [match.group(2).strip()]
                else:
                    parts.append(line.strip())
            i += 1
        _add(params, names, parts)


def _numpy(lines: list[str], params: dict[str, str]) -> None:
    i = 0
    while i < len(lines):
        if not (lines[i].strip() in _NUMPY_ARGS and _is_numpy_header(lines, i)):
            i += 1
            continue
        base = _indent(lines[i])
        names: list[str] = []
        parts: list[str] = []
        i += 2
        while i < len(lines) and not _is_numpy_header(lines, i):
            line = lines[i]
            match = _NUMPY_ENTRY.match(line.strip())
            if line.strip() and _indent(line) <= base and match:
                _add(params, names, parts)
                names, parts = [_name(n) for n in match.group(1).split(",")], []
            elif line.strip():
                parts.append(line.strip())
            i += 1
        _add(params, names, parts)


def _sphinx(lines: list[str], params: dict[str, str]) -> None:
    names: list[str] = []
    parts: list[str] = []
    for line in lines:
        match = _SPHINX_PARAM.match(line.strip())
        if match:
            _add(params, names, parts)
            names, parts = [_name(match.group(1))], [match.group(2).strip()]
        elif names and line.strip() and _indent(line) > 0 and not _SPHINX_FIELD.match(
            line.strip()
        ):
            parts.append(line.strip())
        else:
            _add(params, names, parts)
            names, parts = [], []
    _add(params, names, parts)
