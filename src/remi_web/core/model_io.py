"""What flows into and out of a chat model: `ModelRequest` in, `ModelChunk`s out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, TypeAlias

from .schema_types import JsonValue, Tagged

from .agent import Agent
from .messages import Message
from .usage import Usage


@dataclass(frozen=True, slots=True)
class ToolDefinition:
    """A tool as the model sees it: name, description, JSON Schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, JsonValue] = field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """One call to a chat model. `extra` holds provider options sent as-is."""

    messages: list[Message]
    tools: list[ToolDefinition] = field(default_factory=list)
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    extra: dict[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextChunk:
    """A piece of the assistant's text."""

    text: str
    type: Literal["text"] = field(default="text", kw_only=True)


@dataclass(frozen=True, slots=True)
class ThinkingChunk:
    """A piece of the model's reasoning. `data`, when set, is the provider's opaque record
    of the call's reasoning (encrypted reasoning items, signatures) that it wants back on
    later calls; the assistant message keeps the last one sent (`Message.reasoning_data`)."""

    text: str
    data: str | None = field(default=None, kw_only=True)
    type: Literal["thinking"] = field(default="thinking", kw_only=True)


@dataclass(frozen=True, slots=True)
class ToolCallChunk:
    """A piece of tool call `index`: id and name come first, arguments in fragments."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""
    type: Literal["tool_call"] = field(default="tool_call", kw_only=True)


@dataclass(frozen=True, slots=True)
class UsageChunk:
    """Token usage of the call (usually the last chunk); `model` names the model that
    answered, when the client knows it."""

    usage: Usage
    model: str | None = None
    type: Literal["usage"] = field(default="usage", kw_only=True)


@dataclass(frozen=True, slots=True)
class RetryChunk:
    """The call failed before its stream started; the client tries again in `delay` seconds
    (retry `attempt` of at most `max_retries`) because of `reason`."""

    attempt: int
    max_retries: int
    delay: float
    reason: str
    type: Literal["retry"] = field(default="retry", kw_only=True)


ModelChunk: TypeAlias = Annotated[
    TextChunk | ThinkingChunk | ToolCallChunk | UsageChunk | RetryChunk, Tagged("type")
]
"""Anything a chat model streams."""

ChatModel: TypeAlias = Agent[ModelRequest, ModelChunk]
"""A chat model is an Agent from model requests to model chunks."""
