"""A stored thread drawn again (when it is opened): its messages as the runs showed them."""

from __future__ import annotations

from textual.widget import Widget

from ..core.content import content_text
from ..core.messages import Message
from .messages import UserMessage
from .stream import StreamedMarkdown
from .tool_card import ToolCard
from .transcript import RunView


async def replay(container: Widget, messages: list[Message]) -> None:
    """Mount `messages` (user messages, then what the assistant said and did) in `container`."""
    results = {m.tool_call_id: m for m in messages if m.role == "tool"}
    view: RunView | None = None
    for message in messages:
        if message.role == "user":
            await container.mount(UserMessage(content_text(message.content)))
            view = None
        elif message.role == "assistant":
            if view is None:
                view = RunView()
                await container.mount(view)
            text = content_text(message.content)
            if text.strip():
                segment = StreamedMarkdown(text, classes="assistant-text")
                view.segments.append(segment)
                await view.mount(segment)
            for call in message.tool_calls:
                card = view.cards[call.id] = ToolCard(call.id, call.name)
                await view.mount(card)
                result = results.get(call.id)
                answer = None if result is None else content_text(result.content)
                card.recorded(call.arguments, answer)
