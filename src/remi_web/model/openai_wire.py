"""The Chat Completions wire format: request bodies out, streamed chunks in.

Only standard keys are sent (no message ids or metadata); provider options go through
explicitly. Parsing assembles tool-call deltas by index and keeps the last usage seen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal

from ..core.schema_types import JsonValue

from ..core.content import (
    AudioPart,
    Content,
    ContentPart,
    FilePart,
    ImageBase64Part,
    ImageUrlPart,
    TextPart,
    content_text,
)
from ..core.ids import new_id
from ..core.messages import Message
from ..core.model_io import (
    ModelChunk,
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    ToolDefinition,
    UsageChunk,
)
from ..core.usage import Usage
from .errors import StreamError

MaxTokensParam = Literal["max_tokens", "max_completion_tokens"]
_NEEDS_TOOLS = ("tool_choice", "parallel_tool_calls")
_raw_decode = json.JSONDecoder().raw_decode


def part_to_wire(part: ContentPart) -> dict[str, JsonValue]:
    """One content part in the provider's format (images as URLs or data URLs, audio)."""
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, ImageUrlPart):
        image: dict[str, JsonValue] = {"url": part.url}
        if part.detail is not None:
            image["detail"] = part.detail
        return {"type": "image_url", "image_url": image}
    if isinstance(part, ImageBase64Part):
        url = f"data:{part.media_type};base64,{part.data}"
        return {"type": "image_url", "image_url": {"url": url}}
    if isinstance(part, AudioPart):
        return {"type": "input_audio", "input_audio": {"data": part.data, "format": part.format}}
    if isinstance(part, FilePart):
        file: dict[str, JsonValue] = {"file_data": f"data:{part.media_type};base64,{part.data}"}
        if part.filename is not None:
            file["filename"] = part.filename
        return {"type": "file", "file": file}
    raise TypeError(f"unknown content part {part!r}")


def content_to_wire(content: Content) -> JsonValue:
    """User content: a string as-is, parts as a list of provider parts."""
    if isinstance(content, str):
        return content
    return [part_to_wire(part) for part in content]


def message_to_wire(message: Message, *, send_reasoning: bool = False) -> dict[str, JsonValue]:
    """One message with only the standard keys.

    Args:
        message: the message.
        send_reasoning: echo an assistant's reasoning back as `reasoning_content`
            (some providers want it, others reject it).
    """
    role = message.role
    if role == "user":
        wire: dict[str, JsonValue] = {"role": "user", "content": content_to_wire(message.content)}
        if message.name:
            wire["name"] = message.name
        return wire
    if role == "tool":
        return {
            "role": "tool",
            "tool_call_id": message.tool_call_id or "",
            "content": content_text(message.content),
        }
    text = content_text(message.content)
    if role == "system":
        return {"role": "system", "content": text}
    wire = {"role": "assistant", "content": text if text or not message.tool_calls else None}
    if message.tool_calls:
        wire["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call in message.tool_calls
        ]
    if send_reasoning and message.reasoning:
        wire["reasoning_content"] = message.reasoning
    return wire


def tool_to_wire(tool: ToolDefinition) -> dict[str, JsonValue]:
    """A tool definition as a `function` tool."""
    function: dict[str, JsonValue] = {"name": tool.name, "parameters": tool.parameters}
    if tool.description:
        function["description"] = tool.description
    return {"type": "function", "function": function}


def build_body(
    request: ModelRequest,
    *,
    model: str,
    defaults: Mapping[str, JsonValue] | None = None,
    extra_body: Mapping[str, JsonValue] | None = None,
    send_reasoning: bool = False,
    max_tokens_param: MaxTokensParam = "max_tokens",
) -> dict[str, JsonValue]:
    """The JSON body of a streaming Chat Completions call.

    Precedence, lowest first: `defaults` (the client's options), the request's own
    settings, `extra_body`, then `request.extra`. `stream` is always on, with usage.

    Args:
        request: what to ask.
        model: the model to use when the request names none.
        defaults: standard options of the client (temperature, top_p, tool_choice...).
        extra_body: provider-specific keys, sent as-is (the escape hatch).
        send_reasoning: echo assistant reasoning back (see `message_to_wire`).
        max_tokens_param: the key the provider wants for the output limit.
    """
    body: dict[str, JsonValue] = {
        "model": request.model or model,
        "messages": [message_to_wire(m, send_reasoning=send_reasoning) for m in request.messages],
    }
    if request.tools:
        body["tools"] = [tool_to_wire(tool) for tool in request.tools]
    body.update(body_settings(request, defaults, extra_body, max_tokens_param))
    return body


def body_settings(
    request: ModelRequest,
    defaults: Mapping[str, JsonValue] | None,
    extra_body: Mapping[str, JsonValue] | None,
    max_tokens_param: MaxTokensParam,
) -> dict[str, JsonValue]:
    """Every key of the body but `model`, `messages` and `tools` (see `build_body`)."""
    body: dict[str, JsonValue] = dict(defaults or {})
    if not request.tools:
        for key in _NEEDS_TOOLS:
            body.pop(key, None)
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens is not None:
        body[max_tokens_param] = request.max_tokens
    if extra_body:
        body.update(extra_body)
    if request.extra:
        body.update(request.extra)
    body["stream"] = True
    options = body.get("stream_options")
    body["stream_options"] = {
        **(options if isinstance(options, dict) else {}),
        "include_usage": True,
    }
    return body


def parse_usage(raw: Mapping[str, JsonValue]) -> Usage:
    """Usage from `prompt_tokens`/`completion_tokens` (or `input_`/`output_tokens`), with
    the cached and reasoning parts from `prompt_tokens_details.cached_tokens` and
    `completion_tokens_details.reasoning_tokens` when the provider reports them."""
    prompt = raw.get("prompt_tokens", raw.get("input_tokens"))
    completion = raw.get("completion_tokens", raw.get("output_tokens"))
    return Usage(
        prompt if isinstance(prompt, int) else 0,
        completion if isinstance(completion, int) else 0,
        cached_tokens=_detail(raw, "prompt_tokens_details", "cached_tokens"),
        reasoning_tokens=_detail(raw, "completion_tokens_details", "reasoning_tokens"),
    )


def _detail(raw: Mapping[str, JsonValue], group: str, name: str) -> int:
    details = raw.get(group)
    value = details.get(name) if isinstance(details, dict) else None
    return value if isinstance(value, int) else 0


class _Call:
    __slots__ = ("id", "name", "pending", "started")

    def __init__(self) -> None:
        self.id: str | None = None
        self.name: str | None = None
        self.pending = ""
        self.started = False


class ChunkParser:
    """Turns the `data:` payloads of one stream into `ModelChunk`s.

    Text, reasoning and tool-call fragments come out as they arrive; a tool call is
    announced (index, id, name and the arguments held so far) once its name is known.
    Usage comes out once, from `finish()`, as the last usage the provider sent.
    """

    __slots__ = ("_calls", "_alias", "_usage", "_model", "finish_reason", "done")

    def __init__(self, model: str | None = None) -> None:
        """`model`: the model name the usage chunk carries unless the provider names one."""
        self._model = model
        self._calls: dict[int, _Call] = {}
        self._alias: dict[int, int] = {}
        self._usage: Usage | None = None
        self.finish_reason: str | None = None
        self.done = False

    def feed(self, data: str) -> list[ModelChunk]:
        """The chunks carried by one event's data."""
        try:
            # The scanner alone: `json.loads` adds two regex scans for surrounding whitespace.
            chunk, end = _raw_decode(data)
        except ValueError:
            end = -1
        if end != len(data):  # `[DONE]`, whitespace around the JSON, or not JSON
            if data.strip() == "[DONE]":
                self.done = True
                return []
            try:
                chunk = json.loads(data)
            except ValueError:
                raise StreamError(f"the provider sent a malformed chunk: {data[:200]!r}") from None
        if not isinstance(chunk, dict):
            raise StreamError(f"the provider sent a chunk that is not an object: {data[:200]!r}")
        error = chunk.get("error")
        if error:
            raise StreamError(f"the provider reported an error mid-stream: {_error_text(error)}")
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self._usage = parse_usage(usage)
            name = chunk.get("model")
            if type(name) is str and name:
                self._model = name
        choices = chunk.get("choices")
        if type(choices) is list and len(choices) == 1:  # the usual chunk: one piece of text
            choice = choices[0]
            if type(choice) is dict and choice.get("finish_reason") is None:
                delta = choice.get("delta")
                if type(delta) is dict and choice.get("index", 0) == 0:
                    content = delta.get("content")
                    if (
                        type(content) is str
                        and content
                        and "tool_calls" not in delta
                        and "reasoning_content" not in delta
                        and "reasoning" not in delta
                    ):
                        return [TextChunk(content)]
        out: list[ModelChunk] = []
        if not choices or not isinstance(choices, list):
            return out
        for choice in choices:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta")
            if isinstance(delta, dict):
                self._delta(delta, out)
            reason = choice.get("finish_reason")
            if reason:
                self.finish_reason = str(reason)
        return out

    def _delta(self, delta: dict[str, JsonValue], out: list[ModelChunk]) -> None:
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if reasoning and isinstance(reasoning, str):
            out.append(ThinkingChunk(reasoning))
        content = delta.get("content")
        if content:
            if isinstance(content, str):
                out.append(TextChunk(content))
            elif isinstance(content, list):
                for part in content:
                    if isinstance(part, dict) and part.get("type") == "text":
                        text = part.get("text")
                        if isinstance(text, str) and text:
                            out.append(TextChunk(text))
        tool_calls = delta.get("tool_calls")
        if tool_calls and isinstance(tool_calls, list):
            for position, raw in enumerate(tool_calls):
                if isinstance(raw, dict):
                    self._tool_call(raw, position, out)

    def _tool_call(self, raw: dict[str, JsonValue], position: int, out: list[ModelChunk]) -> None:
        call_id = raw.get("id")
        function = raw.get("function")
        fn = function if isinstance(function, dict) else {}
        name = fn.get("name")
        arguments = fn.get("arguments")
        if arguments is None:
            args = ""
        elif isinstance(arguments, str):
            args = arguments
        else:  # a provider that sends the arguments as an object
            args = json.dumps(arguments)
        given = call_id if isinstance(call_id, str) and call_id else None
        wire_index = raw.get("index")
        if isinstance(wire_index, int):
            index = self._alias.get(wire_index, wire_index)
            known = self._calls.get(index)
            if known is not None and given and known.id is not None and given != known.id:
                # a provider that reuses one index for several calls: give this one its own
                index = self._alias[wire_index] = max(self._calls) + 1
        else:
            index = self._index_for(given, position)
        call = self._calls.get(index)
        if call is None:
            call = self._calls[index] = _Call()
        if call.started:
            if args:
                out.append(ToolCallChunk(index, arguments=args))
            return
        if call.id is None and given:
            call.id = given
        if call.name is None and isinstance(name, str) and name:
            call.name = name
        call.pending += args
        if call.name is not None:
            if call.id is None:  # some local servers send no ids
                call.id = "call_" + new_id().replace("-", "")[:24]
            call.started = True
            out.append(ToolCallChunk(index, call.id, call.name, call.pending))
            call.pending = ""

    def _index_for(self, call_id: str | None, position: int) -> int:
        if call_id:
            for index, call in self._calls.items():
                if call.id == call_id:
                    return index
            return max(self._calls) + 1 if self._calls else position
        if self._calls:
            return max(self._calls)
        return position

    def finish(self) -> list[ModelChunk]:
        """Check the stream ended properly; the usage chunk, if any usage was sent.

        Raises:
            StreamError: the stream stopped before `finish_reason` or `[DONE]` (a cut
                connection), or a tool call never got a name.
        """
        if not self.done and self.finish_reason is None:
            raise StreamError(
                "the response stream ended before the model finished "
                "(no finish_reason and no [DONE]): the connection was cut"
            )
        for index, call in self._calls.items():
            if not call.started:
                raise StreamError(f"the provider streamed tool call {index} without a name")
        return [UsageChunk(self._usage, self._model)] if self._usage is not None else []


def _error_text(error: JsonValue) -> str:
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, str) and message:
            return message
    return json.dumps(error)[:500]


def completion_to_chunks(data: JsonValue, model: str | None = None) -> list[ModelChunk]:
    """The chunks of a whole (non-streamed) completion, for servers that ignore `stream`;
    its usage names the completion's `model`, else `model`."""
    if not isinstance(data, dict):
        raise StreamError("the provider answered with JSON that is not a completion")
    error = data.get("error")
    if error:
        raise StreamError(f"the provider reported an error: {_error_text(error)}")
    out: list[ModelChunk] = []
    choices = data.get("choices")
    message = None
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message")
    if isinstance(message, dict):
        reasoning = message.get("reasoning_content") or message.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            out.append(ThinkingChunk(reasoning))
        content = message.get("content")
        if isinstance(content, str) and content:
            out.append(TextChunk(content))
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            for index, call in enumerate(calls):
                if not isinstance(call, dict):
                    continue
                function = call.get("function")
                fn = function if isinstance(function, dict) else {}
                call_id, name, arguments = call.get("id"), fn.get("name"), fn.get("arguments")
                out.append(
                    ToolCallChunk(
                        index,
                        call_id if isinstance(call_id, str) and call_id else f"call_{index}",
                        name if isinstance(name, str) else "",
                        arguments if isinstance(arguments, str) else json.dumps(arguments or {}),
                    )
                )
    usage = data.get("usage")
    if isinstance(usage, dict):
        name = data.get("model")
        out.append(UsageChunk(parse_usage(usage), name if isinstance(name, str) and name else model))
    return out
