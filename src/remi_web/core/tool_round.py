"""One round of local tool calls: run concurrently as asyncio tasks, stream their events, end
with a `RoundEnd` (as `step` ends with a `StepEnd`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from .schema_types import JsonValue

from .ctx import ChatCtx
from .errors import ToolInputError
from .events import InterruptInfo, ToolResult
from .ids import InterruptId, new_id
from .messages import ToolCallRequest
from .outcome import ToolOutcome
from .registry import ToolRegistry
from .tool import Interrupt, ToolCtx, ToolEvent, ToolReturn
from .tool_prepare import unknown_tool_text

CANCELLED_TOOL_TEXT = "Cancelled before this tool finished."


@dataclass(slots=True)
class RoundEnd:
    """The last item of `run_tool_round`: outcomes by call id (every call that did not
    pause), the new interrupts, and whether the round was cancelled."""

    outcomes: dict[str, ToolOutcome] = field(default_factory=dict)
    interrupts: list[InterruptInfo] = field(default_factory=list)
    cancelled: bool = False


async def run_tool_round(
    registry: ToolRegistry,
    calls: list[ToolCallRequest],
    ctx: ChatCtx,
    tool_state: dict[str, JsonValue],
    resume_values: Mapping[str, JsonValue] | None = None,
    timeout: float | None = None,
) -> AsyncIterator[ToolEvent | ToolResult | RoundEnd]:
    """Run `calls` concurrently, yielding their events and results as they happen, then a
    `RoundEnd`.

    With `resume_values` (call id to the human's answer) each call is re-invoked as
    resumed. A tool's own `timeout` (else `timeout`) bounds each call: one that runs longer
    is cancelled and ends as a tool error the model sees. `ctx.cancel()` cancels the
    running tools; their calls get a cancellation outcome.
    """
    queue: asyncio.Queue[ToolEvent | ToolResult | None] = asyncio.Queue()
    resumes = resume_values or {}
    result = RoundEnd()

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
            on_event=queue.put_nowait,
        )
        returned: ToolReturn
        is_error = False
        limit = getattr(tool, "timeout", None) or timeout
        try:
            if tool is None:
                raise ToolInputError(unknown_tool_text(call.name, registry.names()))
            if limit is None:
                returned = await tool.run(call.arguments, tool_ctx)
            else:
                async with asyncio.timeout(limit):
                    returned = await tool.run(call.arguments, tool_ctx)
        except TimeoutError as error:
            returned = _failed(error) if limit is None else _timed_out(call.name, limit)
            is_error = True
        except ToolInputError as error:
            returned, is_error = str(error), True
        except Exception as error:  # a failing tool is the model's problem, not a crash
            returned, is_error = _failed(error), True
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
    yield result


def _failed(error: Exception) -> str:
    return f"Error: {type(error).__name__}: {error}"


def _timed_out(name: str, seconds: float) -> str:
    return (
        f"Error: the tool {name!r} did not finish within {seconds:g} s and was stopped. "
        "Try again with a smaller task, or go on without it."
    )

