"""Planning: one `write_todos` tool that replaces the whole plan at each call.

One tool taking the full list is what models use best (Claude Code's TodoWrite, LangChain's
deepagents): no ids to track, no partial edits to get wrong, and each call is idempotent. The
plan lives where it survives: in the tool's persisted state (resume, restart) and in the
thread, as the last `write_todos` call (the next turn's model reads it, and `current_plan`
recovers it). Every change is shown live as a `custom` event named "todo".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field, JsonValue, TypeAdapter, ValidationError

from ..core.events import Custom
from ..core.function_tool import tool
from ..core.messages import Message
from ..core.tool import Tool, ToolCtx

TODO_EVENT = "todo"
"""The `Custom.name` of plan changes; `data` is `{"todos": [{"content", "status"}...]}`."""
WRITE_TODOS = "write_todos"

TodoStatus = Literal["pending", "in_progress", "completed"]


class Todo(BaseModel):
    """One step of the plan."""

    content: str = Field(min_length=1, description="What to do, in a few words.")
    status: TodoStatus = Field("pending", description="pending, in_progress or completed.")

    def line(self) -> str:
        """The step as a line of text: `[x] content` (`[ ]` pending, `[~]` in progress)."""
        return f"{STATUS_MARKS[self.status]} {self.content}"


STATUS_MARKS: dict[str, str] = {"pending": "[ ]", "in_progress": "[~]", "completed": "[x]"}
"""How a plain-text view marks each status."""


_TODOS = TypeAdapter(list[Todo])


def plan_json(todos: Sequence[Todo]) -> list[JsonValue]:
    """The plan as JSON (the `custom` event's and the tool state's form)."""
    return [todo.model_dump() for todo in todos]


def todo_event(todos: Sequence[Todo]) -> Custom:
    """The event that shows `todos` as the current plan."""
    return Custom(TODO_EVENT, {"todos": plan_json(todos)})


def plan_of(event: Custom) -> list[Todo]:
    """The plan a `todo` event shows (empty if it cannot be read)."""
    data = event.data.get("todos") if isinstance(event.data, dict) else None
    try:
        return _TODOS.validate_python(data)
    except ValidationError:
        return []


def current_plan(messages: Sequence[Message]) -> list[Todo] | None:
    """The plan of a conversation: the arguments of its last `write_todos` call (None if it
    never planned, or the call cannot be read)."""
    for message in reversed(messages):
        for call in reversed(message.tool_calls):
            if call.name == WRITE_TODOS:
                try:
                    return _TODOS.validate_json(_todos_field(call.arguments))
                except (ValidationError, ValueError):
                    return None
    return None


def _todos_field(arguments: str) -> str:
    value = json.loads(arguments)
    return json.dumps(value.get("todos") if isinstance(value, dict) else None)


def _summary(todos: Sequence[Todo]) -> str:
    if not todos:
        return "The plan is empty."
    done = sum(todo.status == "completed" for todo in todos)
    lines = [todo.line() for todo in todos]
    return f"Plan updated ({done}/{len(todos)} done):\n" + "\n".join(lines)


_GUIDANCE = (
    "Write the plan: the whole list of steps, each pending, in_progress or completed. Use it "
    "for any task of three steps or more: write the plan first, mark a step in_progress "
    "before you start it and completed as soon as it is done, and add or drop steps as you "
    "learn. Always send the full list; it replaces the previous one. Keep one step "
    "in_progress at a time."
)


def write_todos_tool() -> Tool:
    """The `write_todos` tool."""

    @tool(name=WRITE_TODOS, idempotent=True, description=_GUIDANCE)
    async def write_todos(todos: list[Todo], ctx: ToolCtx) -> str:
        """Write the plan.

        Args:
            todos: every step of the plan, in order.
        """
        ctx.state["todos"] = plan_json(todos)
        ctx.emit(todo_event(todos))
        return _summary(todos)

    return write_todos
