"""The README's API tour: an agent with a tool, an approval, and a resumed run.

Run it with `python examples/quickstart.py`. It uses the built-in scripted model, so it
needs no provider; swap in `OpenAIModel(...)` to talk to a real one.
"""

from __future__ import annotations

import asyncio

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    InterruptEvent,
    ScriptedModel,
    TextDelta,
    ToolCall,
    ToolResult,
    tool,
)


@tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers.

    Args:
        a: the first factor.
        b: the second factor.
    """
    return a * b


@tool(requires_approval=True)
def send_email(to: str, body: str) -> str:
    """Send an email (a human approves it first).

    Args:
        to: the recipient's address.
        body: the text to send.
    """
    return f"sent to {to}"


async def main() -> list[str]:
    """Run the tour; returns the lines it printed."""
    lines: list[str] = []
    model = ScriptedModel([
        ["Let me compute that. ", ToolCall("multiply", {"a": 6, "b": 7})],
        ["6 x 7 = 42. ", ToolCall("send_email", {"to": "ann@example.com", "body": "42"})],
        ["Emailed Ann the answer."],
    ])
    agent = AgentBuilder().model(model).tools(multiply, send_email).system("Be brief.").build()

    pending: InterruptEvent | None = None
    async for event in agent.chat("What is 6 x 7? Email it to Ann."):
        if isinstance(event, TextDelta):
            lines.append(f"text: {event.text!r}")
        elif isinstance(event, ToolResult):
            lines.append(f"tool {event.name} -> {event.content}")
        elif isinstance(event, InterruptEvent):
            pending = event
            lines.append(f"approval needed: {event.interrupts[0].payload}")

    assert pending is not None
    answer = {pending.interrupts[0].interrupt_id: {"approved": True}}
    async for event in agent.chat(ChatRequest.resume(pending.run_id, answer)):
        if isinstance(event, ToolResult):
            lines.append(f"tool {event.name} -> {event.content}")
        elif isinstance(event, Done):
            lines.append(f"done: {event.text!r} (same run: {event.run_id == pending.run_id})")
    return lines


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
