"""What one model call is shown: the system prompt of this turn, the history after the
processors, and the tools after their `prepare` hooks. The run's state is left as it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .ctx import ChatCtx
from .history import HistoryProcessor, process_history
from .instructions import Instruction, render_instructions
from .messages import Message
from .model_io import ToolDefinition
from .registry import ToolRegistry
from .tool_prepare import prepare_tools


@dataclass(frozen=True, slots=True)
class ModelView:
    """The messages (system prompt first) and tools of one model call, and the local tools
    hidden from it (a call to one gets an unknown-tool error)."""

    messages: list[Message]
    tools: list[ToolDefinition]
    hidden: frozenset[str] = frozenset()


async def model_view(
    messages: list[Message],
    ctx: ChatCtx,
    registry: ToolRegistry,
    external: Sequence[ToolDefinition] = (),
    system: str | None = None,
    instructions: Sequence[Instruction] = (),
    processors: Sequence[HistoryProcessor] = (),
) -> ModelView:
    """Assemble one model call's view of the run.

    Args:
        messages: the run's messages (not changed).
        ctx: the run's context, given to instructions and `prepare` hooks.
        registry: the local tools.
        external: the request-supplied tools (sent as they are).
        system: the fixed system prompt.
        instructions: the parts of the system prompt made on each call.
        processors: the history processors, in order.
    """
    prompt = await render_instructions(system, instructions, ctx) if instructions else system
    sent = [Message.system(prompt), *messages] if prompt else [*messages]
    if processors:
        sent = await process_history(processors, sent)
    tools = await prepare_tools(registry, ctx)
    return ModelView(sent, [*tools.definitions, *external], tools.hidden)
