"""One round of local tool calls: run concurrently as asyncio tasks, stream their events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from pydantic import JsonValue

from .ctx import ChatCtx
from .errors import ToolInputError
from .events import InterruptInfo, ToolProgress, ToolResult
from .ids import InterruptId, new_id
from .messages import ToolCallRequest
from .outcome import ToolOutcome
from .registry import ToolRegistry
from .tool import Interrupt, ToolCtx, ToolReturn

CANCELLED_TOOL_TEXT = "Cancelled before this tool finished."


@dataclass(slots=True)
class RoundResult:
    """What a round produced: outcomes by call id, new interrupts, and whether it was cut."""

    outcomes: dict[str, ToolOutcome] = field(default_factory=dict)
    interrupts: list[InterruptInfo] = field(default_factory=list)
    cancelled: bool = False


async def run_tool_round(
    registry: ToolRegistry,
    calls: list[ToolCallRequest],
    ctx: ChatCtx,
    tool_state: dict[str, JsonValue],
    result: RoundResult,
    resume_values: Mapping[str, JsonValue] | None = None,
) -> AsyncIterator[ToolProgress | ToolResult]:
    """Run `calls` concurrently, yielding progress and results as they happen.

    Outcomes and interrupts are written into `result`. With `resume_values` (call id to
    the human's answer) each call is re-invoked as resumed. `ctx.cancel()` cancels the
    running tools; their calls get a cancellation outcome.
    """
    queue: asyncio.Queue[ToolProgress | ToolResult | None] = asyncio.Queue()
    resumes = resume_values or {}

    async def run_one(call: ToolCallRequest) -> None:
        tool = registry.get(call.name)
        resumed = call.id in resumes
        own_state = tool_state.get(call.name)
        if not isinstance(own_state, dict):
            own_state = {}
            tool_state[call.name] = own_state
        tool_ctx = ToolCtx(
            call.id,
            call.name,
            ctx.child(f"tool:{call.name}:{call.id}"),
            resumed=resumed,
            resume_value=resumes.get(call.id),
            state=own_state,
            on_progress=lambda data: queue.put_nowait(ToolProgress(call.id, call.name, data)),
        )
        returned: ToolReturn
        is_error = False
        try:
            if tool is None:
                raise ToolInputError(_unknown_tool(call.name, registry))
            returned = await tool.run(call.arguments, tool_ctx)
        except ToolInputError as error:
            returned, is_error = str(error), True
        except Exception as error:  # a failing tool is the model's problem, not a crash
            returned, is_error = f"Error: {type(error).__name__}: {error}", True
        if isinstance(returned, Interrupt):
            result.interrupts.append(
                InterruptInfo(
                    InterruptId(new_id()), call.id, call.name,
                    returned.kind, returned.payload, call.arguments,
                )
            )
            queue.put_nowait(None)
            return
        result.outcomes[call.id] = ToolOutcome(call.id, returned, is_error, call.name)
        queue.put_nowait(ToolResult(call.id, call.name, returned, is_error))

    tasks = [asyncio.ensure_future(run_one(call)) for call in calls]

    def cancel_all() -> None:
        result.cancelled = True
        for task in tasks:
            task.cancel()
        queue.put_nowait(None)

    undo = ctx.token.on_cancel(cancel_all)
    try:
        pending = len(tasks)
        while pending and not result.cancelled:
            item = await queue.get()
            if item is None:
                pending -= 1
                continue
            if type(item) is ToolResult:
                pending -= 1
            yield item
    finally:
        undo()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if result.cancelled:
        for call in calls:
            if call.id not in result.outcomes:
                result.outcomes[call.id] = ToolOutcome(call.id, CANCELLED_TOOL_TEXT, True, call.name)


def _unknown_tool(name: str, registry: ToolRegistry) -> str:
    known = ", ".join(registry.names()) or "none"
    return f"Unknown tool {name!r}. Available tools: {known}."
