"""Conversation messages, including the assistant's tool calls and reasoning."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from .content import Content
from .ids import MessageId, new_message_id

Role: TypeAlias = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class ToolCallRequest:
    """A tool call the model asked for; `arguments` is the raw JSON text it produced."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a conversation. `reasoning_data` is the provider's opaque record of an
    assistant reply's reasoning, sent back on later calls by the client that wrote it;
    `is_error` marks a tool result that reports the tool's failure."""

    role: Role
    content: Content = ""
    tool_calls: list[ToolCallRequest] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    reasoning: str | None = None
    id: MessageId = field(default_factory=new_message_id)
    reasoning_data: str | None = field(default=None, kw_only=True)
    is_error: bool = field(default=False, kw_only=True)

    @staticmethod
    def system(text: str) -> Message:
        """A system prompt."""
        return Message("system", text)

    @staticmethod
    def user(content: Content, name: str | None = None) -> Message:
        """A user message (text or multimodal parts)."""
        return Message("user", content, name=name)

    @staticmethod
    def assistant(
        content: Content = "",
        tool_calls: list[ToolCallRequest] | None = None,
        reasoning: str | None = None,
        *,
        reasoning_data: str | None = None,
    ) -> Message:
        """An assistant reply, possibly with tool calls and reasoning."""
        return Message(
            "assistant", content, tool_calls=tool_calls or [], reasoning=reasoning,
            reasoning_data=reasoning_data,
        )

    @staticmethod
    def tool(
        call_id: str, content: Content, name: str | None = None, *, is_error: bool = False
    ) -> Message:
        """The result of tool call `call_id`, as the model will read it (`is_error`: the
        tool failed, and `content` says how)."""
        return Message("tool", content, tool_call_id=call_id, name=name, is_error=is_error)
