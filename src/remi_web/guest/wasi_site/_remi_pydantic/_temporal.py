"""Dates and datetimes from Python input, as pydantic-core (speedate) reads them: ISO 8601
text, Unix timestamps in seconds or (above 2e10) milliseconds, and date/datetime objects."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from ._state import LAX, STRICT, Loc, State, fail

_MS_WATERSHED = 20_000_000_000
_UNIX_0000 = -62_167_219_200
_UNIX_9999 = 253_402_300_799
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_DATE = re.compile(rb"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_INT = re.compile(rb"[+-]?[0-9]+\Z")
_FLOAT = re.compile(rb"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class _Bad(Exception):
    """Text or a number that is no date or datetime."""


def _leap(year: int) -> bool:
    return year % 400 == 0 if year % 100 == 0 else year % 4 == 0


def _date_prefix(raw: bytes) -> tuple[int, int, int]:
    if len(raw) < 10:
        raise _Bad
    found = _DATE.match(raw)
    if found is None:
        raise _Bad
    year, month, day = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        raise _Bad
    limit = 29 if month == 2 and _leap(year) else _DAYS[month - 1]
    if not 1 <= day <= limit:
        raise _Bad
    return year, month, day


def _digit(raw: bytes, at: int) -> int:
    if at >= len(raw) or not 48 <= raw[at] <= 57:
        raise _Bad
    return raw[at] - 48


def _time(raw: bytes, at: int) -> tuple[int, int, int, int, int | None]:
    """hour, minute, second, microsecond and UTC offset (seconds) of the time at `at`."""
    if len(raw) - at < 5:
        raise _Bad
    hour = _digit(raw, at) * 10 + _digit(raw, at + 1)
    if raw[at + 2] != 58:
        raise _Bad
    minute = _digit(raw, at + 3) * 10 + _digit(raw, at + 4)
    if hour > 23 or minute > 59:
        raise _Bad
    second = micro = 0
    position = at + 5
    if raw[position:position + 1] == b":":
        second = _digit(raw, at + 6) * 10 + _digit(raw, at + 7)
        if second > 59:
            raise _Bad
        position = at + 8
        if raw[position:position + 1] in (b".", b","):
            position += 1
            digits = 0
            while position < len(raw) and 48 <= raw[position] <= 57:
                if digits < 6:
                    micro = micro * 10 + raw[position] - 48
                digits += 1
                position += 1
            if digits == 0:
                raise _Bad
            if digits < 6:
                micro *= 10 ** (6 - digits)
    offset: int | None = None
    if position < len(raw):
        sign_char = raw[position]
        position += 1
        if sign_char in (90, 122):  # Z, z
            offset = 0
        else:
            if sign_char == 43:
                sign = 1
            elif sign_char == 45:
                sign = -1
            elif raw[position - 1:position + 2] == "\u2212".encode():
                sign = -1
                position += 2
            else:
                raise _Bad
            hours = _digit(raw, position) * 10 + _digit(raw, position + 1)
            if raw[position + 2:position + 3] == b":":
                position += 3
                m1 = _digit(raw, position)
            elif position + 2 < len(raw) and 48 <= raw[position + 2] <= 57:
                position += 2
                m1 = raw[position] - 48
            else:
                raise _Bad
            m2 = _digit(raw, position + 1)
            minutes = m1 * 600 + m2 * 60
            if minutes >= 3600:
                raise _Bad
            offset = sign * (hours * 3600 + minutes)
            if abs(offset) >= 86400:
                raise _Bad
            position += 2
    if len(raw) > position:
        raise _Bad
    return hour, minute, second, micro, offset


def _trunc_div(a: int, b: int) -> tuple[int, int]:
    quotient = abs(a) // b * (1 if a >= 0 else -1)
    return quotient, a - quotient * b


def _seconds_micros(timestamp: int) -> tuple[int, int]:
    if abs(timestamp) <= _MS_WATERSHED:
        return timestamp, 0
    seconds, rest = _trunc_div(timestamp, 1000)
    micros = rest * 1000
    if micros < 0:
        seconds -= 1
        micros += 1_000_000
    return seconds, micros


def _from_timestamp(timestamp: int, micro: int) -> tuple[dt.datetime, int]:
    """The UTC datetime of a timestamp (seconds, or milliseconds above 2e10), and the
    seconds into its day."""
    seconds, extra = _seconds_micros(timestamp)
    micro += extra
    if micro >= 1_000_000:
        seconds += micro // 1_000_000
        micro %= 1_000_000
    if seconds < _UNIX_0000 or seconds > _UNIX_9999:
        raise _Bad
    moment = _EPOCH + dt.timedelta(seconds=seconds)
    return moment.replace(microsecond=micro), seconds % 86400


def _text_timestamp(raw: bytes) -> dt.datetime:
    if _INT.match(raw) and abs(int(raw)) <= 2**63 - 1:
        return _from_timestamp(int(raw), 0)[0]
    if not _FLOAT.match(raw):
        raise _Bad
    return _float_timestamp(float(raw))


def _float_timestamp(number: float) -> dt.datetime:
    """A timestamp in seconds, or milliseconds above 2e10, its fraction taken to the
    nearest microsecond (halves up)."""
    if math.isnan(number) or math.isinf(number):
        raise _Bad
    whole = math.floor(number)
    factor = 1000 if abs(number) > _MS_WATERSHED else 1_000_000
    micro = int(math.floor((number - whole) * factor + 0.5))
    if abs(whole) > 2**63 - 1:
        raise _Bad
    return _from_timestamp(whole, micro)[0]


def _datetime_text(raw: bytes) -> dt.datetime:
    try:
        year, month, day = _date_prefix(raw)
        if raw[10:11] not in (b"T", b"t", b" ", b"_"):
            raise _Bad
        hour, minute, second, micro, offset = _time(raw, 11)
    except _Bad:
        return _text_timestamp(raw)
    zone = None if offset is None else dt.timezone(dt.timedelta(seconds=offset))
    if year < 1:
        raise _Bad
    return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)


def _date_text(raw: bytes) -> dt.date:
    try:
        year, month, day = _date_prefix(raw)
        if len(raw) > 10:
            raise _Bad
    except _Bad:
        if not (_INT.match(raw) and abs(int(raw)) <= 2**63 - 1):
            raise
        moment, rest = _from_timestamp(int(raw), 0)
        if rest or moment.microsecond:
            raise
        return moment.date()
    if year < 1:
        raise _Bad
    return dt.date(year, month, day)


def _raw(value: Any) -> bytes | None:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes):
        return bytes(value)
    return None


def _datetime_lax(value: Any, loc: Loc) -> dt.datetime:
    """A datetime from text, a timestamp or a date (any error: `datetime_parsing`)."""
    raw = _raw(value)
    try:
        if raw is not None:
            return _datetime_text(raw)
        if isinstance(value, bool):
            raise fail("datetime_type", _DATETIME_TYPE, value, loc)
        if isinstance(value, int) and abs(value) <= 2**63 - 1:
            return _from_timestamp(value, 0)[0]
        if isinstance(value, (int, float)):
            return _float_timestamp(float(value))
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
    except (_Bad, OverflowError, ValueError):
        raise fail("datetime_parsing", "Input should be a valid datetime", value, loc) from None
    raise fail("datetime_type", _DATETIME_TYPE, value, loc)


def to_datetime(value: Any, strict: bool, st: State, loc: Loc) -> dt.datetime:
    """A datetime from `value`: datetimes; in lax mode also ISO 8601 text, Unix timestamps,
    dates (at midnight) and date text."""
    if type(value) is dt.datetime:
        return value
    if isinstance(value, dt.datetime):
        st.floor(STRICT)
        return value
    if strict and not (st.json and isinstance(value, str)):
        raise fail("datetime_type", _DATETIME_TYPE, value, loc)
    st.floor(STRICT if st.json and isinstance(value, str) else LAX)
    try:
        return _datetime_lax(value, loc)
    except Exception as first:
        if strict:
            raise
        st.floor(LAX)
        try:
            day = _date_lax_only(value)
        except _DateParsing:
            raise fail("datetime_from_date_parsing", "Input should be a valid datetime or date",
                       value, loc) from None
        except _NotDate:
            raise first from None
        return dt.datetime(day.year, day.month, day.day)


class _DateParsing(Exception):
    """Text that is no date."""


class _NotDate(Exception):
    """Input that is neither a date nor text."""


def _date_lax_only(value: Any) -> dt.date:
    if type(value) is dt.date or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    raw = _raw(value)
    if raw is None:
        raise _NotDate
    try:
        return _date_text(raw)
    except (_Bad, ValueError, OverflowError):
        raise _DateParsing from None


def to_date(value: Any, strict: bool, st: State, loc: Loc) -> dt.date:
    """A date from `value`: dates; in lax mode also ISO 8601 text, timestamps of a midnight,
    and datetimes (or their text) at midnight."""
    if type(value) is dt.date:
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        st.floor(STRICT)
        return value
    if strict and not (st.json and isinstance(value, str)):
        raise fail("date_type", _DATE_TYPE, value, loc)
    raw = None if isinstance(value, dt.datetime) else _raw(value)
    st.floor(STRICT if st.json and isinstance(value, str) else LAX)
    if raw is not None:
        try:
            return _date_text(raw)
        except (_Bad, ValueError, OverflowError):
            st.floor(LAX)
            if strict:
                raise fail("date_parsing", "Input should be a valid date in the format "
                           "YYYY-MM-DD", value, loc) from None
    elif strict:
        raise fail("date_type", _DATE_TYPE, value, loc)
    try:
        moment = value if isinstance(value, dt.datetime) else _datetime_lax(value, loc)
    except Exception as error:
        errors = getattr(error, "errors", None)
        if errors and errors[0]["type"] == "datetime_parsing":
            raise fail("date_from_datetime_parsing", "Input should be a valid date or datetime",
                       value, loc) from None
        if raw is not None:
            raise fail("date_parsing", "Input should be a valid date", value, loc) from None
        raise fail("date_type", _DATE_TYPE, value, loc) from None
    if (moment.hour, moment.minute, moment.second, moment.microsecond) != (0, 0, 0, 0):
        raise fail("date_from_datetime_inexact", "Datetimes provided to dates should have zero "
                   "time - e.g. be exact dates", value, loc)
    return moment.date()


_DATETIME_TYPE = "Input should be a valid datetime"
_DATE_TYPE = "Input should be a valid date"
