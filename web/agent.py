"""The demo agent the web app runs in its worker: edit this file and reload the page.

A page author's agent file defines `agent`, an `AgentBuilder` with tools and a system prompt.
It may leave out `.model(...)`: the page then supplies an OpenAI-compatible model from its
settings (the built-in mock model by default). The worker adds an IndexedDB store, so
conversations and pending approvals survive a reload. Run it natively too:
`python web/agent.py "what is 2+3*4"` (uses OPENAI_BASE_URL / OPENAI_API_KEY).
"""

from remi_web import AgentBuilder, tool
from remi_web.testing.mock_policy import evaluate, format_number


@tool
def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression.

    Args:
        expression: numbers with + - * / and parentheses, e.g. "2 + 3 * 4".
    """
    return format_number(evaluate(expression))


@tool(requires_approval=True)
def save_note(text: str) -> str:
    """Save a note for the user (they approve it first).

    Args:
        text: what to save.
    """
    return f"Saved note: {text}"


agent = (
    AgentBuilder()
    .tools(calculator, save_note)
    .system("You are a helpful assistant. Use the calculator for arithmetic.")
)


if __name__ == "__main__":
    import asyncio
    import os
    import sys

    from remi_web import OpenAIModel, TextDelta

    async def main(question: str) -> None:
        model = OpenAIModel(os.environ.get("OPENAI_MODEL", "mock"))
        async for event in agent.model(model).build().chat(question):
            if isinstance(event, TextDelta):
                print(event.text, end="", flush=True)
        print()

    asyncio.run(main(" ".join(sys.argv[1:]) or "what is 2+3*4"))
