"""Multimodal message content: plain text or a list of typed parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, TypeAlias

from .schema_types import Tagged


@dataclass(frozen=True, slots=True)
class TextPart:
    """A run of text."""

    text: str
    type: Literal["text"] = field(default="text", kw_only=True)


@dataclass(frozen=True, slots=True)
class ImageUrlPart:
    """An image by URL (http(s) or a `data:` URL)."""

    url: str
    detail: Literal["auto", "low", "high"] | None = None
    type: Literal["image_url"] = field(default="image_url", kw_only=True)


@dataclass(frozen=True, slots=True)
class ImageBase64Part:
    """An image given inline as base64 bytes with its media type."""

    data: str
    media_type: str = "image/png"
    type: Literal["image_base64"] = field(default="image_base64", kw_only=True)


@dataclass(frozen=True, slots=True)
class AudioPart:
    """Audio given inline as base64 bytes; `format` is e.g. "wav" or "mp3"."""

    data: str
    format: str = "wav"
    type: Literal["audio"] = field(default="audio", kw_only=True)


@dataclass(frozen=True, slots=True)
class FilePart:
    """A file given inline as base64 bytes."""

    data: str
    media_type: str
    filename: str | None = None
    type: Literal["file"] = field(default="file", kw_only=True)


ContentPart: TypeAlias = Annotated[
    TextPart | ImageUrlPart | ImageBase64Part | AudioPart | FilePart,
    Tagged("type"),
]
"""One part of a multimodal message."""

Content: TypeAlias = str | list[ContentPart]
"""Message content: a string, or a list of parts."""


def content_text(content: Content) -> str:
    """The text of `content`: the string itself, or its text parts joined."""
    if isinstance(content, str):
        return content
    return "".join(part.text for part in content if isinstance(part, TextPart))
