"""JSON summaries of messages, content and tool arguments, as trace records carry them.

Inline binary data (images, audio, files) is replaced by its size: traces keep the shape
of a conversation, not its bytes.
"""

from __future__ import annotations

import json

from ..core.schema_types import JsonValue

from ..core.content import Content, ImageUrlPart, TextPart
from ..core.messages import Message, ToolCallRequest


def content_json(content: Content) -> JsonValue:
    """`content` as JSON: the string, or one object per part."""
    if isinstance(content, str):
        return content
    parts: list[JsonValue] = []
    for part in content:
        if isinstance(part, TextPart):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, ImageUrlPart):
            url = part.url
            if url.startswith("data:"):
                url = f"<data url, {len(url)} chars>"
            parts.append({"type": "image_url", "url": url})
        else:
            parts.append({"type": part.type, "data": f"<{len(part.data)} base64 chars>"})
    return parts


def arguments_json(arguments: str) -> JsonValue:
    """A tool call's raw JSON arguments, parsed when they are valid JSON."""
    try:
        parsed: JsonValue = json.loads(arguments)
    except ValueError:
        return arguments
    return parsed


def call_json(call: ToolCallRequest) -> JsonValue:
    """A tool call the model asked for."""
    return {"id": call.id, "name": call.name, "arguments": arguments_json(call.arguments)}


def message_json(message: Message) -> JsonValue:
    """A message as `{role, content}` plus its tool calls, tool call id, name and reasoning
    when set."""
    out: dict[str, JsonValue] = {"role": message.role, "content": content_json(message.content)}
    if message.tool_calls:
        out["tool_calls"] = [call_json(call) for call in message.tool_calls]
    if message.tool_call_id is not None:
        out["tool_call_id"] = message.tool_call_id
    if message.name is not None:
        out["name"] = message.name
    if message.reasoning:
        out["reasoning"] = message.reasoning
    return out
