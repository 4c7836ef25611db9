"""How the file tools put files into words for the model: text or binary, read windows,
exact-string edits, listings and stat results. Pure Python."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ..core.schema_types import JsonValue

from .errors import FileError
from .filesystem import Entry
from .paths import normalize_path

_LINES = re.compile(r"[^\n]*\n|[^\n]+")
_SNIFF_BYTES = 8192


def decode_text(path: str, data: bytes, reader: str) -> str:
    """`data` as text, or a polite refusal when the file is binary."""
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise FileError(
            f"{normalize_path(path)} is a binary file ({len(data)} bytes); "
            f"{reader} reads text files only."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileError(
            f"{normalize_path(path)} is not UTF-8 text (a binary file?, {len(data)} bytes); "
            f"{reader} reads text files only."
        ) from None


def read_window(path: str, text: str, offset: int, count: int, max_chars: int, reader: str) -> str:
    """Lines `offset`.. of `text` (at most `count` lines and `max_chars` characters),
    with a note saying what was left out."""
    lines = _LINES.findall(text)
    total = len(lines)
    if total == 0:
        return f"({normalize_path(path)} is empty.)"
    if offset > total:
        raise FileError(f"{normalize_path(path)} has {total} lines; offset {offset} is past its end.")
    shown: list[str] = []
    used = 0
    cut = False
    for line in lines[offset - 1 : offset - 1 + count]:
        if used + len(line) > max_chars:
            if not shown:  # one line longer than the whole budget: show its start
                shown.append(line[:max_chars])
                cut = True
            break
        shown.append(line)
        used += len(line)
    last = offset - 1 + len(shown)
    body = "".join(shown)
    notes: list[str] = []
    if cut:
        size = len(lines[offset - 1])
        notes.append(
            f"[Line {offset} is {size} characters long; only its first {max_chars} are shown.]"
        )
    if offset > 1 or last < total:
        more = f" To read on, call {reader} with offset={last + 1}." if last < total else ""
        notes.append(f"[Showing lines {offset}-{last} of {total}.{more}]")
    if not notes:
        return body
    return body + ("" if body.endswith("\n") else "\n") + "\n".join(notes)


def replace_exact(
    path: str, text: str, old: str, new: str, replace_all: bool, names: dict[str, str]
) -> tuple[str, int]:
    """`text` with `old` replaced by `new` (once, or everywhere), and how many were replaced."""
    if not old:
        raise FileError(
            f"old_string is empty. To replace the whole file use {names['write']}; "
            f"to add at its end use {names['append']}."
        )
    if old == new:
        raise FileError("old_string and new_string are the same; there is nothing to change.")
    first = text.find(old)
    if first < 0:
        hint = ""
        if "\r\n" in text and "\n" in old and "\r\n" not in old:
            hint = " The file uses CRLF (\\r\\n) line endings; use them in old_string too."
        raise FileError(
            f"old_string was not found in {path}. It must match the file exactly, including "
            "spaces, indentation and line breaks: read the file again and copy the text from "
            f"it.{hint}"
        )
    if replace_all:
        return text.replace(old, new), text.count(old)
    if text.find(old, first + 1) >= 0:
        seen, at = 0, first
        while at >= 0:
            seen, at = seen + 1, text.find(old, at + 1)
        raise FileError(
            f"old_string occurs {seen} times in {path}, so the edit is ambiguous. Include more "
            "surrounding lines to make it unique, or set replace_all=true to replace every "
            "occurrence."
        )
    return text[:first] + new + text[first + len(old):], 1


def describe_entry(entry: Entry) -> str:
    """One line of a listing: `dir/`, `name  (N bytes)` or `link -> /target`."""
    if entry.kind == "directory":
        return entry.name + "/"
    if entry.kind == "file":
        return f"{entry.name}  ({entry.size} bytes)"
    if entry.kind == "symlink":
        return f"{entry.name} -> {entry.target or '(outside the root; cannot be used)'}"
    return f"{entry.name}  (special file; cannot be read)"


def stat_json(entry: Entry) -> dict[str, JsonValue]:
    """What `fs_stat` answers: type, size, entry count, symlink target, ISO modification time."""
    result: dict[str, JsonValue] = {"path": entry.path, "type": entry.kind}
    if entry.kind == "file":
        result["size"] = entry.size
    if entry.children is not None:
        result["entries"] = entry.children
    if entry.kind == "symlink":
        result["target"] = entry.target or "(outside the root; cannot be used)"
    if entry.modified is not None:
        when = datetime.fromtimestamp(entry.modified, tz=timezone.utc)
        result["modified"] = when.isoformat(timespec="seconds")
    return result

