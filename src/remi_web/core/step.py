"""`step`: one model call. It streams deltas, assembles tool calls, and never runs tools."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from .abort import IoGuard
from .ctx import ChatCtx
from .events import (
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallReady,
    ModelRetry,
    ToolCallStart,
    UsageEvent,
)
from .ids import new_id
from .messages import Message, ToolCallRequest
from .model_io import (
    ChatModel,
    ModelRequest,
    RetryChunk,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    UsageChunk,
)
from .usage import Usage

StepEvent = (
    TextDelta | ThinkingDelta | ToolCallStart | ToolCallArgsDelta | ToolCallReady | UsageEvent
    | ModelRetry
)


@dataclass(frozen=True, slots=True)
class StepEnd:
    """The last item of `step`: the assistant message, the call's usage, and whether the
    call was cancelled (then `message` holds the partial text and no tool calls)."""

    message: Message
    usage: Usage
    cancelled: bool = False


class _Call:
    __slots__ = ("id", "name", "parts")

    def __init__(self, call_id: str, name: str) -> None:
        self.id = call_id
        self.name = name
        self.parts: list[str] = []


async def step(
    model: ChatModel, request: ModelRequest, ctx: ChatCtx
) -> AsyncIterator[StepEvent | StepEnd]:
    """Stream one model call as events, then a `StepEnd`.

    Text and thinking chunks become deltas; tool-call chunks are assembled by index and
    end as `tool_call_ready` events. Cancellation through `ctx` stops the call at once.
    Errors raised by the model propagate.
    """
    text: list[str] = []
    thinking: list[str] = []
    calls: dict[int, _Call] = {}
    usage = Usage()
    reasoning_data: str | None = None
    guard = IoGuard(ctx.token)
    stream = model.chat(request, ctx)
    cancelled = ctx.cancelled
    try:
        if not cancelled:
            guard.enter()
            async for chunk in stream:
                guard.in_io = False
                if type(chunk) is TextChunk:
                    text.append(chunk.text)
                    yield TextDelta(chunk.text)
                elif type(chunk) is ThinkingChunk:
                    if chunk.data is not None:
                        reasoning_data = chunk.data
                    if chunk.text:
                        thinking.append(chunk.text)
                        yield ThinkingDelta(chunk.text)
                elif type(chunk) is ToolCallChunk:
                    call = calls.get(chunk.index)
                    if call is None:
                        call = _Call(chunk.id or f"call_{new_id()}", chunk.name or "")
                        calls[chunk.index] = call
                        yield ToolCallStart(call.id, call.name)
                    elif chunk.name and not call.name:
                        call.name = chunk.name
                    if chunk.arguments:
                        call.parts.append(chunk.arguments)
                        yield ToolCallArgsDelta(call.id, chunk.arguments)
                elif type(chunk) is UsageChunk:
                    usage = usage + chunk.usage
                    yield UsageEvent(chunk.usage, chunk.model)
                elif type(chunk) is RetryChunk:
                    yield ModelRetry(chunk.attempt, chunk.max_retries, chunk.delay, chunk.reason)
                if guard.cancelled:
                    cancelled = True
                    break
                guard.enter()
    except asyncio.CancelledError:
        if not guard.absorb():
            raise
        cancelled = True
    finally:
        guard.in_io = False
        guard.close()
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()
    reasoning = "".join(thinking) or None
    if cancelled:
        partial = Message.assistant(
            "".join(text), reasoning=reasoning, reasoning_data=reasoning_data
        )
        yield StepEnd(partial, usage, cancelled=True)
        return
    requests = [ToolCallRequest(c.id, c.name, "".join(c.parts)) for _, c in sorted(calls.items())]
    for call_request in requests:
        yield ToolCallReady(call_request.id, call_request.name, call_request.arguments)
    yield StepEnd(
        Message.assistant("".join(text), requests, reasoning, reasoning_data=reasoning_data), usage
    )
