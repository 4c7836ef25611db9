"""`HostModel`: the guest's chat model; each call is made by the host, chunk by chunk."""

from __future__ import annotations

from collections.abc import AsyncIterator

from ..core.compose import Composable
from ..core.ctx import ChatCtx
from ..core.model_io import ModelChunk, ModelRequest
from .channel import GuestProtocolError, current_channel, host_error
from .protocol import Failure, ModelCall, ModelChunkReply, ModelClose, ModelEnd, ModelNext


class HostModel(Composable[ModelRequest, ModelChunk]):
    """A `ChatModel` whose chunks come from the host: `ModelCall` starts the call and each
    `ModelNext` fetches one chunk, so text streams token by token across the boundary.
    A failure of the host's model is raised here with its code."""

    async def chat(self, request: ModelRequest, ctx: ChatCtx) -> AsyncIterator[ModelChunk]:
        """Stream the host's model call for `request`."""
        channel = current_channel()
        call, reply = await channel.open(ModelCall(request))
        finished = False
        try:
            while True:
                if type(reply) is ModelChunkReply:
                    yield reply.chunk
                elif type(reply) is ModelEnd:
                    finished = True
                    return
                elif type(reply) is Failure:
                    finished = True
                    raise host_error(reply)
                else:
                    raise GuestProtocolError(
                        f"A model call was answered with {type(reply).__name__}."
                    )
                reply = await channel.ask(ModelNext(call))
        finally:
            if not finished:
                channel.notify(ModelClose(call))
