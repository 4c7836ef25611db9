"""`ResponsesParser`: the events of a streamed OpenAI Responses reply, as `ModelChunk`s.

It reads the `data:` payloads of a stream: text, reasoning summaries (and raw reasoning
text), function calls with their arguments in fragments, and usage from
`response.completed`. A `response.failed` or `error` event raises the typed error of its
code; a stream cut before its last event raises `StreamError`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from ..core.model_io import ModelChunk, TextChunk, ThinkingChunk, ToolCallChunk, UsageChunk
from ..core.schema_types import JsonValue
from ..core.usage import Usage
from .errors import StreamError
from .responses_errors import IncompleteResponseError, error_fields, stream_error
from .responses_wire import REASONING_DATA_KEY

_log = logging.getLogger("remi_web.model")


def parse_usage(raw: Mapping[str, JsonValue]) -> Usage:
    """Usage from `input_tokens`, `output_tokens` and their details (cache reads and
    writes, reasoning)."""
    details_in = raw.get("input_tokens_details")
    details_out = raw.get("output_tokens_details")
    cache = details_in if isinstance(details_in, dict) else {}
    return Usage(
        _int(raw.get("input_tokens")),
        _int(raw.get("output_tokens")),
        cached_tokens=_int(cache.get("cached_tokens")),
        reasoning_tokens=(
            _int(details_out.get("reasoning_tokens")) if isinstance(details_out, dict) else 0
        ),
        cache_write_tokens=_int(cache.get("cache_write_tokens")),
    )


def _int(value: JsonValue) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class _Call:
    __slots__ = ("index", "call_id", "name", "sent", "pending", "started")

    def __init__(self, index: int) -> None:
        self.index = index
        self.call_id = ""
        self.name = ""
        self.sent = ""  # the arguments given out so far
        self.pending = ""  # arguments held until the call's name is known
        self.started = False


class ResponsesParser:
    """Turns the `data:` payloads of one Responses stream into `ModelChunk`s.

    Text and reasoning come out as they arrive; a function call is announced (index, call
    id, name, the arguments so far) by its `output_item.added` event. A `done` event that
    holds more than its deltas gave (a server that streams little) gives the rest. At the
    end come the reply's reasoning record (a `ThinkingChunk` without text whose `data` the
    next request sends back) and the usage.
    """

    def __init__(self, model: str | None = None) -> None:
        """`model`: the model name the usage chunk carries unless the provider names one."""
        self.model = model
        self.status: str | None = None
        self.incomplete_reason: str | None = None
        self.response_id: str | None = None
        self._calls: dict[int, _Call] = {}
        self._sent: dict[tuple[str, int, int], str] = {}  # (kind, output, part) -> given
        self._items: dict[int, dict[str, JsonValue]] = {}  # the finished output items
        self._usage: Usage | None = None
        self._thought = False
        self._said = False

    def feed(self, data: str) -> list[ModelChunk]:
        """The chunks carried by one event's data."""
        if data.strip() == "[DONE]":  # not sent by OpenAI; some compatible servers do
            return []
        try:
            event = json.loads(data)
        except ValueError:
            raise StreamError(f"the provider sent a malformed event: {data[:200]!r}") from None
        if not isinstance(event, dict):
            raise StreamError(f"the provider sent an event that is not an object: {data[:200]!r}")
        return self.feed_event(event)

    def feed_event(self, event: dict[str, JsonValue]) -> list[ModelChunk]:
        """The chunks of one parsed event."""
        kind = event.get("type")
        out: list[ModelChunk] = []
        if kind == "response.output_text.delta" or kind == "response.refusal.delta":
            delta = event.get("delta")
            if isinstance(delta, str) and delta:
                self._give("text", event, delta, out)
        elif kind == "response.function_call_arguments.delta":
            delta = event.get("delta")
            if isinstance(delta, str) and delta:
                self._arguments(event, delta, out)
        elif kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
            delta = event.get("delta")
            if isinstance(delta, str) and delta:
                self._give(kind.split(".")[1], event, delta, out)
        elif kind == "response.output_item.added":
            item = event.get("item")
            if isinstance(item, dict) and item.get("type") == "function_call":
                self._call_added(_index(event), item, out)
        elif kind == "response.output_item.done":
            item = event.get("item")
            if isinstance(item, dict):
                self._item_done(_index(event), item, out)
        elif kind in ("response.output_text.done", "response.refusal.done"):
            self._rest("text", event, event.get("text") or event.get("refusal"), out)
        elif kind == "response.reasoning_summary_text.done":
            self._rest("reasoning_summary_text", event, event.get("text"), out)
        elif kind == "response.reasoning_text.done":
            self._rest("reasoning_text", event, event.get("text"), out)
        elif kind == "response.function_call_arguments.done":
            call = self._calls.get(_index(event))
            arguments = event.get("arguments")
            if call is not None and isinstance(arguments, str):
                self._more_arguments(call, arguments, out)
        elif kind in ("response.created", "response.in_progress", "response.queued"):
            self._lifecycle(event.get("response"))
        elif kind in ("response.completed", "response.incomplete"):
            self._end(event.get("response"), out)
        elif kind == "response.failed":
            response = event.get("response")
            error = response.get("error") if isinstance(response, dict) else None
            code, message = error_fields(error or "the response failed")
            raise stream_error(code, message)
        elif kind == "error":
            code, message = error_fields(event.get("error") or event)
            raise stream_error(code, message)
        return out

    def whole(self, response: JsonValue) -> list[ModelChunk]:
        """The chunks of a whole (non-streamed) response object, then `finish()`'s."""
        if not isinstance(response, dict) or "output" not in response:
            error = response.get("error") if isinstance(response, dict) else None
            if error:
                raise stream_error(*error_fields(error))
            raise StreamError("the provider answered with JSON that is not a response")
        status = response.get("status")
        if status == "failed":
            raise stream_error(*error_fields(response.get("error") or "the response failed"))
        self._lifecycle(response)
        out: list[ModelChunk] = []
        self._end(response, out)
        return out + self.finish()

    def finish(self) -> list[ModelChunk]:
        """Check the stream ended properly; the reasoning record and the usage chunk.

        Raises:
            StreamError: the stream stopped before `response.completed` (a cut connection),
                or a function call never got a name.
            IncompleteResponseError: the response ended incomplete before any answer.
        """
        if self.status is None:
            raise StreamError(
                "the response stream ended before response.completed: the connection was cut"
            )
        for call in self._calls.values():
            if not call.started:
                raise StreamError(
                    f"the provider streamed function call {call.index} without a name"
                )
        if self.status == "incomplete" and not self._said:
            reason = self.incomplete_reason or "unknown"
            raise IncompleteResponseError(
                f"the response ended incomplete ({reason}) before the model answered: "
                "raise max_tokens (max_output_tokens) or lower the reasoning effort",
                reason=reason,
            )
        out: list[ModelChunk] = []
        record = self.reasoning_record()
        if record is not None:
            out.append(ThinkingChunk("", data=record))
        if self._usage is not None:
            out.append(UsageChunk(self._usage, self.model))
        return out

    def reasoning_record(self) -> str | None:
        """The reply's output items as `Message.reasoning_data` keeps them, if it reasoned:
        reasoning items in full, messages and calls as placeholders, in output order."""
        items = [self._items[index] for index in sorted(self._items)]
        if not any(item.get("type") == "reasoning" for item in items):
            return None
        record: list[JsonValue] = []
        for item in items:
            kind = item.get("type")
            if kind == "reasoning":
                kept: dict[str, JsonValue] = {"type": "reasoning"}
                for key in ("id", "summary", "encrypted_content"):
                    if item.get(key) is not None:
                        kept[key] = item[key]
                record.append(kept)
            elif kind == "function_call":
                record.append({"type": "function_call", "call_id": item.get("call_id")})
            elif kind == "message":
                record.append({"type": "message"})
        return json.dumps({REASONING_DATA_KEY: record}, separators=(",", ":"))

    # What each event does.

    def _lifecycle(self, response: JsonValue) -> None:
        if isinstance(response, dict):
            name = response.get("model")
            if isinstance(name, str) and name:
                self.model = name
            rid = response.get("id")
            if isinstance(rid, str):
                self.response_id = rid

    def _give(
        self, kind: str, event: Mapping[str, JsonValue], delta: str, out: list[ModelChunk]
    ) -> None:
        key = _part_key(kind, event)
        given = self._sent.get(key)
        self._sent[key] = (given or "") + delta
        if kind == "text":
            self._said = True
            out.append(TextChunk(delta))
            return
        if given is None and self._thought:
            delta = "\n\n" + delta  # a new reasoning part: a paragraph of its own
        self._thought = True
        out.append(ThinkingChunk(delta))

    def _rest(
        self, kind: str, event: Mapping[str, JsonValue], full: JsonValue, out: list[ModelChunk]
    ) -> None:
        """Give what a `done` event holds beyond the deltas already given."""
        if not isinstance(full, str) or not full:
            return
        given = self._sent.get(_part_key(kind, event), "")
        if full.startswith(given) and len(full) > len(given):
            self._give(kind, event, full[len(given) :], out)

    def _call_added(self, index: int, item: Mapping[str, JsonValue], out: list[ModelChunk]) -> None:
        call = self._calls.get(index)
        if call is None:
            call = self._calls[index] = _Call(len(self._calls))
        call_id, name = item.get("call_id") or item.get("id"), item.get("name")
        if isinstance(call_id, str):
            call.call_id = call_id
        if isinstance(name, str):
            call.name = name
        arguments = item.get("arguments")
        if isinstance(arguments, str) and arguments.startswith(call.pending):
            call.pending = arguments  # what the item holds (deltas seen before it included)
        self._start(call, out)

    def _start(self, call: _Call, out: list[ModelChunk]) -> None:
        if call.started or not call.name:
            return
        call.started = True
        self._said = True
        call_id = call.call_id or f"call_{call.index}"
        out.append(ToolCallChunk(call.index, call_id, call.name, call.pending))
        call.sent, call.pending = call.pending, ""

    def _arguments(self, event: Mapping[str, JsonValue], delta: str, out: list[ModelChunk]) -> None:
        index = _index(event)
        call = self._calls.get(index)
        if call is None:  # arguments before the item: hold them until its name is known
            call = self._calls[index] = _Call(len(self._calls))
        if not call.started:
            call.pending += delta
            return
        call.sent += delta
        out.append(ToolCallChunk(call.index, arguments=delta))

    def _more_arguments(self, call: _Call, arguments: str, out: list[ModelChunk]) -> None:
        if call.started and arguments.startswith(call.sent) and len(arguments) > len(call.sent):
            rest = arguments[len(call.sent) :]
            call.sent = arguments
            out.append(ToolCallChunk(call.index, arguments=rest))
        elif not call.started and len(arguments) > len(call.pending):
            call.pending = arguments

    def _item_done(self, index: int, item: dict[str, JsonValue], out: list[ModelChunk]) -> None:
        self._items[index] = item
        kind = item.get("type")
        if kind == "function_call":
            call = self._calls.get(index)
            if call is None or not call.started:
                self._call_added(index, item, out)
            arguments = item.get("arguments")
            call = self._calls[index]
            if isinstance(arguments, str):
                self._more_arguments(call, arguments, out)
        elif kind == "message":
            for part, content in enumerate(_list(item.get("content"))):
                if isinstance(content, dict):
                    full = content.get("text") if content.get("type") == "output_text" else None
                    full = full if full is not None else content.get("refusal")
                    self._rest("text", {"output_index": index, "content_index": part}, full, out)
        elif kind == "reasoning":
            for part, summary in enumerate(_list(item.get("summary"))):
                if isinstance(summary, dict):
                    event: dict[str, JsonValue] = {"output_index": index, "summary_index": part}
                    self._rest("reasoning_summary_text", event, summary.get("text"), out)
            for part, content in enumerate(_list(item.get("content"))):
                if isinstance(content, dict):
                    event = {"output_index": index, "content_index": part}
                    self._rest("reasoning_text", event, content.get("text"), out)

    def _end(self, response: JsonValue, out: list[ModelChunk]) -> None:
        """`response.completed` or `.incomplete`: items not finished by their own events
        (a server that only sends the whole response), the usage, the status."""
        if not isinstance(response, dict):
            raise StreamError("the provider ended the stream without its response object")
        self._lifecycle(response)
        for index, item in enumerate(_list(response.get("output"))):
            if isinstance(item, dict) and index not in self._items:
                self._item_done(index, item, out)
        usage = response.get("usage")
        if isinstance(usage, dict):
            self._usage = parse_usage(usage)
        status = response.get("status")
        self.status = "incomplete" if status == "incomplete" else "completed"
        if self.status == "incomplete":
            details = response.get("incomplete_details")
            reason = details.get("reason") if isinstance(details, dict) else None
            self.incomplete_reason = reason if isinstance(reason, str) else None
            _log.warning("the response ended incomplete (%s)", self.incomplete_reason)


def _part_key(kind: str, event: Mapping[str, JsonValue]) -> tuple[str, int, int]:
    """Which part of which output item an event is about (text or reasoning)."""
    part = event.get("content_index", event.get("summary_index"))
    return kind, _index(event), part if isinstance(part, int) else 0


def _index(event: Mapping[str, JsonValue]) -> int:
    index = event.get("output_index")
    return index if isinstance(index, int) else 0


def _list(value: JsonValue) -> list[JsonValue]:
    return value if isinstance(value, list) else []
