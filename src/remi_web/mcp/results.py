"""An MCP tool's result (`CallToolResult` JSON) as remi content: text, images, audio, embedded
resources and resource links become `remi_web.core.content` parts."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..core.content import (
    AudioPart,
    Content,
    ContentPart,
    FilePart,
    ImageBase64Part,
    TextPart,
)
from ..core.schema_types import JsonValue

_AUDIO_FORMATS = {"mpeg": "mp3", "x-wav": "wav", "wave": "wav", "x-flac": "flac"}


def result_content(result: Mapping[str, JsonValue]) -> Content:
    """The content of a tool's result for the model: one string when every block is text
    (blocks joined by newlines), else a list of parts. A result with no content blocks gives
    its `structuredContent` as JSON text."""
    blocks = result.get("content")
    parts: list[ContentPart] = []
    if isinstance(blocks, list):
        for block in blocks:
            parts.append(content_part(block))
    if not parts:
        structured = result.get("structuredContent")
        return "" if structured is None else json.dumps(structured, ensure_ascii=False)
    if all(isinstance(part, TextPart) for part in parts):
        return "\n".join(part.text for part in parts if isinstance(part, TextPart))
    return parts


def is_error(result: Mapping[str, JsonValue]) -> bool:
    """Whether the server marked the result as the tool's failure (`isError`)."""
    return result.get("isError") is True


def content_part(block: JsonValue) -> ContentPart:
    """One MCP content block as a part (an unknown kind of block as its JSON text)."""
    if not isinstance(block, dict):
        return TextPart(json.dumps(block, ensure_ascii=False))
    kind = block.get("type")
    mime = _str(block.get("mimeType"))
    if kind == "text":
        return TextPart(_str(block.get("text")))
    if kind == "image" and isinstance(block.get("data"), str):
        return ImageBase64Part(_str(block.get("data")), mime or "image/png")
    if kind == "audio" and isinstance(block.get("data"), str):
        return AudioPart(_str(block.get("data")), _audio_format(mime))
    if kind == "resource" and isinstance(block.get("resource"), dict):
        resource = block["resource"]
        assert isinstance(resource, dict)
        return _resource(resource)
    if kind == "resource_link":
        name = _str(block.get("name")) or _str(block.get("uri"))
        about = _str(block.get("description"))
        text = f"Resource {name}: {_str(block.get('uri'))}" + (f" ({about})" if about else "")
        return TextPart(text)
    return TextPart(json.dumps(block, ensure_ascii=False))


def _resource(resource: Mapping[str, JsonValue]) -> ContentPart:
    """An embedded resource: its text, or its bytes as an image or a file."""
    if isinstance(resource.get("text"), str):
        return TextPart(_str(resource.get("text")))
    mime = _str(resource.get("mimeType")) or "application/octet-stream"
    blob = _str(resource.get("blob"))
    if mime.startswith("image/"):
        return ImageBase64Part(blob, mime)
    uri = _str(resource.get("uri"))
    filename = uri.rstrip("/").rsplit("/", 1)[-1] or None
    return FilePart(blob, mime, filename)


def _audio_format(mime: str) -> str:
    subtype = mime.partition("/")[2] or "wav"
    return _AUDIO_FORMATS.get(subtype, subtype)


def _str(value: JsonValue) -> str:
    return value if isinstance(value, str) else ""
