"""Read a docstring's description and argument docs (Google, NumPy, Sphinx and Epydoc styles),
with the `docstring-parser` library (pure Python: it runs in Pyodide too)."""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass, field

import docstring_parser

_PLACEHOLDER = "\u2063"  # an invisible separator no docstring starts with


@dataclass(frozen=True, slots=True)
class Docstring:
    """What a tool needs from a docstring.

    Args:
        summary: the first paragraph, on one line.
        description: every paragraph before the sections (arguments, returns...), each on
            one line, separated by blank lines.
        params: each documented argument's description, on one line, by argument name.
    """

    summary: str = ""
    description: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    """Parse `doc` in whichever style it is written."""
    if not doc or not doc.strip():
        return Docstring()
    # A placeholder first line: a docstring that opens with its `Args:` section is then
    # read as one (the library would take the section's title for the summary).
    first = doc.strip().splitlines()[0]
    # cleandoc dedents all lines but the first: right for a summary line, wrong when the
    # docstring opens with a section title whose entries are indented under it
    text = textwrap.dedent(doc).strip() if first.rstrip().endswith(":") else inspect.cleandoc(doc)
    parsed = docstring_parser.parse(f"{_PLACEHOLDER}\n\n{text}")
    gap = "\n\n" if parsed.blank_after_short_description else "\n"
    text = gap.join(part for part in (parsed.short_description, parsed.long_description) if part)
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    paragraphs = [p for p in paragraphs if p != _PLACEHOLDER]
    params: dict[str, str] = {}
    for param in parsed.params:
        if param.args and param.args[0] not in ("param", "parameter", "arg", "argument",
                                                "key", "keyword", "other_param"):
            continue
        for name in param.arg_name.split(","):
            if name.strip():
                params[name.strip().lstrip("*")] = " ".join((param.description or "").split())
    return Docstring(paragraphs[0] if paragraphs else "", "\n\n".join(paragraphs), params)
