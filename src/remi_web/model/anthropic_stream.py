"""Reading the Messages API's answer: the streamed events, or a whole message.

A stream is `message_start` (the input usage), then content blocks (`content_block_start`,
`content_block_delta`s, `content_block_stop`), `message_delta` (stop reason, cumulative
usage), `message_stop`; `ping` may come at any time and an `error` event ends it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..core.model_io import ModelChunk, TextChunk, ThinkingChunk, ToolCallChunk, UsageChunk
from ..core.schema_types import JsonValue
from ..core.usage import Usage
from .anthropic_reasoning import ThinkingBlock, encode_reasoning
from .errors import StreamError

_raw_decode = json.JSONDecoder().raw_decode
_USAGE_KEYS = (
    "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
)


def usage_of(counts: Mapping[str, int]) -> Usage:
    """A `Usage` from Anthropic's counts: the prompt is the uncached input plus the tokens
    written to and read from the cache (Anthropic counts them apart)."""
    written = counts.get("cache_creation_input_tokens", 0)
    read = counts.get("cache_read_input_tokens", 0)
    return Usage(
        counts.get("input_tokens", 0) + written + read,
        counts.get("output_tokens", 0),
        cached_tokens=read,
        reasoning_tokens=counts.get("thinking_tokens", 0),
        cache_write_tokens=written,
    )


def read_counts(raw: JsonValue, counts: dict[str, int]) -> None:
    """Copy the token counts `raw` carries into `counts` (a count left out, or null,
    keeps its earlier value: `message_delta` repeats only some)."""
    if not isinstance(raw, dict):
        return
    for key in _USAGE_KEYS:
        value = raw.get(key)
        if type(value) is int:
            counts[key] = value
    details = raw.get("output_tokens_details")
    if isinstance(details, dict) and type(details.get("thinking_tokens")) is int:
        counts["thinking_tokens"] = details["thinking_tokens"]  # type: ignore[assignment]


def error_text(error: JsonValue) -> str:
    """`type: message` of an Anthropic error object."""
    if isinstance(error, dict):
        kind, message = error.get("type"), error.get("message")
        if isinstance(message, str) and message:
            return f"{kind}: {message}" if isinstance(kind, str) and kind else message
    return json.dumps(error)[:500]


class _Block:
    __slots__ = ("kind", "call", "args_sent", "start_input", "chars", "signature")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.call = -1
        self.args_sent = False
        self.start_input: JsonValue = None
        self.chars = 0
        self.signature = ""


class MessageStreamParser:
    """Turns the `data:` payloads of one Messages stream into `ModelChunk`s.

    Text, thinking and tool-input fragments come out as they arrive; a tool call is
    announced (index, id, name) by its `content_block_start`. `finish()` gives what was
    held: the signed-thinking record (a `ThinkingChunk` with `data`, see
    `anthropic_reasoning`) and the usage.
    """

    __slots__ = ("_model", "_blocks", "_calls", "_counts", "_thinking", "started",
                 "stop_reason", "done")

    def __init__(self, model: str | None = None) -> None:
        """`model`: the model name the usage chunk carries unless the stream names one."""
        self._model = model
        self._blocks: dict[int, _Block] = {}
        self._calls = 0
        self._counts: dict[str, int] = {}
        self._thinking: list[ThinkingBlock] = []
        self.started = False
        self.stop_reason: str | None = None
        self.done = False

    def feed(self, data: str) -> list[ModelChunk]:
        """The chunks carried by one event's data.

        Raises:
            StreamError: an `error` event, or data that is not a JSON object.
        """
        try:
            event, end = _raw_decode(data)
        except ValueError:
            end = -1
        if end != len(data):
            try:
                event = json.loads(data)
            except ValueError:
                raise StreamError(f"the provider sent a malformed event: {data[:200]!r}") from None
        if not isinstance(event, dict):
            raise StreamError(f"the provider sent an event that is not an object: {data[:200]!r}")
        kind = event.get("type")
        if kind == "content_block_delta":
            return self._delta(event)
        if kind == "content_block_start":
            return self._start(event)
        if kind == "content_block_stop":
            return self._stop(event)
        if kind == "message_start":
            self.started = True
            message = event.get("message")
            if isinstance(message, dict):
                name = message.get("model")
                if isinstance(name, str) and name:
                    self._model = name
                read_counts(message.get("usage"), self._counts)
        elif kind == "message_delta":
            delta = event.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("stop_reason"), str):
                self.stop_reason = delta["stop_reason"]
            read_counts(event.get("usage"), self._counts)
        elif kind == "message_stop":
            self.done = True
        elif kind == "error":
            raise StreamError(
                f"the provider reported an error mid-stream ({error_text(event.get('error'))})"
            )
        return []  # ping, and event types added after this client

    def _block(self, event: Mapping[str, JsonValue]) -> tuple[int, _Block | None]:
        index = event.get("index")
        if type(index) is not int:
            raise StreamError(f"the provider sent a content block event without an index: {event}")
        return index, self._blocks.get(index)

    def _start(self, event: Mapping[str, JsonValue]) -> list[ModelChunk]:
        index, _ = self._block(event)
        raw = event.get("content_block")
        content = raw if isinstance(raw, dict) else {}
        kind = content.get("type")
        block = self._blocks[index] = _Block(kind if isinstance(kind, str) else "")
        if kind == "text":
            text = content.get("text")
            return [TextChunk(text)] if isinstance(text, str) and text else []
        if kind == "thinking":
            text, signature = content.get("thinking"), content.get("signature")
            block.signature = signature if isinstance(signature, str) else ""
            if isinstance(text, str) and text:
                block.chars = len(text)
                return [ThinkingChunk(text)]
            return []
        if kind == "redacted_thinking":
            data = content.get("data")
            self._thinking.append(ThinkingBlock(redacted=data if isinstance(data, str) else ""))
            return []
        if kind == "tool_use":
            call_id, name = content.get("id"), content.get("name")
            if not isinstance(call_id, str) or not call_id or not isinstance(name, str):
                raise StreamError(f"the provider started a tool call without id or name: {content}")
            block.call = self._calls
            self._calls += 1
            block.start_input = content.get("input")
            return [ToolCallChunk(block.call, call_id, name)]
        return []  # server tools, their results and newer block types: not the caller's

    def _delta(self, event: Mapping[str, JsonValue]) -> list[ModelChunk]:
        index, block = self._block(event)
        raw = event.get("delta")
        delta = raw if isinstance(raw, dict) else {}
        kind = delta.get("type")
        if kind == "text_delta":
            text = delta.get("text")
            return [TextChunk(text)] if isinstance(text, str) and text else []
        if block is None:
            raise StreamError(f"the provider sent a delta for block {index} before it started")
        if kind == "input_json_delta" and block.call >= 0:
            partial = delta.get("partial_json")
            if isinstance(partial, str) and partial:
                block.args_sent = True
                return [ToolCallChunk(block.call, arguments=partial)]
        elif kind == "thinking_delta":
            text = delta.get("thinking")
            if isinstance(text, str) and text:
                block.chars += len(text)
                return [ThinkingChunk(text)]
        elif kind == "signature_delta":
            signature = delta.get("signature")
            if isinstance(signature, str):
                block.signature = signature
        return []

    def _stop(self, event: Mapping[str, JsonValue]) -> list[ModelChunk]:
        _, block = self._block(event)
        if block is None:
            return []
        if block.kind == "thinking":
            self._thinking.append(ThinkingBlock(block.chars, block.signature))
        elif block.call >= 0 and not block.args_sent:  # no input deltas: the start's input
            start = block.start_input
            return [ToolCallChunk(block.call, arguments=json.dumps(start if start else {}))]
        return []

    def finish(self) -> list[ModelChunk]:
        """The signed-thinking record (if any) and the usage.

        Raises:
            StreamError: the stream stopped before `message_stop` and without a stop
                reason (a cut connection), or never started.
        """
        if not self.started:
            raise StreamError("the stream ended before message_start: not a Messages stream")
        if not self.done and self.stop_reason is None:
            raise StreamError(
                "the response stream ended before the model finished "
                "(no stop_reason and no message_stop): the connection was cut"
            )
        out: list[ModelChunk] = []
        data = encode_reasoning(self._thinking)
        if data is not None:
            out.append(ThinkingChunk("", data=data))
        out.append(UsageChunk(usage_of(self._counts), self._model))
        return out


def message_to_chunks(data: JsonValue, model: str | None = None) -> list[ModelChunk]:
    """The chunks of a whole (non-streamed) message, read as the stream of its blocks would
    be; its usage names the message's `model`, else `model`.

    Raises:
        StreamError: the JSON is an error, or not a message.
    """
    if not isinstance(data, dict):
        raise StreamError("the provider answered with JSON that is not a message")
    if data.get("type") == "error" or "error" in data:
        raise StreamError(f"the provider reported an error ({error_text(data.get('error'))})")
    content = data.get("content")
    if not isinstance(content, list):
        raise StreamError("the provider answered with a message without content")
    start = {key: value for key, value in data.items() if key != "content"}
    events: list[JsonValue] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(content):
        if isinstance(block, dict) and block.get("type") == "tool_use":
            arguments = json.dumps(block.get("input") or {})
            events.append(_event_start(index, {**block, "input": {}}))
            events.append({"type": "content_block_delta", "index": index,
                           "delta": {"type": "input_json_delta", "partial_json": arguments}})
        else:
            events.append(_event_start(index, block))
        events.append({"type": "content_block_stop", "index": index})
    events.append({"type": "message_stop"})
    parser = MessageStreamParser(model)
    chunks = [chunk for event in events for chunk in parser.feed(json.dumps(event))]
    return chunks + parser.finish()


def _event_start(index: int, block: JsonValue) -> JsonValue:
    return {"type": "content_block_start", "index": index, "content_block": block}
