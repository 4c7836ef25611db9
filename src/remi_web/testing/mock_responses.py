"""The mock server's OpenAI Responses endpoint: `POST /v1/responses`, streamed or not.

The request's `instructions`, `input` items and tools are read back into the Chat
Completions shape, so the reply comes from the same `plan_reply` policy as
`/v1/chat/completions` (an agent with tools gets its tool round). It is sent as the
Responses API sends it: `event:` and `data:` lines, output items with their deltas,
`response.completed` with usage (tokens of the previous call's prompt count as cached).

Like OpenAI with `store: false`, it keeps nothing: a reasoning item (or an item reference)
named by id alone is refused with OpenAI's 404, and reasoning comes back only as the
encrypted content it gave out (on every reasoning item, as OpenAI now does by default),
which it checks. Model
`replay-<name>` replays a recording of `mock_responses_recordings`; faults are those of
`mock_faults`. Native only (it is a server).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.schema_types import JsonValue
from ..http.sse import encode_event
from .mock_deep import deep_reply
from .mock_faults import ErrorAnswer, Fault, error_answer
from .mock_policy import Reply, plan_reply, text_of, tokens
from .mock_recordings import Recording
from .mock_responses_recordings import (
    RESPONSES_RECORDINGS,
    call_events,
    call_item,
    message_events,
    message_item,
    numbered,
    reasoning_events,
    reasoning_item,
    response_object,
    usage_object,
)
from .mock_stream import StreamEvent, call_id, usage_of

SEALED = "mock-rs."
"""How the mock's encrypted reasoning content starts."""


class MockSettings(Protocol):
    """What the endpoint reads of the server's `MockConfig`."""

    @property
    def api_key(self) -> str | None: ...

    @property
    def tokens_per_second(self) -> float | None: ...

    @property
    def chunk_size(self) -> int: ...


class MockCounters(Protocol):
    """The server's `MockStats` counters the endpoint moves."""

    requests: int
    completed: int

    def count(self, api: str) -> None:
        """Count a request to the `api` endpoint."""
        ...


class RejectedInput(ValueError):
    """An input the real API refuses; carries the error answer to send."""

    def __init__(self, answer: ErrorAnswer) -> None:
        super().__init__(answer.message)
        self.answer = answer


def responses_routes(
    config: MockSettings,
    stats: MockCounters,
    pick_fault: Callable[[Request, str], Fault | None],
    stream_response: Callable[..., Response],
) -> list[Route]:
    """The routes of the endpoint (`/v1/responses` and `/responses`).

    Args:
        config: the server's settings (key, pacing).
        stats: the server's counters.
        pick_fault: the server's fault chooser (header or model name).
        stream_response: the server's event-stream response class (pacing, faults).
    """
    endpoint = _endpoint(config, stats, pick_fault, stream_response)
    return [
        Route("/v1/responses", endpoint, methods=["POST"]),
        Route("/responses", endpoint, methods=["POST"]),
    ]


def _endpoint(
    config: MockSettings,
    stats: MockCounters,
    pick_fault: Callable[[Request, str], Fault | None],
    stream_response: Callable[..., Response],
) -> Callable[[Request], Awaitable[Response]]:
    async def responses(request: Request) -> Response:
        stats.count("responses")
        invalid = "invalid_request_error"
        if config.api_key is not None:
            given = request.headers.get("authorization", "")
            if given != f"Bearer {config.api_key}":
                return _answer(
                    ErrorAnswer(401, "Incorrect API key provided.", invalid, "invalid_api_key")
                )
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            message = "We could not parse the JSON body of your request."
            return _answer(ErrorAnswer(400, message, invalid))
        if "input" not in body:
            return _answer(
                ErrorAnswer(400, "Missing required parameter: 'input'.", invalid, param="input")
            )
        model = str(body.get("model") or "mock")
        try:
            fault = pick_fault(request, model)
        except ValueError as error:
            return _answer(ErrorAnswer(400, str(error), invalid, param="x-mock-fault"))
        if fault is not None and fault.is_http_error:
            return _answer(error_answer(fault, model))
        if model.startswith("replay-"):
            recording = RESPONSES_RECORDINGS.get(model[len("replay-") :])
            if recording is None:
                known = ", ".join(sorted(RESPONSES_RECORDINGS))
                message = f"The model `{model}` does not exist (known recordings: {known})."
                return _answer(ErrorAnswer(404, message, invalid, "model_not_found"))
            return stream_response(recording_events(recording), stats, fault=fault)
        try:
            messages, tools, response_format = chat_view(body)
        except RejectedInput as rejected:
            return _answer(rejected.answer)
        reply = deep_reply(messages, tools) or plan_reply(messages, tools, model, response_format)
        reply_to = ReplyTo(body, messages, model)
        if not body.get("stream"):
            if fault is not None and fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            stats.completed += 1
            return JSONResponse(reply_to.response(reply))
        size = _number(request.headers.get("x-mock-chunk-size")) or config.chunk_size
        tps = _number(request.headers.get("x-mock-tps")) or config.tokens_per_second
        events = reply_to.events(reply, chunk_size=int(size))
        return stream_response(events, stats, tokens_per_second=tps, fault=fault)

    return responses


def _answer(answer: ErrorAnswer) -> JSONResponse:
    return JSONResponse(answer.body(), status_code=answer.status, headers=answer.headers)


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else 0.0
    except ValueError:
        return None
    return value if value > 0 else None


# The request, read back as a Chat Completions conversation.


def chat_view(
    body: Mapping[str, JsonValue],
) -> tuple[list[dict[str, JsonValue]], list[dict[str, JsonValue]], JsonValue]:
    """The request as Chat Completions `messages`, `tools` and `response_format`.

    Raises:
        RejectedInput: an item the real API would refuse (an unknown call id, a stored
            item asked for by id, encrypted reasoning it did not give out).
    """
    messages: list[dict[str, JsonValue]] = []
    instructions = body.get("instructions")
    if isinstance(instructions, str) and instructions:
        messages.append({"role": "system", "content": instructions})
    given = body.get("input")
    items: list[JsonValue] = [{"role": "user", "content": given}] if isinstance(given, str) else (
        given if isinstance(given, list) else []
    )
    calls: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            _read_item(item, messages, calls)
    tools: list[dict[str, JsonValue]] = []
    for tool in _list(body.get("tools")):
        if isinstance(tool, dict) and tool.get("type") == "function":
            function: dict[str, JsonValue] = {
                k: tool[k] for k in ("name", "description", "parameters") if k in tool
            }
            tools.append({"type": "function", "function": function})
    text = body.get("text")
    form = text.get("format") if isinstance(text, dict) else None
    response_format: JsonValue = None
    if isinstance(form, dict) and form.get("type") == "json_schema":
        spec = {k: v for k, v in form.items() if k != "type"}
        response_format = {"type": "json_schema", "json_schema": spec}
    return messages, tools, response_format


def _read_item(
    item: dict[str, JsonValue], messages: list[dict[str, JsonValue]], calls: set[str]
) -> None:
    kind = item.get("type", "message")
    invalid = "invalid_request_error"
    by_id = kind == "item_reference" or (kind == "reasoning" and not item.get("encrypted_content"))
    if by_id and "id" in item:  # an item named by id alone: nothing is stored
        raise RejectedInput(
            ErrorAnswer(
                404,
                f"Item with id '{item['id']}' not found. Items are not persisted when `store` "
                "is set to false. Try again with `store` set to true, or remove this item "
                "from your input.",
                invalid,
                param="input",
            )
        )
    if kind == "message":
        role = str(item.get("role", "user"))
        role = "system" if role == "developer" else role
        messages.append({"role": role, "content": _chat_content(item.get("content"))})
    elif kind == "function_call":
        cid = str(item.get("call_id", ""))
        calls.add(cid)
        call: JsonValue = {
            "id": cid,
            "type": "function",
            "function": {"name": item.get("name"), "arguments": item.get("arguments")},
        }
        last = messages[-1] if messages else None
        if last is not None and last.get("role") == "assistant":
            listed = last.get("tool_calls")
            last["tool_calls"] = [*(listed if isinstance(listed, list) else []), call]
        else:
            messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
    elif kind == "function_call_output":
        cid = str(item.get("call_id", ""))
        if cid not in calls:
            raise RejectedInput(
                ErrorAnswer(
                    400, f"No tool call found for function call output with call_id {cid}.",
                    invalid, param="input",
                )
            )
        output = item.get("output")
        content = output if isinstance(output, str) else text_of(_chat_content(output))
        messages.append({"role": "tool", "tool_call_id": cid, "content": content})
    elif kind == "reasoning":
        sealed = item.get("encrypted_content")
        if not isinstance(sealed, str) or unseal(sealed) is None:
            raise RejectedInput(
                ErrorAnswer(
                    400, "The encrypted content of a reasoning item could not be verified.",
                    invalid, "invalid_encrypted_content", param="input",
                )
            )


def _chat_content(content: JsonValue) -> JsonValue:
    """Responses content parts as Chat Completions parts (text, image_url, file)."""
    if not isinstance(content, list):
        return content
    parts: list[JsonValue] = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in ("input_text", "output_text") and isinstance(part, dict):
            parts.append({"type": "text", "text": part.get("text")})
        elif kind == "input_image":
            parts.append({"type": "image_url", "image_url": {"url": "(image)"}})
        elif kind == "input_file":
            parts.append({"type": "file", "file": {}})
    return parts


def seal(reasoning: str) -> str:
    """The mock's encrypted content for a reasoning text."""
    return SEALED + base64.urlsafe_b64encode(reasoning.encode()).decode()


def unseal(sealed: str) -> str | None:
    """The reasoning text of encrypted content the mock gave out; None if it is not one."""
    if not sealed.startswith(SEALED):
        return None
    try:
        return base64.urlsafe_b64decode(sealed[len(SEALED) :].encode()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


# The reply, in the Responses format.


class ReplyTo:
    """The mock's answer to one request, as events or as a whole response object.

    Args:
        body: the request body (echoed settings, what to include).
        messages: the conversation it holds, in the Chat Completions shape.
        model: the model asked for.
    """

    def __init__(
        self, body: Mapping[str, JsonValue], messages: list[dict[str, JsonValue]], model: str
    ) -> None:
        self.body = body
        self.messages = messages
        self.model = model
        self.seed = json.dumps([model, messages], sort_keys=True).encode()
        self.tag = hashlib.sha256(self.seed).hexdigest()[:24]
        reasoning = body.get("reasoning")
        self.summarize = isinstance(reasoning, dict) and bool(reasoning.get("summary"))

    def output(self, reply: Reply) -> list[dict[str, JsonValue]]:
        """The finished output items of `reply`."""
        items: list[dict[str, JsonValue]] = []
        if reply.reasoning:
            summary = [reply.reasoning] if self.summarize else []
            items.append(
                reasoning_item(f"rs_mock_{self.tag}", summary, seal(reply.reasoning))
            )
        if reply.text:
            items.append(message_item(f"msg_mock_{self.tag}", reply.text))
        for index, call in enumerate(reply.tool_calls):
            items.append(
                call_item(f"fc_mock_{self.tag}_{index}", call_id(self.seed, index), call.name,
                          call.arguments)
            )
        return items

    def usage(self, reply: Reply) -> dict[str, JsonValue]:
        """Tokens in and out; the previous call's prompt (before the last assistant
        message) counts as read from the cache."""
        counts = usage_of(self.messages, reply)
        said = [i for i, m in enumerate(self.messages) if m.get("role") == "assistant"]
        last = said[-1] if said else 0
        cached = usage_of(self.messages[:last], Reply())["prompt_tokens"] if last else 0
        prompt, completion = counts["prompt_tokens"], counts["completion_tokens"]
        assert isinstance(prompt, int) and isinstance(completion, int) and isinstance(cached, int)
        thought = len(tokens(reply.reasoning))
        return usage_object(prompt, completion, cached=cached, reasoning=thought)

    def response(self, reply: Reply | None = None) -> dict[str, JsonValue]:
        """The completed response object (in progress without a reply)."""
        output: list[JsonValue] = []
        if reply is not None:
            output.extend(self.output(reply))
        whole = response_object(
            "in_progress" if reply is None else "completed", output,
            None if reply is None else self.usage(reply),
            response_id=f"resp_mock_{self.tag}", model=self.model,
        )
        for key in ("instructions", "max_output_tokens", "reasoning", "store", "temperature",
                    "tools", "text", "tool_choice", "parallel_tool_calls", "top_p"):
            if key in self.body:
                whole[key] = self.body[key]
        return whole

    def events(self, reply: Reply, *, chunk_size: int = 1) -> list[StreamEvent]:
        """The stream of `reply`: created, in_progress, each output item with its deltas
        (`chunk_size` tokens each), completed."""
        start = self.response()
        events: list[JsonValue] = [
            {"type": "response.created", "response": start},
            {"type": "response.in_progress", "response": start},
        ]
        for index, item in enumerate(self.output(reply)):
            events += _item_events(index, item, chunk_size)
        events.append({"type": "response.completed", "response": self.response(reply)})
        out: list[StreamEvent] = []
        for event in numbered(events):
            assert isinstance(event, dict)
            data = encode_event(json.dumps(event, ensure_ascii=False), event=str(event["type"]))
            out.append(StreamEvent(data, _tokens_in(event)))
        return out


def _pieces(text: str, size: int) -> list[str]:
    """`text` in deltas of `size` mock tokens."""
    found, size = tokens(text), max(size, 1)
    return ["".join(found[i : i + size]) for i in range(0, len(found), size)]


def _item_events(index: int, item: dict[str, JsonValue], size: int) -> list[JsonValue]:
    """An output item's events: added, its deltas, done (as OpenAI streams them)."""
    kind, item_id = item.get("type"), str(item.get("id"))
    if kind == "message":
        texts = [p.get("text") for p in _list(item.get("content")) if isinstance(p, dict)]
        return message_events(index, item_id, _pieces("".join(map(str, texts)), size))
    if kind == "function_call":
        arguments, step = str(item.get("arguments", "")), 4 * max(size, 1)
        pieces = [arguments[i : i + step] for i in range(0, len(arguments), step)]
        return call_events(index, item_id, str(item.get("call_id")), str(item.get("name")), pieces)
    summaries = [p.get("text") for p in _list(item.get("summary")) if isinstance(p, dict)]
    sealed = item.get("encrypted_content")
    parts = [_pieces(str(text), size) for text in summaries]
    return reasoning_events(index, item_id, parts, sealed if isinstance(sealed, str) else None)


def _tokens_in(event: dict[str, JsonValue]) -> int:
    """The tokens an event carries (for pacing): a text delta's, one per argument delta."""
    delta = event.get("delta")
    if not isinstance(delta, str):
        return 0
    if event.get("type") == "response.function_call_arguments.delta":
        return 1
    return len(tokens(delta))


def recording_events(recording: Recording) -> list[StreamEvent]:
    """The bytes of a Responses recording: each event as `event: <type>` and its data (in
    `byte_split`-sized writes if the recording says so; `comments` and `multiline` are not
    used by these recordings)."""
    writes: list[bytes] = []
    for payload in recording.chunks:
        if isinstance(payload, dict):
            name = payload.get("type")
            text = json.dumps(payload, ensure_ascii=False)
            writes.append(encode_event(text, event=name if isinstance(name, str) else None,
                                       line_ending=recording.line_ending))
        else:
            writes.append(encode_event(str(payload), line_ending=recording.line_ending))
    split = recording.byte_split
    if not split:
        return [StreamEvent(data) for data in writes]
    raw = b"".join(writes)
    return [StreamEvent(raw[i : i + split]) for i in range(0, len(raw), split)]


def _list(value: JsonValue) -> list[JsonValue]:
    return value if isinstance(value, list) else []
