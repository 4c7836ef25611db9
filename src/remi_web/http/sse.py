"""Server-sent events: an incremental decoder (bytes in any split) and an encoder.

The decoder follows the WHATWG event-stream rules (LF, CRLF or CR line ends, a leading BOM,
comments, `data`/`event`/`id`/`retry` fields, multi-line data) and, unlike a browser,
also delivers an event left without its closing blank line at end of stream.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One event: its data lines joined by LF, and the fields set in the same block."""

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class SseDecoder:
    """Turns a byte stream fed in arbitrary pieces into `SseEvent`s.

    Call `feed` for each piece and `finish` once at end of stream.
    """

    __slots__ = (
        "_utf8",
        "_buffer",
        "_started",
        "_data",
        "_event",
        "_id",
        "_retry",
        "last_event_id",
    )

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._started = False
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self.last_event_id = ""

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """The events completed by `chunk`."""
        return self.feed_text(self._utf8.decode(chunk))

    def feed_text(self, text: str) -> list[SseEvent]:
        """The events completed by already-decoded `text`."""
        if not self._started:
            if not text:
                return []
            self._started = True
            if text[0] == "\ufeff":
                text = text[1:]
        text = self._buffer + text
        hold = ""
        if "\r" in text:
            if text[-1] == "\r":  # maybe the first half of a CRLF split across reads
                text, hold = text[:-1], "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        self._buffer = lines.pop() + hold
        events: list[SseEvent] = []
        for line in lines:
            self._line(line, events)
        return events

    def finish(self) -> list[SseEvent]:
        """The events left at end of stream (a last line or block without its line end)."""
        events = self.feed_text(self._utf8.decode(b"", final=True))
        rest, self._buffer = self._buffer, ""
        if rest.endswith("\r"):
            rest = rest[:-1]
        if rest:
            self._line(rest, events)
        self._line("", events)
        return events

    def _line(self, line: str, events: list[SseEvent]) -> None:
        if line.startswith("data:"):
            value = line[5:]
            self._data.append(value[1:] if value.startswith(" ") else value)
        elif not line:
            if self._data:
                events.append(SseEvent("\n".join(self._data), self._event, self._id, self._retry))
            self._data = []
            self._event = self._id = self._retry = None
        elif line[0] != ":":
            name, colon, value = line.partition(":")
            if colon and value.startswith(" "):
                value = value[1:]
            if name == "event":
                self._event = value
            elif name == "data":
                self._data.append(value)
            elif name == "id" and "\0" not in value:
                self._id = self.last_event_id = value
            elif name == "retry" and value.isascii() and value.isdigit():
                self._retry = int(value)


_BOM = b"\xef\xbb\xbf"


class SseDataDecoder:
    """The fast path of `SseDecoder` for readers that need only each event's data.

    Fed the same bytes in any pieces, it returns the `data` of the events `SseDecoder`
    returns, under the same rules (line ends, BOM, comments, multi-line data, invalid UTF-8
    replaced); `event`, `id` and `retry` are skipped. It works on bytes and builds no event
    objects: a read of whole one-line `data:` events, the usual read of a token stream,
    costs a few byte searches.
    """

    __slots__ = ("_buffer", "_data", "_started")

    def __init__(self) -> None:
        self._buffer = b""  # the partial line (after a possible held CR, or the BOM's start)
        self._data: list[bytes] = []  # the data lines of the event being read
        self._started = False

    def feed(self, chunk: bytes) -> list[str]:
        """The data of each event completed by `chunk`."""
        if (
            self._buffer
            or self._data
            or not self._started
            or chunk[-2:] != b"\n\n"
            or chunk.find(b"\r") >= 0  # (`find` is faster than `in` here)
        ):
            return self._lines(chunk, [])
        # Here the chunk holds whole events, each a block of LF-ended lines.
        end = len(chunk) - 2
        if chunk.find(b"\n") == end and chunk[:5] == b"data:":  # one event, one data line
            return [_text(chunk[6:end] if chunk[5] == 32 else chunk[5:end])]  # 32: a space
        out: list[str] = []
        for block in chunk[:-2].split(b"\n\n"):
            if block[:5] == b"data:" and block.find(b"\n") < 0:
                out.append(_text(block[6:] if block[5:6] == b" " else block[5:]))
            else:
                self._lines(block + b"\n\n", out)
        return out

    def finish(self) -> list[str]:
        """The data of an event left at end of stream without its closing blank line."""
        rest, self._buffer = self._buffer, b""
        if rest.endswith(b"\r"):
            rest = rest[:-1]
        return self._lines(rest + b"\n\n", [])

    def _lines(self, chunk: bytes, out: list[str]) -> list[str]:
        data = self._buffer + chunk
        if not self._started:
            if len(data) < 3 and _BOM.startswith(data):  # nothing yet, or maybe a split BOM
                self._buffer = data
                return out
            self._started = True
            if data.startswith(_BOM):
                data = data[3:]
        hold = b""
        if b"\r" in data:
            if data[-1:] == b"\r":  # maybe the first half of a CRLF split across reads
                data, hold = data[:-1], b"\r"
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = data.split(b"\n")
        self._buffer = lines.pop() + hold
        pending = self._data
        for line in lines:
            if line[:5] == b"data:":
                pending.append(line[6:] if line[5:6] == b" " else line[5:])
            elif not line:
                if pending:
                    out.append(_text(b"\n".join(pending)))
                    pending.clear()
            elif line == b"data":
                pending.append(b"")
        return out


def _text(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode(errors="replace")


def decode_events(chunks: Iterable[bytes]) -> list[SseEvent]:
    """Every event of a whole byte stream given as pieces."""
    decoder = SseDecoder()
    events: list[SseEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.finish())
    return events


async def aiter_events(chunks: AsyncIterable[bytes]) -> AsyncIterator[SseEvent]:
    """The events of an async byte stream, each as soon as its block is complete."""
    decoder = SseDecoder()
    async for chunk in chunks:
        for event in decoder.feed(chunk):
            yield event
    for event in decoder.finish():
        yield event


def encode_event(
    data: str,
    *,
    event: str | None = None,
    id: str | None = None,
    retry: int | None = None,
    line_ending: str = "\n",
) -> bytes:
    """The bytes of one event; multi-line `data` becomes several `data:` lines.

    Args:
        data: the payload; LF, CRLF and CR all split it into lines.
        event: the event type (one line).
        id: the event id (one line, no NUL).
        retry: the reconnection delay in milliseconds.
        line_ending: `"\\n"` (default), `"\\r\\n"` or `"\\r"`.
    """
    for name, value in (("event", event), ("id", id)):
        if value is not None and ("\n" in value or "\r" in value or "\0" in value):
            raise ValueError(f"SSE field {name!r} must be a single line without NUL")
    if line_ending not in ("\n", "\r\n", "\r"):
        raise ValueError("line_ending must be LF, CRLF or CR")
    parts: list[str] = []
    if event is not None:
        parts.append(f"event: {event}")
    if id is not None:
        parts.append(f"id: {id}")
    if retry is not None:
        parts.append(f"retry: {int(retry)}")
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    parts.extend(f"data: {line}" for line in lines)
    return (line_ending.join(parts) + line_ending * 2).encode()


def encode_sse(event: SseEvent, line_ending: str = "\n") -> bytes:
    """The bytes of `event` (see `encode_event`)."""
    return encode_event(
        event.data, event=event.event, id=event.id, retry=event.retry, line_ending=line_ending
    )


def encode_comment(text: str = "", line_ending: str = "\n") -> bytes:
    """A comment block (ignored by readers; handy as a keep-alive)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return (
        line_ending.join(f": {line}" if line else ":" for line in lines) + line_ending * 2
    ).encode()
