"""JSON text that may stop anywhere (a model still streaming its arguments), read as
pydantic-core's `from_json(allow_partial=...)` reads it: unfinished objects and arrays are
closed, an unfinished last value is dropped (or, with "trailing-strings", an unfinished
string is kept)."""

from __future__ import annotations

import json
import re
from typing import Any

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORDS = {"true": True, "false": False, "null": None, "NaN": float("nan"),
          "Infinity": float("inf"), "-Infinity": float("-inf")}
_decoder = json.JSONDecoder()


class _End(Exception):
    """The text stopped inside a value; `value` is what can be kept of it (or `_NOTHING`)."""

    def __init__(self, value: Any) -> None:
        self.value = value


_NOTHING = object()


def parse_partial(text: str, trailing_strings: bool) -> Any:
    """The value of JSON `text` that may be cut short; raises `ValueError` when it is not
    JSON (or nothing of it can be kept)."""
    reader = _Reader(text, trailing_strings)
    try:
        return reader.value()
    except _End as end:
        if end.value is _NOTHING:
            raise ValueError("EOF while parsing a value") from None
        return end.value


class _Reader:
    def __init__(self, text: str, trailing_strings: bool) -> None:
        self.text = text
        self.at = 0
        self.trailing_strings = trailing_strings

    def _space(self) -> None:
        text, at = self.text, self.at
        while at < len(text) and text[at] in " \t\n\r":
            at += 1
        self.at = at
        if at >= len(text):
            raise _End(_NOTHING)

    def value(self) -> Any:
        self._space()
        char = self.text[self.at]
        if char == "{":
            return self._object()
        if char == "[":
            return self._array()
        if char == '"':
            return self._string()
        return self._scalar()

    def _object(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self.at += 1
        try:
            self._space()
            if self.text[self.at] == "}":
                self.at += 1
                return out
            while True:
                self._space()
                if self.text[self.at] != '"':
                    raise ValueError(f"key must be a string at {self.at}")
                try:
                    key = self._string()
                except _End:
                    raise _End(_NOTHING) from None
                self._space()
                if self.text[self.at] != ":":
                    raise ValueError(f"expected ':' at {self.at}")
                self.at += 1
                try:
                    out[key] = self.value()
                except _End as end:
                    if end.value is not _NOTHING:
                        out[key] = end.value
                    raise
                self._space()
                char = self.text[self.at]
                self.at += 1
                if char == "}":
                    return out
                if char != ",":
                    raise ValueError(f"expected ',' or '}}' at {self.at - 1}")
        except _End:
            raise _End(out) from None

    def _array(self) -> list[Any]:
        out: list[Any] = []
        self.at += 1
        try:
            self._space()
            if self.text[self.at] == "]":
                self.at += 1
                return out
            while True:
                try:
                    out.append(self.value())
                except _End as end:
                    if end.value is not _NOTHING:
                        out.append(end.value)
                    raise
                self._space()
                char = self.text[self.at]
                self.at += 1
                if char == "]":
                    return out
                if char != ",":
                    raise ValueError(f"expected ',' or ']' at {self.at - 1}")
        except _End:
            raise _End(out) from None

    def _string(self) -> str:
        text, start = self.text, self.at
        try:
            value, self.at = _decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            end = start + 1
            escaped = False
            while end < len(text):
                if escaped:
                    escaped = False
                elif text[end] == "\\":
                    escaped = True
                elif text[end] == '"':
                    raise ValueError(f"invalid string at {start}") from None
                end += 1
            kept = _decode_prefix(text[start + 1:])
            raise _End(kept if self.trailing_strings else _NOTHING) from None
        return value  # type: ignore[no-any-return]

    def _scalar(self) -> Any:
        text, at = self.text, self.at
        for word, value in _WORDS.items():
            if text.startswith(word, at):
                self.at = at + len(word)
                return value
            if word.startswith(text[at:]):
                raise _End(_NOTHING)
        found = _NUMBER.match(text, at)
        rest = text[at if found is None else found.end():]
        if rest and all(char in _NUMBER_CHARS for char in rest):
            raise _End(_NOTHING)  # a number still being written ("1.", "-", "2e")
        if found is None or (rest and rest[0] in _NUMBER_CHARS):
            raise ValueError(f"expected a value at {at}")
        self.at = found.end()
        return json.loads(found.group())


_NUMBER_CHARS = frozenset("0123456789.eE+-")


def _decode_prefix(body: str) -> str:
    """The text of an unfinished JSON string body, without an unfinished escape at its end."""
    cut = len(body)
    while cut > 0:
        try:
            return json.loads('"' + body[:cut] + '"')  # type: ignore[no-any-return]
        except json.JSONDecodeError:
            cut -= 1
    return ""
