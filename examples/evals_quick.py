"""Evaluations in one screen: capture a session, replay a small dataset under two variants,
score the runs and print the comparison.

Run it with `python examples/evals_quick.py`. It uses the bundled mock model in process
(`MockModel`: the replies of `remi mock-llm`, no network), so it needs no provider; swap in
`OpenAIModel(...)` to evaluate a real one.
"""

from __future__ import annotations

import asyncio

from remi_web import AgentBuilder, ChatRequest, InterruptRouter, tool
from remi_web.evals import (
    Contains,
    EvalCase,
    EvalRunner,
    ExactMatch,
    SessionCapture,
    Variant,
    evaluate,
    parse_dataset,
    render_table,
)
from remi_web.testing.mock_model import MockModel

DATASET = """\
{"id": "sum", "input": "what is 2+3*4", "expected": "14",\
 "scorers": [{"type": "tool_called", "tool": "calculator"}]}
{"id": "count", "input": "count to 3", "expected": "1 2 3"}
{"id": "note", "input": "call save_note with {\\"text\\": \\"buy milk\\"}", "expected": "saved"}
"""


@tool
def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression.

    Args:
        expression: e.g. "2 + 3 * 4".
    """
    if not set(expression) <= set("0123456789+-*/(). "):
        raise ValueError("only digits, + - * / and parentheses")
    return str(eval(expression))  # noqa: S307 - digits and operators only, checked above


@tool(requires_approval=True)
def save_note(text: str) -> str:
    """Save a note (a human approves it first; in the evaluation, a policy does)."""
    return f"saved {text!r}"


async def main() -> list[str]:
    """Run the evaluation; returns the lines it printed."""
    lines: list[str] = []
    agent = AgentBuilder().model(MockModel()).tools(calculator, save_note).build()

    # A real session's start, captured (e.g. from the request a server received)...
    captured = SessionCapture.from_request(ChatRequest.user("what is 10/4"))
    cases = [*parse_dataset(DATASET), EvalCase("captured", captured, expected="2.5")]

    # ...replayed with the dataset under two variants, scored, compared.
    variants = [Variant.baseline(), Variant("think", "Thinking model", model="mock-think")]
    policy = InterruptRouter().approve(tool="save_note")  # answers the approvals of the runs
    runner = EvalRunner(agent, concurrency=4, timeout=30, interrupts=policy)
    result = await evaluate(runner, cases, variants, [Contains(), ExactMatch()], repeats=2)

    for item in result.runs:
        run = item.run
        if run.repeat == 0:
            tools = ", ".join(f"{r.name} -> {r.content}" for r in run.tool_results) or "no tools"
            said = f"{run.case_id} under {run.variant_id}: {run.end}, {tools}"
            lines.append(f"{said}, answer {run.final_text!r}")
            if run.reasoning:
                lines.append(f"  reasoning: {run.reasoning!r}")
    lines.extend(render_table(result.report).splitlines())
    return lines


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
