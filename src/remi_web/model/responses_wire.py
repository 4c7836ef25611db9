"""The OpenAI Responses API request body, built from a `ModelRequest`.

The system prompt goes as `instructions` and the history as `input` items: messages
(`input_text` parts from the user, `output_text` from the assistant), `function_call` and
`function_call_output` items, and the reasoning items of earlier replies, sent back as the
provider gave them (`Message.reasoning_data`, written by `ResponsesParser`). Item ids are
left out, as stateless clients do; `store: false` keeps nothing on the provider's side.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

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
from ..core.errors import RequestError
from ..core.messages import Message
from ..core.model_io import ModelRequest, ToolDefinition
from ..core.schema_types import JsonValue

REASONING_DATA_KEY = "openai_responses"
"""The key of `Message.reasoning_data` this client writes and reads (others are ignored)."""

ENCRYPTED_REASONING = "reasoning.encrypted_content"
"""The `include` value that asks for the encrypted reasoning items."""

_NEEDS_TOOLS = ("tool_choice", "parallel_tool_calls")

def input_part(part: ContentPart) -> dict[str, JsonValue]:
    """One part of a user message (or of a tool result) as a Responses input part.

    Raises:
        RequestError: audio, which the Responses API does not take as input.
    """
    if isinstance(part, TextPart):
        return {"type": "input_text", "text": part.text}
    if isinstance(part, ImageUrlPart):
        return {"type": "input_image", "image_url": part.url, "detail": part.detail or "auto"}
    if isinstance(part, ImageBase64Part):
        url = f"data:{part.media_type};base64,{part.data}"
        return {"type": "input_image", "image_url": url, "detail": "auto"}
    if isinstance(part, FilePart):
        file: dict[str, JsonValue] = {
            "type": "input_file",
            "file_data": f"data:{part.media_type};base64,{part.data}",
        }
        if part.filename is not None:
            file["filename"] = part.filename
        return file
    if isinstance(part, AudioPart):
        raise RequestError(
            "the Responses API takes no audio input: use OpenAIModel (Chat Completions) "
            "with an audio model, or send a transcript"
        )
    raise TypeError(f"unknown content part {part!r}")


def _user_content(content: Content) -> list[JsonValue]:
    if isinstance(content, str):
        return [{"type": "input_text", "text": content}]
    return [input_part(part) for part in content]


def _tool_output(content: Content) -> JsonValue:
    """A tool result: its text, or input parts when it holds more than text."""
    if isinstance(content, str) or all(isinstance(part, TextPart) for part in content):
        return content_text(content)
    return [input_part(part) for part in content]


def reasoning_items(message: Message) -> list[dict[str, JsonValue]] | None:
    """The output items of the reply `message` came from, as this client recorded them in
    `reasoning_data` (reasoning items in full, messages and calls as placeholders in their
    order); None if it holds no such record."""
    if not message.reasoning_data:
        return None
    try:
        data = json.loads(message.reasoning_data)
    except ValueError:
        return None
    items = data.get(REASONING_DATA_KEY) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    return [item for item in items if isinstance(item, dict)]


def _reasoning_input(item: Mapping[str, JsonValue], store: bool) -> dict[str, JsonValue] | None:
    """A recorded reasoning item as input: with its encrypted content; by id alone if the
    provider stores responses; None if it cannot be sent back."""
    summary = item.get("summary")
    wire: dict[str, JsonValue] = {
        "type": "reasoning",
        "summary": summary if isinstance(summary, list) else [],
    }
    item_id = item.get("id")
    if store and isinstance(item_id, str) and item_id:
        wire["id"] = item_id
    encrypted = item.get("encrypted_content")
    if isinstance(encrypted, str) and encrypted:
        wire["encrypted_content"] = encrypted
    elif "id" not in wire:
        return None
    return wire


def _assistant_items(message: Message, store: bool) -> list[JsonValue]:
    text = content_text(message.content)
    said: JsonValue = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text}],
    }
    calls: dict[str, JsonValue] = {
        call.id: {
            "type": "function_call",
            "call_id": call.id,
            "name": call.name,
            "arguments": call.arguments or "{}",
        }
        for call in message.tool_calls
    }
    order = reasoning_items(message) or []
    out: list[JsonValue] = []
    held: list[JsonValue] = []  # reasoning items wait for the item they led to
    for item in order:
        kind = item.get("type")
        if kind == "reasoning":
            wire = _reasoning_input(item, store)
            if wire is not None:
                held.append(wire)
        elif kind == "message" and text and said is not None:
            out += [*held, said]
            held, said = [], None
        elif kind == "function_call":
            call = calls.pop(str(item.get("call_id")), None)
            if call is not None:
                out += [*held, call]
                held = []
    if said is not None and text:
        out.append(said)
    out.extend(calls.values())
    return out


def message_items(message: Message, *, store: bool = False) -> list[JsonValue]:
    """The input items of one message (a system message becomes a `system` message item).

    Args:
        message: the message.
        store: whether the provider stores responses (then reasoning items without
            encrypted content are sent by id).
    """
    role = message.role
    if role == "user":
        return [{"type": "message", "role": "user", "content": _user_content(message.content)}]
    if role == "tool":
        return [
            {
                "type": "function_call_output",
                "call_id": message.tool_call_id or "",
                "output": _tool_output(message.content),
            }
        ]
    if role == "system":
        text = content_text(message.content)
        return [{"type": "message", "role": "system", "content": text}]
    return _assistant_items(message, store)


def tool_to_wire(tool: ToolDefinition, *, strict: bool = False) -> dict[str, JsonValue]:
    """A tool definition as a Responses `function` tool (`strict` is always said: the
    API's default is strict, which needs schemas written for it)."""
    wire: dict[str, JsonValue] = {"type": "function", "name": tool.name}
    if tool.description:
        wire["description"] = tool.description
    wire["parameters"] = tool.parameters
    wire["strict"] = strict
    return wire


def split_instructions(messages: list[Message]) -> tuple[str | None, list[Message]]:
    """The leading system messages joined as `instructions`, and the rest of the history."""
    head = 0
    while head < len(messages) and messages[head].role == "system":
        head += 1
    texts = [content_text(m.content) for m in messages[:head]]
    instructions = "\n\n".join(text for text in texts if text)
    return instructions or None, messages[head:]


def text_format(response_format: JsonValue) -> JsonValue:
    """A Chat Completions `response_format` (an output type's native mode) as the
    Responses `text.format`; other values pass as they are."""
    if not isinstance(response_format, dict):
        return response_format
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema")
        if isinstance(spec, dict):
            return {"type": "json_schema", **spec}
    return response_format


def build_body(
    request: ModelRequest,
    *,
    model: str,
    defaults: Mapping[str, JsonValue] | None = None,
    extra_body: Mapping[str, JsonValue] | None = None,
    store: bool = False,
    strict: bool = False,
) -> dict[str, JsonValue]:
    """The JSON body of a streaming Responses call.

    Precedence, lowest first: `defaults` (the client's options), the request's own
    settings, `extra_body`, then `request.extra`. A `response_format` in `request.extra`
    becomes `text.format`. `stream` is always on.

    Args:
        request: what to ask.
        model: the model to use when the request names none.
        defaults: the client's options (temperature, reasoning, include, tool_choice...).
        extra_body: provider-specific keys, sent as-is.
        store: let the provider store the response (`store`).
        strict: declare tools strict (their schemas must follow the strict rules).
    """
    instructions, history = split_instructions(request.messages)
    items: list[JsonValue] = []
    for message in history:
        items.extend(message_items(message, store=store))
    body: dict[str, JsonValue] = {"model": request.model or model}
    if instructions is not None:
        body["instructions"] = instructions
    body["input"] = items
    if request.tools:
        body["tools"] = [tool_to_wire(tool, strict=strict) for tool in request.tools]
    body.update(defaults or {})
    if not request.tools:
        for key in _NEEDS_TOOLS:
            body.pop(key, None)
    body["store"] = store
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens is not None:
        body["max_output_tokens"] = request.max_tokens
    body.update(extra_body or {})
    extra = dict(request.extra)
    if "response_format" in extra:
        text = body.get("text")
        body["text"] = {
            **(text if isinstance(text, dict) else {}),
            "format": text_format(extra.pop("response_format")),
        }
    body.update(extra)
    body["stream"] = True
    return body
