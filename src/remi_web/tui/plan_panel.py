"""`PlanPanel`: a deep agent's plan (its `todo` events), shown once there is one."""

from __future__ import annotations

from ..core.schema_types import JsonValue
from textual.widgets import Static

MARKS = {"pending": "☐", "in_progress": "◐", "completed": "☑"}
"""The mark of each step status."""


class PlanPanel(Static):
    """The latest plan, one step a line."""

    def __init__(self) -> None:
        super().__init__(markup=False, id="plan")
        self.todos: list[dict[str, JsonValue]] = []
        self.display = False

    def show_plan(self, data: JsonValue) -> None:
        """Show the plan of a `todo` event's data (`{"todos": [...]}`)."""
        todos = data.get("todos") if isinstance(data, dict) else None
        self.todos = [t for t in todos if isinstance(t, dict)] if isinstance(todos, list) else []
        done = sum(1 for t in self.todos if t.get("status") == "completed")
        lines = [f"Plan ({done}/{len(self.todos)})"]
        for todo in self.todos:
            lines.append(f"{MARKS.get(str(todo.get('status')), '☐')} {todo.get('content')}")
        self.update("\n".join(lines))
        self.display = bool(self.todos)
