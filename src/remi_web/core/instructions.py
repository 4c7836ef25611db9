"""Dynamic instructions: a system prompt made afresh for each model call from the run's
context (`AgentLoop.instructions`, `AgentBuilder.system(fn)` / `.instructions(fn)`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeAlias

from .ctx import ChatCtx

InstructionFn: TypeAlias = Callable[[ChatCtx], str | None | Awaitable[str | None]]
"""A part of the system prompt made from the run's context (`ctx.turn`, `ctx.metadata`,
shared state...), sync or async; None or "" leaves it out of this call."""

Instruction: TypeAlias = str | InstructionFn
"""A part of the system prompt: fixed text, or a function of the run's context."""


def split_instructions(
    system: Instruction | None, more: Sequence[Instruction] = ()
) -> tuple[str | None, tuple[Instruction, ...]]:
    """A fixed system prompt (None when the first part is a function), and the parts made
    on each call."""
    if system is None or isinstance(system, str):
        return system, tuple(more)
    return None, (system, *more)


async def render_instructions(
    system: str | None, parts: Sequence[Instruction], ctx: ChatCtx
) -> str | None:
    """The system prompt of one model call: `system`, then each part (functions evaluated
    now, in order), the non-empty ones joined by blank lines; None if all are empty."""
    texts = [system] if system else []
    for part in parts:
        made = part if isinstance(part, str) else part(ctx)
        text = made if made is None or isinstance(made, str) else await made
        if text:
            texts.append(text)
    return "\n\n".join(texts) or None
