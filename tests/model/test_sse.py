"""The SSE codec: bytes in any split decode to the same events; encoding round-trips."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from remi_web.http.sse import (
    SseDataDecoder,
    SseDecoder,
    SseEvent,
    aiter_events,
    decode_events,
    encode_comment,
    encode_event,
    encode_sse,
)

pytestmark = pytest.mark.pyodide


def test_data_event_type_id_and_retry() -> None:
    raw = b"event: delta\nid: 7\nretry: 1500\ndata: hello\n\n"
    assert decode_events([raw]) == [SseEvent("hello", "delta", "7", 1500)]


def test_multi_line_data_joins_with_lf() -> None:
    raw = b"data: first\ndata:second\ndata:  third\n\n"
    assert decode_events([raw]) == [SseEvent("first\nsecond\n third")]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(ending: bytes) -> None:
    raw = ending.join([b"data: a", b"", b"data: b", b"data: c", b"", b""])
    assert decode_events([raw]) == [SseEvent("a"), SseEvent("b\nc")]


def test_comments_and_unknown_fields_are_ignored() -> None:
    raw = b": keep-alive\nfoo: bar\n:\ndata: x\n: inside\n\n: OPENROUTER PROCESSING\n\n"
    assert decode_events([raw]) == [SseEvent("x")]


def test_a_block_without_data_is_not_an_event_but_its_id_is_remembered() -> None:
    decoder = SseDecoder()
    assert decoder.feed(b"id: 42\nevent: ping\n\n") == []
    assert decoder.last_event_id == "42"
    assert decoder.feed(b"data: next\n\n") == [SseEvent("next")]


def test_field_name_alone_and_empty_data() -> None:
    assert decode_events([b"data\n\n", b"data:\n\n"]) == [SseEvent(""), SseEvent("")]


def test_bad_retry_and_nul_id_are_ignored() -> None:
    raw = b"retry: 12a\nid: a\x00b\ndata: x\n\n"
    assert decode_events([raw]) == [SseEvent("x")]


def test_leading_bom_is_dropped_once() -> None:
    raw = "\ufeffdata: \ufeffx\n\n".encode()
    assert decode_events([raw[:1], raw[1:2], raw[2:]]) == [SseEvent("\ufeffx")]


def test_end_of_stream_without_blank_line_still_delivers() -> None:
    assert decode_events([b"data: a\n\ndata: last"]) == [SseEvent("a"), SseEvent("last")]
    assert decode_events([b"data: a\r\ndata: b\r"]) == [SseEvent("a\nb")]


def test_utf8_split_inside_a_character() -> None:
    raw = encode_event("Grüße 東京 👩\u200d💻")
    pieces = [raw[i : i + 1] for i in range(len(raw))]
    assert decode_events(pieces) == [SseEvent("Grüße 東京 👩\u200d💻")]


def test_crlf_split_across_reads_is_one_line_end() -> None:
    decoder = SseDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n\r") == []
    assert decoder.feed(b"\n") == [SseEvent("a")]
    assert decoder.finish() == []


def test_encoder_splits_lines_and_writes_fields() -> None:
    assert encode_event("a\nb", event="e", id="1", retry=10) == (
        b"event: e\nid: 1\nretry: 10\ndata: a\ndata: b\n\n"
    )
    assert encode_event("x", line_ending="\r\n") == b"data: x\r\n\r\n"
    assert encode_comment("ping") == b": ping\n\n"
    assert encode_sse(SseEvent("d", "t")) == b"event: t\ndata: d\n\n"
    with pytest.raises(ValueError):
        encode_event("x", event="two\nlines")


async def test_async_iteration() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for piece in (b"da", b"ta: 1\n", b"\ndata: 2"):
            yield piece

    assert [event async for event in aiter_events(chunks())] == [SseEvent("1"), SseEvent("2")]


def _split(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(raw) + 1) for cut in cuts})
    pieces, start = [], 0
    for point in points:
        pieces.append(raw[start:point])
        start = point
    pieces.append(raw[start:])
    return pieces


_line_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"),
    max_size=12,
)
_events = st.lists(
    st.builds(
        SseEvent,
        data=st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
            max_size=30,
        ),
        event=st.none() | _line_text,
        id=st.none() | _line_text,
        retry=st.none() | st.integers(min_value=0, max_value=10**6),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(
    events=_events,
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1),
    cuts=st.lists(st.integers(min_value=0), max_size=20),
)
def test_round_trip_in_any_split(
    events: list[SseEvent], endings: list[str], cuts: list[int]
) -> None:
    raw = b"".join(encode_sse(event, endings[i % len(endings)]) for i, event in enumerate(events))
    assert decode_events(_split(raw, cuts)) == events


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                "data",
                "data:",
                "data: ",
                "event:",
                "id:",
                "retry: 5",
                ":",
                " ",
                "\n",
                "\r",
                "\r\n",
                "x",
                "é",
                "東",
                "😀",
                "\ufeff",
                "\x00",
            ]
        ),
        max_size=40,
    ).map("".join),
    cuts=st.lists(st.integers(min_value=0), max_size=25),
)
def test_any_stream_decodes_the_same_in_any_split(text: str, cuts: list[int]) -> None:
    raw = text.encode()
    assert decode_events(_split(raw, cuts)) == decode_events([raw])


# `SseDataDecoder`: the data-only fast path reads every stream as `SseDecoder` does.


def _data_of(chunks: list[bytes]) -> list[str]:
    decoder = SseDataDecoder()
    out: list[str] = []
    for chunk in chunks:
        out.extend(decoder.feed(chunk))
    out.extend(decoder.finish())
    return out


def _data_of_events(chunks: list[bytes]) -> list[str]:
    return [event.data for event in decode_events(chunks)]


def test_data_decoder_keeps_only_the_data() -> None:
    raw = (
        b": keep-alive\n\nevent: delta\nid: 7\nretry: 10\ndata: hello\n\n"
        b"data: first\r\ndata:second\r\n\r\nid: 8\n\ndata\n\ndata: [DONE]\n\n"
    )
    assert _data_of([raw]) == ["hello", "first\nsecond", "", "[DONE]"]


def test_data_decoder_reads_whole_events_per_read() -> None:
    decoder = SseDataDecoder()
    assert decoder.feed(b"data: a\n\n") == ["a"]
    assert decoder.feed(b"data:b\n\ndata: c\n\n") == ["b", "c"]
    assert decoder.feed(b"data: d\n\n: comment\n\ndata: e\ndata: f\n\n\n") == ["d", "e\nf"]
    assert decoder.feed(b"data: g\n") == []  # half an event: held
    assert decoder.feed(b"\ndata: h\n\n") == ["g", "h"]
    assert decoder.feed(b"data: i\rdata: j\n\n") == ["i\nj"]  # a CR inside ends a line too
    assert decoder.feed(b"data: k\r\n\n") == ["k"]
    assert decoder.finish() == []


def test_data_decoder_bom_cr_and_end_of_stream() -> None:
    raw = "\ufeffdata: \ufeffx\n\n".encode()
    assert _data_of([raw[:1], raw[1:2], raw[2:]]) == ["\ufeffx"]
    assert _data_of([b"\xef\xbb"]) == []
    decoder = SseDataDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n\r") == []
    assert decoder.feed(b"\n") == ["a"]
    assert _data_of([b"data: a\n\ndata: last"]) == ["a", "last"]
    assert _data_of([b"data: a\r\ndata: b\r"]) == ["a\nb"]


def test_data_decoder_replaces_invalid_utf8_as_the_event_decoder_does() -> None:
    raw = b"data: \xff ok \xe2\x82\n\ndata: \xed\xa0\x80\n\ndata: \xf0\x9f"
    assert _data_of([raw]) == _data_of_events([raw]) == ["\ufffd ok \ufffd", "\ufffd" * 3, "\ufffd"]


@settings(max_examples=300, deadline=None)
@given(
    events=_events,
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1),
    cuts=st.lists(st.integers(min_value=0), max_size=20),
)
def test_data_decoder_round_trip_in_any_split(
    events: list[SseEvent], endings: list[str], cuts: list[int]
) -> None:
    raw = b"".join(encode_sse(event, endings[i % len(endings)]) for i, event in enumerate(events))
    assert _data_of(_split(raw, cuts)) == [event.data for event in events]


@settings(max_examples=300, deadline=None)
@given(events=_events, groups=st.lists(st.integers(min_value=1, max_value=3), max_size=8))
def test_data_decoder_reads_whole_events_in_any_grouping(
    events: list[SseEvent], groups: list[int]
) -> None:
    encoded = [encode_sse(event) for event in events]
    reads, start = [], 0
    for size in [*groups, len(encoded)]:  # whole events, one to three per read
        reads.append(b"".join(encoded[start : start + size]))
        start += size
    assert _data_of(reads) == [event.data for event in events]


_PIECES = [
    b"data",
    b"data:",
    b"data: ",
    b"data: a\r",
    b"\rdata:",
    b"event:",
    b"id:",
    b":",
    b" ",
    b"\n",
    b"\n\n",
    b"\r",
    b"\r\n",
    b"x",
    "é東😀".encode(),
    b"\xef\xbb\xbf",
    b"\xef\xbb",
    b"\xe2\x82",
    b"\xff",
    b"\x00",
]


@settings(max_examples=500, deadline=None)
@given(
    raw=st.lists(st.sampled_from(_PIECES), max_size=40).map(b"".join),
    cuts=st.lists(st.integers(min_value=0), max_size=25),
)
@example(raw=b"\n\ndata: a\r\n\ndata: b\rdata: c\n\n", cuts=[])
def test_data_decoder_reads_any_bytes_as_the_event_decoder_does(
    raw: bytes, cuts: list[int]
) -> None:
    expected = _data_of_events([raw])
    assert _data_of(_split(raw, cuts)) == expected
    assert _data_of_events(_split(raw, cuts)) == expected
    blocks = raw.split(b"\n\n")  # reads that end where a block does, as most reads do
    reads = [block + b"\n\n" for block in blocks[:-1]] + blocks[-1:]
    assert _data_of(reads) == expected
