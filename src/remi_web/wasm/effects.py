"""`HostEffects`: what the host does when a guest asks (model calls, host tools, the store)."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator

from ..core.schema_types import JsonValue

from ..core.ctx import ChatCtx
from ..core.errors import RemiError, ToolInputError
from ..core.events import ToolProgress
from ..core.ids import RunId, ThreadId
from ..core.model_io import ChatModel, ModelChunk, RetryChunk
from ..core.registry import ToolRegistry
from ..core.checkpoint_codec import decode_checkpoint, encode_checkpoint
from ..core.store import Store
from ..core.tool import Interrupt, ToolCtx, ToolEvent
from ..guest.protocol import (
    Ack,
    CheckpointReply,
    Failure,
    HostRequest,
    HostToolCall,
    LoadCheckpoint,
    LoadThread,
    MessagesReply,
    ModelCall,
    ModelChunkReply,
    ModelClose,
    ModelEnd,
    ModelNext,
    Reply,
    SaveCheckpoint,
    ToolInterruptReply,
    ToolOutput,
)

_log = logging.getLogger("remi_web.wasm")


class HostEffects:
    """Performs one run's requests; every failure becomes a `Failure` reply, never a crash.

    Args:
        model: makes the model calls (the guest's requests name the model settings).
        tools: the host tools granted to the run.
        store: where the run's checkpoints and thread histories live.
        ctx: the caller's context (cancellation reaches model calls and tools through it).
    """

    def __init__(self, model: ChatModel, tools: ToolRegistry, store: Store, ctx: ChatCtx) -> None:
        self._model = model
        self._tools = tools
        self._store = store
        self._ctx = ctx
        self._streams: dict[int, AsyncIterator[ModelChunk]] = {}
        self.progress: deque[ToolProgress] = deque()
        """Progress reported by host tools, for the caller's stream."""
        self.progress_ready = asyncio.Event()
        """Set when `progress` gets an item (so a waiting host streams it at once)."""

    async def perform(self, request_id: int, request: HostRequest) -> Reply:
        """Do what request `request_id` asks and return the reply for the guest."""
        try:
            return await self._perform(request_id, request)
        except RemiError as error:
            return Failure(error.code, str(error) or type(error).__name__)
        except Exception as error:
            _log.warning("host side of a guest request failed", exc_info=error)
            return Failure("host_error", f"{type(error).__name__}: {error}")

    async def _perform(self, request_id: int, request: HostRequest) -> Reply:
        if isinstance(request, ModelNext):
            return await self._chunk(request.call)
        if isinstance(request, ModelCall):
            self._streams[request_id] = aiter(self._model.chat(request.request, self._ctx))
            return await self._chunk(request_id)
        if isinstance(request, ModelClose):
            await self._close_stream(request.call)
            return Ack()
        if isinstance(request, HostToolCall):
            return await self._run_tool(request)
        if isinstance(request, LoadCheckpoint):
            checkpoint = await self._store.latest_checkpoint(RunId(request.run_id))
            body = None if checkpoint is None else encode_checkpoint(checkpoint).decode()
            return CheckpointReply(body)
        if isinstance(request, SaveCheckpoint):
            checkpoint = decode_checkpoint(request.checkpoint_json)
            await self._store.put_checkpoint(checkpoint, checkpoint.sequence - 1)
            return Ack()
        if isinstance(request, LoadThread):
            return MessagesReply(await self._store.load_messages(ThreadId(request.thread_id)))
        await self._store.append_messages(ThreadId(request.thread_id), request.messages)
        return Ack()

    async def _chunk(self, call: int) -> Reply:
        stream = self._streams.get(call)
        if stream is None:
            return Failure("guest_protocol", f"No model call {call} is open.")
        try:
            chunk = await anext(stream)
            while isinstance(chunk, RetryChunk):  # the guest's WIT has no retry notice
                chunk = await anext(stream)
            return ModelChunkReply(chunk)
        except StopAsyncIteration:
            self._streams.pop(call, None)
            return ModelEnd()
        except BaseException:
            await self._close_stream(call)
            raise

    async def _close_stream(self, call: int) -> None:
        stream = self._streams.pop(call, None)
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()

    async def _run_tool(self, call: HostToolCall) -> Reply:
        tool = self._tools.get(call.name)
        state: dict[str, JsonValue] = dict(call.state)
        if tool is None:
            known = ", ".join(self._tools.names()) or "none"
            return ToolOutput(f"Unknown host tool {call.name!r}. Host tools: {known}.", True, state)
        ctx = ToolCtx(
            call.call_id, call.name, self._ctx.child(f"tool:{call.name}:{call.call_id}"),
            resumed=call.resumed, resume_value=call.resume_value, state=state,
            on_event=self._report,  # only progress crosses into the guest's stream
        )
        try:
            returned = await tool.run(call.arguments, ctx)
        except ToolInputError as error:
            return ToolOutput(str(error), True, state)
        except Exception as error:  # the model reads it, as with a tool run in the guest
            return ToolOutput(f"Error: {type(error).__name__}: {error}", True, state)
        if isinstance(returned, Interrupt):
            return ToolInterruptReply(returned.kind, returned.payload, state)
        return ToolOutput(returned, False, state)

    def _report(self, event: ToolEvent) -> None:
        if isinstance(event, ToolProgress):
            self.progress.append(event)
            self.progress_ready.set()

    async def close(self) -> None:
        """Close every model call still open."""
        for call in list(self._streams):
            try:
                await self._close_stream(call)
            except Exception as error:
                _log.warning("closing a model stream failed", exc_info=error)
