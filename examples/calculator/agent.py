"""A calculator agent, one file for three places: natively, in the browser, as a component.

- Natively: `python examples/calculator/agent.py "what is 2+3*4"` (an OpenAI-compatible
  model from OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL), or `run(model, question)`.
- In the browser: the web app runs this file in Pyodide (`remi web --agent
  examples/calculator/agent.py`); the page supplies the model.
- As a WebAssembly component: `remi build examples/calculator/agent.py -o calculator.wasm`,
  then `WasmAgent.from_file("calculator.wasm", model=...)`, or `remi dev` to edit it live.

`agent` is an `AgentBuilder` without a model: each place adds its own. Saving a result needs
a human's approval (an interrupt); the saved results are the tool's own state, so they
survive resumes and travel in checkpoints.
"""

from __future__ import annotations

import ast
import operator

from remi_web import AgentBuilder, ChatModel, ChatRequest, InterruptEvent, TextDelta, ToolCtx, tool

_OPERATORS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Mod: operator.mod, ast.Pow: operator.pow,
    ast.USub: operator.neg, ast.UAdd: operator.pos,
}


def evaluate(expression: str) -> float:
    """The value of an arithmetic expression (numbers, + - * / % **, parentheses)."""

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.operand))
        raise ValueError(f"not arithmetic: {ast.unparse(node)}")

    return value(ast.parse(expression.replace("^", "**"), mode="eval").body)


def format_number(number: float) -> str:
    """`14.0` as `14`, other numbers as they are."""
    return str(int(number)) if number.is_integer() else repr(number)


@tool
def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression.

    Args:
        expression: numbers with + - * / % ** and parentheses, e.g. "2 + 3 * 4".
    """
    return format_number(evaluate(expression))


@tool(requires_approval=True)
def save_result(name: str, value: float, ctx: ToolCtx) -> str:
    """Save a result under a name (the user approves it first).

    Args:
        name: what to call the result.
        value: the number to save.
    """
    saved = ctx.state.setdefault("saved", {})
    assert isinstance(saved, dict)
    saved[name] = value
    return f"Saved {name} = {format_number(value)} ({len(saved)} saved)."


agent = (
    AgentBuilder()
    .name("calculator")
    .tools(calculator, save_result)
    .system("You are a careful calculator. Use the calculator tool for arithmetic, and "
            "save_result when the user asks to keep a number.")
)
"""The agent, without a model: natively, in the page and in a component each add theirs."""


async def run(model: ChatModel, question: str, approve: bool = True) -> str:
    """Ask the calculator on `model`; approvals are answered with `approve`. Returns the text."""
    loop = agent.model(model).build()
    request = ChatRequest.user(question)
    text: list[str] = []
    while True:
        pending: InterruptEvent | None = None
        async for event in loop.chat(request):
            if isinstance(event, TextDelta):
                text.append(event.text)
            elif isinstance(event, InterruptEvent):
                pending = event
        if pending is None:
            return "".join(text)
        answers = {i.interrupt_id: {"approved": approve} for i in pending.interrupts}
        request = ChatRequest.resume(pending.run_id, answers)  # type: ignore[arg-type]


if __name__ == "__main__":
    import asyncio
    import os
    import sys

    from remi_web import OpenAIModel

    question = " ".join(sys.argv[1:]) or "what is 2+3*4"
    print(asyncio.run(run(OpenAIModel(os.environ.get("OPENAI_MODEL", "gpt-4o-mini")), question)))
