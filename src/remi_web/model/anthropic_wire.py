"""The Messages API request body: system prompt, content blocks, tools and options.

What differs from Chat Completions: the system prompt is a top-level `system`; an
assistant's tool calls are `tool_use` blocks (after its signed thinking blocks, see
`anthropic_reasoning`); tool results are `tool_result` blocks of a user turn, and turns of
the same role are merged (results first), as the API wants; `max_tokens` is required.
"""

from __future__ import annotations

import base64
import binascii
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
from ..core.messages import Message
from ..core.model_io import ModelRequest, ToolDefinition
from ..core.schema_types import JsonValue
from .anthropic_reasoning import reasoning_blocks

_NEEDS_TOOLS = ("tool_choice",)


def part_to_block(part: ContentPart) -> dict[str, JsonValue]:
    """One content part as an Anthropic content block (text, image, document).

    Raises:
        ValueError: audio, or a file Anthropic cannot read (only PDF and plain text are).
    """
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, ImageBase64Part):
        return _image(part.media_type, part.data)
    if isinstance(part, ImageUrlPart):
        if part.url.startswith("data:"):
            media_type, data = _data_url(part.url)
            return _image(media_type, data)
        return {"type": "image", "source": {"type": "url", "url": part.url}}
    if isinstance(part, FilePart):
        if part.media_type == "application/pdf":
            source: dict[str, JsonValue] = {
                "type": "base64", "media_type": part.media_type, "data": part.data,
            }
        elif part.media_type == "text/plain":
            source = {"type": "text", "media_type": "text/plain", "data": _text_of(part)}
        else:
            raise ValueError(
                f"Anthropic reads PDF and plain-text files, not {part.media_type!r} "
                f"({part.filename or 'a file part'}): convert it first"
            )
        document: dict[str, JsonValue] = {"type": "document", "source": source}
        if part.filename:
            document["title"] = part.filename
        return document
    if isinstance(part, AudioPart):
        raise ValueError("Anthropic's Messages API takes no audio input: transcribe it first")
    raise TypeError(f"unknown content part {part!r}")


def _image(media_type: str, data: str) -> dict[str, JsonValue]:
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def _data_url(url: str) -> tuple[str, str]:
    head, comma, data = url.partition(",")
    if not comma or not head.endswith(";base64"):
        raise ValueError(f"an image data URL must be base64: {url[:40]!r}...")
    return head[len("data:") : -len(";base64")] or "image/png", data


def _text_of(part: FilePart) -> str:
    try:
        return base64.b64decode(part.data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(
            f"the text file {part.filename or ''!r} is not base64-encoded UTF-8"
        ) from None


def content_to_blocks(content: Content) -> list[dict[str, JsonValue]]:
    """Message content as content blocks (empty text is left out: the API rejects it)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return [
        part_to_block(part)
        for part in content
        if not (isinstance(part, TextPart) and not part.text)
    ]


def tool_input(arguments: str) -> dict[str, JsonValue]:
    """A call's JSON arguments as the `input` object of a `tool_use` block; arguments that
    are not a JSON object (a model's malformed call) are kept as `{"INVALID_JSON": text}`."""
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except ValueError:
        value = None
    return value if isinstance(value, dict) else {"INVALID_JSON": arguments}


def assistant_blocks(message: Message) -> list[dict[str, JsonValue]]:
    """An assistant message's blocks: its signed thinking, its text, its tool calls."""
    blocks = reasoning_blocks(message.reasoning, message.reasoning_data)
    blocks.extend(content_to_blocks(message.content))
    for call in message.tool_calls:
        arguments = tool_input(call.arguments)
        blocks.append({"type": "tool_use", "id": call.id, "name": call.name, "input": arguments})
    return blocks


def tool_result_block(message: Message) -> dict[str, JsonValue]:
    """A tool message as a `tool_result` block (text as a string, other parts as blocks)."""
    content: JsonValue
    if isinstance(message.content, str) or all(
        isinstance(part, TextPart) for part in message.content
    ):
        content = content_text(message.content)
    else:
        content = list[JsonValue](content_to_blocks(message.content))
    block: dict[str, JsonValue] = {
        "type": "tool_result", "tool_use_id": message.tool_call_id or "", "content": content
    }
    if message.is_error:
        block["is_error"] = True
    return block


def messages_to_wire(messages: list[Message]) -> tuple[str, list[JsonValue]]:
    """The `system` text (every system message, joined by a blank line) and the turns.

    Consecutive messages of one role become one turn (tool results and user messages are
    both user turns; the `tool_result` blocks come first, as the API requires); an
    assistant message with nothing to say is left out.
    """
    system: list[str] = []
    turns: list[tuple[str, list[dict[str, JsonValue]]]] = []
    for message in messages:
        if message.role == "system":
            text = content_text(message.content)
            if text:
                system.append(text)
            continue
        if message.role == "assistant":
            role, blocks = "assistant", assistant_blocks(message)
            if not blocks:
                continue
        elif message.role == "tool":
            role, blocks = "user", [tool_result_block(message)]
        else:
            role, blocks = "user", content_to_blocks(message.content)
        if turns and turns[-1][0] == role:
            turns[-1][1].extend(blocks)
        else:
            turns.append((role, blocks))
    wire: list[JsonValue] = []
    for role, blocks in turns:
        if role == "user":
            blocks.sort(key=lambda block: block.get("type") != "tool_result")  # stable
        content: JsonValue
        if len(blocks) == 1 and blocks[0].get("type") == "text":
            content = blocks[0]["text"]
        else:
            content = list[JsonValue](blocks)
        wire.append({"role": role, "content": content})
    return "\n\n".join(system), wire


def tool_to_wire(tool: ToolDefinition) -> dict[str, JsonValue]:
    """A tool definition: name, description and `input_schema`."""
    wire: dict[str, JsonValue] = {"name": tool.name}
    if tool.description:
        wire["description"] = tool.description
    wire["input_schema"] = tool.parameters
    return wire


def build_body(
    request: ModelRequest,
    *,
    model: str,
    defaults: Mapping[str, JsonValue],
    extra_body: Mapping[str, JsonValue] | None = None,
) -> dict[str, JsonValue]:
    """The JSON body of a streaming Messages call.

    Precedence, lowest first: `defaults` (the client's options, `max_tokens` among them),
    the request's own temperature and max_tokens, `extra_body`, then `request.extra`.
    `stream` is always on.

    Args:
        request: what to ask.
        model: the model to use when the request names none.
        defaults: the client's options, in wire form.
        extra_body: provider keys sent as-is (the escape hatch).
    """
    system, messages = messages_to_wire(request.messages)
    body: dict[str, JsonValue] = {"model": request.model or model, "messages": messages}
    if system:
        body["system"] = system
    if request.tools:
        body["tools"] = [tool_to_wire(tool) for tool in request.tools]
    body.update(defaults)
    if not request.tools:
        for key in _NEEDS_TOOLS:
            body.pop(key, None)
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_tokens is not None:
        body["max_tokens"] = request.max_tokens
    if extra_body:
        body.update(extra_body)
    if request.extra:
        body.update(request.extra)
    body["stream"] = True
    return body
