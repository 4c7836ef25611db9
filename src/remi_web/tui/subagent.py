"""`SubAgentSection`: a deep agent's sub-agent at work inside its `task` card, folded once it
ends (the card's result is its report)."""

from __future__ import annotations

from textual.widget import Widget

from .messages import Fold

ENDED = {"done": "finished", "error": "failed", "cancelled": "stopped",
         "interrupt": "waiting for approval"}
"""What the section says when the sub-run's stream ends with each type."""


class SubAgentSection(Fold):
    """The sub-agent's own stream, drawn by `view` (a run view of its own, so its call ids
    never mix with the parent's).

    Args:
        agent_name: the sub-agent's name.
        view: the widget its events are shown in.
    """

    def __init__(self, agent_name: str, view: Widget) -> None:
        self.agent_name = agent_name
        self.view = view
        self.calls = 0
        self.state = "working…"
        super().__init__(view, title=self._describe(), collapsed=False, classes="sub-agent")

    def saw(self, event_type: str) -> None:
        """Count a tool call or note the end of the sub-run, from an event's `type`."""
        if event_type == "tool_call_start":
            self.calls += 1
        self.state = ENDED.get(event_type, self.state)
        self.title = self._describe()

    def _describe(self) -> str:
        calls = "1 tool call" if self.calls == 1 else f"{self.calls} tool calls"
        return f"{self.agent_name}'s work: {self.state} · {calls}"
