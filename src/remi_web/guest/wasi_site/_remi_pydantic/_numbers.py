"""Numbers and booleans from Python input, as pydantic-core converts them (lax and strict),
each reporting how exact the match was."""

from __future__ import annotations

import decimal
import enum
import math
import re
from typing import Any

from ._state import LAX, STRICT, Loc, State, fail

_I64_MAX = 2**63 - 1
_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" \
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_JSON_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_RUST_FLOAT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)\Z", re.IGNORECASE)
_FALSE = {"0", "f", "n", "no", "off", "false"}
_TRUE = {"1", "t", "y", "on", "yes", "true"}


def rust_trim(text: str) -> str:
    """`text` without leading and trailing Unicode White_Space (Rust's `str::trim`)."""
    return text.strip(_WHITESPACE)


def as_text(value: Any, kind: str, loc: Loc) -> str | None:
    """A str, or bytes decoded as UTF-8 (an error of `kind` if they are not), else None."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            raise fail(kind, _MESSAGES[kind], value, loc) from None
    return None


def enum_value(value: Any) -> Any:
    """The value of an enum member, else a marker that it is none."""
    return value.value if isinstance(type(value), enum.EnumMeta) else _NOT_ENUM


_NOT_ENUM = object()


def _strip_underscores(text: str) -> str | None:
    if text.startswith("_") or text.endswith("_") or "_" not in text or "__" in text:
        return None
    return text.replace("_", "")


def _strip_leading_zeros(text: str) -> str | None:
    if not text:
        return None
    first = text[0]
    if first in "123456789-":
        return text
    if first != "0":
        return None
    for i in range(1, len(text)):
        char = text[i]
        if char in "0_":
            continue
        if char in "123456789-":
            return text[i:]
        if char == ".":
            return text[i - 1:]
        return None
    return text[-1:]


def _clean_int_text(text: str) -> str | None:
    before = len(text)
    text = rust_trim(text)
    if text.startswith("+"):
        if text[1:].startswith("-"):
            return None
        text = text[1:]
    negative = False
    if text.startswith("-"):
        if text[1:2] in ("-", "+") and len(text) > 1:
            return None
        negative = True
        text = text[1:]
    stripped = _strip_leading_zeros(text)
    if stripped is None:
        return None
    text = stripped
    dot = text.find(".")
    if dot >= 0:
        decimals = text[dot + 1:]
        if decimals and decimals.strip("0") == "":
            text = text[:dot]
    sign = "-" if negative else ""
    without = _strip_underscores(text)
    if without is not None:
        return sign + without
    if before == len(text):
        return None
    return sign + text


def text_to_int(text: str, value: Any, loc: Loc) -> int:
    """An int from text the way pydantic parses it (`" 1_000 "`, `"5.00"`, `"+7"`)."""
    if _JSON_INT.match(text):
        return int(text)
    cleaned = _clean_int_text(text)
    if cleaned is not None and _JSON_INT.match(cleaned):
        return int(cleaned)
    raise fail("int_parsing", _MESSAGES["int_parsing"], value, loc)


def float_to_int(number: float, value: Any, loc: Loc) -> int:
    """An int from a float without a fractional part."""
    if math.isinf(number) or math.isnan(number):
        raise fail("finite_number", _MESSAGES["finite_number"], value, loc)
    if number % 1.0 != 0.0:
        raise fail("int_from_float", _MESSAGES["int_from_float"], value, loc)
    if -(2.0**63) < number < 2.0**63:
        return int(number)
    raise fail("int_parsing_size", _MESSAGES["int_parsing_size"], value, loc)


def text_to_float(text: str, value: Any, loc: Loc) -> float:
    """A float from text the way pydantic parses it (Rust's float syntax, `inf`, `nan`)."""
    trimmed = rust_trim(text)
    if _RUST_FLOAT.match(trimmed):
        return float(trimmed)
    without = _strip_underscores(text)
    if without is not None and _RUST_FLOAT.match(without):
        return float(without)
    raise fail("float_parsing", _MESSAGES["float_parsing"], value, loc)


def to_int(value: Any, strict: bool, st: State, loc: Loc) -> int:
    """An int from `value`: ints; in lax mode also bools, integral floats and Decimals,
    and numeric text."""
    kind = type(value)
    if kind is int:
        return int(value)
    if isinstance(value, int):
        if isinstance(value, bool):
            if strict:
                raise fail("int_type", _MESSAGES["int_type"], value, loc)
            st.floor(LAX)
        else:
            st.floor(STRICT)
        return int(value)
    if not strict:
        text = as_text(value, "int_parsing", loc)
        if text is not None:
            st.floor(LAX)
            return text_to_int(text, value, loc)
        if kind is float:
            st.floor(LAX)
            return float_to_int(value, value, loc)
        if isinstance(value, decimal.Decimal):
            st.floor(LAX)
            if not value.is_finite():
                raise fail("finite_number", _MESSAGES["finite_number"], value, loc)
            numerator, denominator = value.as_integer_ratio()
            if denominator != 1:
                raise fail("int_from_float", _MESSAGES["int_from_float"], value, loc)
            return numerator
        if isinstance(value, float):
            st.floor(LAX)
            return float_to_int(float(value), value, loc)
        member = enum_value(value)
        if member is not _NOT_ENUM:
            st.floor(LAX)
            return member  # type: ignore[no-any-return]
    raise fail("int_type", _MESSAGES["int_type"], value, loc)


def to_float(value: Any, strict: bool, st: State, loc: Loc) -> float:
    """A float from `value`: floats and ints; in lax mode also bools and numeric text."""
    if type(value) is float:
        return value
    if not strict:
        text = as_text(value, "float_parsing", loc)
        if text is not None:
            st.floor(LAX)
            return text_to_float(text, value, loc)
    if isinstance(value, bool):
        if strict:
            raise fail("float_type", _MESSAGES["float_type"], value, loc)
        st.floor(LAX)
        return float(value)
    if isinstance(value, (int, float)) or (hasattr(value, "__float__")
                                            and not isinstance(value, (str, bytes))):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise fail("float_type", _MESSAGES["float_type"], value, loc) from None
        st.floor(STRICT)
        return number
    raise fail("float_type", _MESSAGES["float_type"], value, loc)


def to_bool(value: Any, strict: bool, st: State, loc: Loc) -> bool:
    """A bool from `value`: bools; in lax mode also 0/1 and words like "yes" and "off"."""
    if isinstance(value, bool):
        return value
    if not strict:
        text = as_text(value, "bool_parsing", loc)
        if text is not None:
            st.floor(LAX)
            lowered = text.lower() if text.isascii() else text
            if lowered in _FALSE:
                return False
            if lowered in _TRUE:
                return True
            raise fail("bool_parsing", _MESSAGES["bool_parsing"], value, loc)
        if isinstance(value, int) and -_I64_MAX - 1 <= value <= _I64_MAX:
            st.floor(LAX)
            if value in (0, 1):
                return value == 1
            raise fail("bool_parsing", _MESSAGES["bool_parsing"], value, loc)
        number = _as_f64(value)
        if number is not None and not math.isinf(number) and not math.isnan(number) \
                and number % 1.0 == 0.0 and -(2.0**63) < number < 2.0**63:
            st.floor(LAX)
            if number in (0.0, 1.0):
                return number == 1.0
            raise fail("bool_parsing", _MESSAGES["bool_parsing"], value, loc)
    raise fail("bool_type", _MESSAGES["bool_type"], value, loc)


def _as_f64(value: Any) -> float | None:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__float__"):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def to_decimal(value: Any, strict: bool, st: State, loc: Loc) -> decimal.Decimal:
    """A Decimal from `value`: Decimals; in lax mode also ints, floats and numeric text."""
    if type(value) is decimal.Decimal:
        return value
    if st.json and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        st.floor(STRICT)
        return _decimal(rust_float_text(value) if isinstance(value, float) else value, value, loc)
    if not strict:
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            st.floor(LAX)
            return _decimal(value, value, loc)
        if isinstance(value, float):
            st.floor(LAX)
            return _decimal(str(value), value, loc)
        if type(value) is tuple and len(value) == 3:
            try:
                made = decimal.Decimal(value)
            except (TypeError, ValueError, decimal.InvalidOperation):
                pass
            else:
                st.floor(LAX)
                return made
    if isinstance(value, decimal.Decimal):
        st.floor(STRICT)
        return decimal.Decimal(value)
    if strict:
        raise fail("is_instance_of", "Input should be an instance of Decimal", value, loc,
                   class_="Decimal")
    raise fail("decimal_type", _MESSAGES["decimal_type"], value, loc)


def _decimal(source: Any, value: Any, loc: Loc) -> decimal.Decimal:
    try:
        return decimal.Decimal(source)
    except (TypeError, ValueError, decimal.InvalidOperation):
        raise fail("decimal_parsing", _MESSAGES["decimal_parsing"], value, loc) from None


def rust_float_text(number: float) -> str:
    """A float as Rust writes it (`to_string`): shortest digits, never an exponent."""
    if math.isinf(number) or math.isnan(number):
        return "NaN" if math.isnan(number) else ("inf" if number > 0 else "-inf")
    text = format(decimal.Decimal(repr(number)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def rust_round(number: float) -> float:
    """`number` rounded half away from zero (Rust's `f64::round`)."""
    return math.copysign(math.floor(abs(number) + 0.5), number)


_MESSAGES = {
    "int_type": "Input should be a valid integer",
    "int_parsing": "Input should be a valid integer, unable to parse string as an integer",
    "int_from_float": "Input should be a valid integer, got a number with a fractional part",
    "int_parsing_size": "Unable to parse input string as an integer, exceeded maximum size",
    "finite_number": "Input should be a finite number",
    "float_type": "Input should be a valid number",
    "float_parsing": "Input should be a valid number, unable to parse string as a number",
    "bool_type": "Input should be a valid boolean",
    "bool_parsing": "Input should be a valid boolean, unable to interpret input",
    "decimal_type": "Decimal input should be an integer, float, string or Decimal object",
    "decimal_parsing": "Input should be a valid decimal",
}
