"""`RunView`: what one run shows in the message list, event by event."""

from __future__ import annotations

import json

from textual.containers import Vertical

from ..core.content import content_text
from ..core.events import (
    AgentEvent,
    Cancelled,
    Done,
    ErrorEvent,
    InterruptEvent,
    NeedToolExecution,
    SubSession,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallReady,
    ToolCallStart,
    ToolProgress,
    ToolResult,
)
from ..core.wire import event_from_json
from .messages import Notice, ThinkingBlock
from .stream import StreamedMarkdown
from .subagent import SubAgentSection
from .tool_card import ToolCard

_ENDS = ("done", "error", "cancelled")


class RunView(Vertical):
    """A run's text (Markdown, streamed), thinking, tool cards (a sub-agent's work inside its
    `task` card, drawn by a nested `RunView`) and how it ended.

    Args:
        nested: whether it shows a sub-agent's run.
    """

    def __init__(self, *, nested: bool = False) -> None:
        super().__init__(classes="run nested-run" if nested else "run")
        self.cards: dict[str, ToolCard] = {}
        self.segments: list[StreamedMarkdown] = []
        self.notices: list[Notice] = []
        self._text: StreamedMarkdown | None = None
        self._thinking: ThinkingBlock | None = None
        self._sub_views: dict[str, tuple[SubAgentSection, RunView]] = {}

    @property
    def text(self) -> str:
        """The run's text so far (its segments between tool calls, joined)."""
        return "".join(segment.text for segment in self.segments)

    async def show(self, event: AgentEvent) -> None:
        """Draw one event (the ones about the run as a whole are the app's)."""
        if isinstance(event, TextDelta):
            if self._text is None:
                await self._begin_text()
            assert self._text is not None
            self._text.feed(event.text)
        elif isinstance(event, ThinkingDelta):
            if self._thinking is None:
                self._thinking = ThinkingBlock()
                await self.mount(self._thinking)
            self._thinking.feed(event.text)
        elif isinstance(event, ToolCallStart):
            await self._card(event.call_id, event.name)
        elif isinstance(event, ToolCallArgsDelta):
            if event.call_id in self.cards:
                self.cards[event.call_id].args_delta(event.delta)
        elif isinstance(event, ToolCallReady):
            (await self._card(event.call_id, event.name)).ready(event.arguments)
        elif isinstance(event, ToolProgress):
            (await self._card(event.call_id, event.name)).progress(event.data)
        elif isinstance(event, ToolResult):
            card = await self._card(event.call_id, event.name)
            card.finish(content_text(event.content), event.is_error)
        elif isinstance(event, SubSession):
            await self._sub_event(event)
        else:
            await self._end(event)

    async def settle(self) -> None:
        """Draw all the text streamed so far now."""
        if self._thinking is not None:
            await self._thinking.fold()
            self._thinking = None
        if self._text is not None:
            await self._text.settle()

    async def note(self, text: str, kind: str = "info") -> Notice:
        """Add a line of the app's own under the run."""
        notice = Notice(text, kind)
        self.notices.append(notice)
        await self.mount(notice)
        return notice

    async def _end(self, event: AgentEvent) -> None:
        if isinstance(event, Done | InterruptEvent):
            await self.settle()
        elif isinstance(event, Cancelled):
            await self.settle()
            for card in self.cards.values():
                card.stop()
            await self.note("cancelled", "warning")
        elif isinstance(event, ErrorEvent):
            await self.settle()
            await self.note(f"error ({event.code}): {event.message}", "error")
        elif isinstance(event, NeedToolExecution):
            await self.settle()
            names = ", ".join(call.name for call in event.calls)
            await self.note(f"the agent waits for results of tools it does not run: {names}",
                            "warning")

    async def _begin_text(self) -> None:
        if self._thinking is not None:
            await self._thinking.fold()
            self._thinking = None
        self._text = StreamedMarkdown(classes="assistant-text")
        self.segments.append(self._text)
        await self.mount(self._text)

    async def _card(self, call_id: str, name: str) -> ToolCard:
        card = self.cards.get(call_id)
        if card is None:
            await self.settle()
            self._text = None
            card = self.cards[call_id] = ToolCard(call_id, name)
            await self.mount(card)
        return card

    async def _sub_event(self, event: SubSession) -> None:
        inner = event.event
        if not isinstance(inner, dict):
            return
        found = self._sub_views.get(event.parent_call_id)
        if found is None:
            view = RunView(nested=True)
            section = SubAgentSection(event.agent_name, view)
            found = self._sub_views[event.parent_call_id] = (section, view)
            card = self.cards.get(event.parent_call_id)
            await (card.attach(section) if card is not None else self.mount(section))
        section, view = found
        kind = str(inner.get("type"))
        section.saw(kind)
        try:
            parsed = event_from_json(json.dumps(inner))
        except ValueError:
            return
        await view.show(parsed)
        if kind in _ENDS:
            section.fold_quietly()
