"""Strings, bytes and UUIDs from Python input, as pydantic-core converts them."""

from __future__ import annotations

import re
import uuid
from typing import Any

from ._numbers import enum_value, _NOT_ENUM
from ._state import LAX, STRICT, Invalid, Loc, State, fail

_UUID_HEX = re.compile(r"[0-9a-fA-F]{32}\Z")


def to_str(value: Any, strict: bool, st: State, loc: Loc) -> str:
    """A str from `value`: strings; in lax mode also UTF-8 bytes and enum members."""
    if type(value) is str:
        if st.json:  # a JSON string could also be a date, a UUID...: not an exact str
            st.floor(STRICT)
        return value
    if isinstance(value, str):
        st.floor(STRICT)
        return str.__str__(value)
    if not strict:
        if isinstance(value, (bytes, bytearray)):
            try:
                text = bytes(value).decode()
            except UnicodeDecodeError:
                raise fail("string_unicode", "Input should be a valid string, unable to parse "
                           "raw data as a unicode string", value, loc) from None
            st.floor(LAX)
            return text
        member = enum_value(value)
        if member is not _NOT_ENUM:
            st.floor(LAX)
            return str(member)
    raise fail("string_type", "Input should be a valid string", value, loc)


def to_bytes(value: Any, strict: bool, st: State, loc: Loc) -> bytes:
    """Bytes from `value`: bytes; in lax mode also text (as UTF-8) and bytearrays."""
    if type(value) is bytes:
        return value
    if isinstance(value, bytes):
        st.floor(STRICT)
        return value
    if st.json and isinstance(value, str):
        st.floor(STRICT)
        return value.encode("utf-8", "surrogatepass")
    if not strict:
        if isinstance(value, str):
            st.floor(LAX)
            return value.encode("utf-8", "surrogatepass")
        if isinstance(value, bytearray):
            st.floor(LAX)
            return bytes(value)
    raise fail("bytes_type", "Input should be a valid bytes", value, loc)


def to_uuid(value: Any, strict: bool, st: State, loc: Loc) -> uuid.UUID:
    """A UUID from `value`: UUIDs; in lax mode also their text (hyphenated, plain hex, braced
    or `urn:uuid:`) and 16 raw bytes."""
    if type(value) is uuid.UUID:
        return value
    if isinstance(value, uuid.UUID):
        st.floor(STRICT)
        return uuid.UUID(int=value.int)
    if strict and not st.json:
        raise fail("is_instance_of", "Input should be an instance of UUID", value, loc,
                   class_="UUID")
    if not st.json:  # in JSON, UUID text is an exact match
        st.floor(LAX)
    if isinstance(value, str):
        return uuid.UUID(_uuid_text(str(value), value, loc))
    if isinstance(value, bytes):
        try:
            return uuid.UUID(_uuid_text(value.decode(), value, loc))
        except (UnicodeDecodeError, Invalid):
            if len(value) == 16:
                return uuid.UUID(bytes=value)
            raise _uuid_error(value, loc) from None
    raise fail("uuid_type", "UUID input should be a string, bytes or UUID object", value, loc)


def _uuid_text(text: str, value: Any, loc: Loc) -> str:
    """The 32 hex digits of a UUID written as text (the forms Rust's `uuid` crate reads)."""
    if text.startswith("urn:uuid:") and len(text) == 45:
        text = text[9:]
    elif text.startswith("{") and text.endswith("}") and len(text) == 38:
        text = text[1:-1]
    if len(text) == 36:
        if not all(text[i] == "-" for i in (8, 13, 18, 23)):
            raise _uuid_error(value, loc)
        text = text[:8] + text[9:13] + text[14:18] + text[19:23] + text[24:]
    if not _UUID_HEX.match(text):
        raise _uuid_error(value, loc)
    return text


def _uuid_error(value: Any, loc: Loc) -> Exception:
    return fail("uuid_parsing", "Input should be a valid UUID, unable to parse string as a UUID",
                value, loc)
