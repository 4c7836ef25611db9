"""`remi demo`: a terminal run of a small agent on the scripted model, approval included."""

from __future__ import annotations

import sys

from ..builder import AgentBuilder
from ..core.events import (
    AgentEvent,
    Done,
    ErrorEvent,
    InterruptEvent,
    TextDelta,
    ToolCallReady,
    ToolResult,
)
from ..core.function_tool import tool
from ..core.loop import AgentLoop
from ..core.requests import ChatRequest
from ..testing.mock_policy import evaluate, format_number
from ..testing.scripted_model import ScriptedModel, ToolCall

@tool
def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression.

    Args:
        expression: numbers with + - * / and parentheses, e.g. "2 + 3 * 4".
    """
    return format_number(evaluate(expression))


@tool(requires_approval=True)
def save_note(text: str) -> str:
    """Save a note (asks the user first).

    Args:
        text: what to save.
    """
    return f"Saved note: {text}"


def demo_agent() -> AgentLoop:
    """The demo agent on a scripted model: a calculation, then a note that needs approval."""
    model = ScriptedModel([
        ["Let me work that out. ", ToolCall("calculator", {"expression": "2 + 3 * 4"})],
        ["2 + 3 * 4 = 14. ", ToolCall("save_note", {"text": "2 + 3 * 4 = 14"})],
        ["All done: the answer is ", "14", ", and it is saved."],
    ])
    builder = AgentBuilder().model(model).tools(calculator, save_note)
    return builder.system("You are a helpful assistant.").build()


def _show(event: AgentEvent) -> None:
    if isinstance(event, TextDelta):
        print(event.text, end="", flush=True)
    elif isinstance(event, ToolCallReady):
        print(f"\n  [tool {event.name}({event.arguments})]", flush=True)
    elif isinstance(event, ToolResult):
        print(f"  [-> {event.content}]", flush=True)
    elif isinstance(event, Done):
        print(f"\n[done: {event.usage.total_tokens} tokens]")
    elif isinstance(event, ErrorEvent):
        print(f"\n[error {event.code}: {event.message}]")


def _approve(event: InterruptEvent) -> dict[str, object]:
    answers: dict[str, object] = {}
    for info in event.interrupts:
        question = f"\nApprove {info.tool_name} {info.arguments}? [Y/n] "
        if sys.stdin.isatty():
            approved = input(question).strip().lower() in ("", "y", "yes")
        else:
            print(question + "y (no terminal: approved automatically)")
            approved = True
        answers[info.interrupt_id] = {"approved": approved}
    return answers


async def run_demo() -> None:
    """Run the demo conversation in the terminal."""
    agent = demo_agent()
    print("user: What is 2 + 3 * 4? Save the answer as a note.\nassistant: ", end="")
    request = ChatRequest.user("What is 2 + 3 * 4? Save the answer as a note.")
    while True:
        last: AgentEvent | None = None
        async for event in agent.chat(request):
            _show(event)
            last = event
        if not isinstance(last, InterruptEvent):
            return
        request = ChatRequest.resume(last.run_id, _approve(last))  # type: ignore[arg-type]
