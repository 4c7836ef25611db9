"""`ApprovalScreen`: a tool call waits for the user: approve, deny, or edit its arguments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

from ..core.schema_types import JsonValue
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TextArea

from ..core.events import InterruptInfo

DENIED = "denied by the user"
"""The reason a denial gives the model."""


@dataclass(frozen=True, slots=True)
class ApprovalAnswer:
    """The user's answer: approved or not, and the edited arguments (JSON text), if any."""

    approved: bool
    arguments: str | None = None
    reason: str = DENIED

    def payload(self) -> JsonValue:
        """The `Resume` payload of this answer."""
        if not self.approved:
            return {"approved": False, "reason": self.reason}
        if self.arguments is None:
            return {"approved": True}
        edited: JsonValue = json.loads(self.arguments)
        return {"approved": True, "arguments": edited}


class ApprovalScreen(ModalScreen[ApprovalAnswer | None]):
    """Asks about one interrupted tool call; dismissed with an `ApprovalAnswer` (None: the
    run stays paused).

    Args:
        info: the interrupt.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,a", "approve", "Approve"),
        Binding("n,d", "deny", "Deny"),
        Binding("e", "edit", "Edit"),
        Binding("ctrl+s", "save", "Approve edited", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, info: InterruptInfo) -> None:
        super().__init__()
        self.info = info
        self.editing = False

    @property
    def arguments(self) -> str:
        """The call's arguments, as JSON text."""
        payload = self.info.payload
        given = payload.get("arguments") if isinstance(payload, dict) else None
        if given is not None:
            return json.dumps(given, ensure_ascii=False, indent=2)
        try:
            return json.dumps(json.loads(self.info.arguments), ensure_ascii=False, indent=2)
        except ValueError:
            return self.info.arguments

    def compose(self) -> ComposeResult:
        """The question, the arguments (editable), the buttons."""
        payload = self.info.payload
        where = payload.get("sub_agent") if isinstance(payload, dict) else None
        by = f" (asked by the sub-agent {where})" if where else ""
        question = (f"Approve {self.info.tool_name}?" if self.info.kind == "approval"
                    else f"{self.info.tool_name} asks for input ({self.info.kind})")
        with Vertical(id="dialog"):
            yield Label(question + by, id="question", markup=False)
            yield Static(self.arguments, id="arguments", markup=False)
            yield TextArea(self.arguments, id="editor", language=None)
            yield Label("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Approve (y)", id="approve", variant="success")
                yield Button("Deny (n)", id="deny", variant="error")
                yield Button("Edit (e)", id="edit")
                yield Button("Approve edited (ctrl+s)", id="save", variant="success")
                yield Button("Back (esc)", id="back")

    def on_mount(self) -> None:
        """Start in the approve/deny mode."""
        self._mode(editing=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The letters answer only outside the editor; saving only inside it."""
        if action in ("approve", "deny", "edit"):
            return not self.editing
        if action in ("save", "back"):
            return self.editing
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button does what its key does."""
        actions = {"approve": self.action_approve, "deny": self.action_deny,
                   "edit": self.action_edit, "save": self.action_save, "back": self.action_back}
        if event.button.id in actions:
            actions[event.button.id]()

    def action_approve(self) -> None:
        """Run the call as it is."""
        self.dismiss(ApprovalAnswer(True))

    def action_deny(self) -> None:
        """Refuse the call."""
        self.dismiss(ApprovalAnswer(False))

    def action_edit(self) -> None:
        """Edit the arguments before approving."""
        self._mode(editing=True)

    def action_back(self) -> None:
        """Leave the editor."""
        self._mode(editing=False)

    def action_save(self) -> None:
        """Approve with the edited arguments (a JSON object)."""
        text = self.query_one(TextArea).text
        try:
            parsed = json.loads(text)
        except ValueError as error:
            self.query_one("#error", Label).update(f"not JSON: {error}")
            return
        if not isinstance(parsed, dict):
            self.query_one("#error", Label).update("the arguments must be a JSON object")
            return
        self.dismiss(ApprovalAnswer(True, json.dumps(parsed, ensure_ascii=False)))

    def _mode(self, *, editing: bool) -> None:
        self.editing = editing
        self.query_one("#arguments").display = not editing
        self.query_one("#editor").display = editing
        for name in ("approve", "deny", "edit"):
            self.query_one(f"#{name}").display = not editing
        for name in ("save", "back"):
            self.query_one(f"#{name}").display = editing
        self.query_one("#error", Label).update("")
        self.query_one("#editor" if editing else "#approve").focus()
        self.refresh_bindings()
