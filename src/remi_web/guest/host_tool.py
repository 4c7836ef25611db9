"""`HostTool`: a tool the host runs for the guest (granted per run by `WasmAgent(tools=...)`)."""

from __future__ import annotations

from pydantic import JsonValue

from ..core.content import content_text
from ..core.errors import ToolInputError
from ..core.model_io import ToolDefinition
from ..core.tool import Interrupt, ToolCtx, ToolReturn
from .channel import GuestProtocolError, current_channel
from .protocol import Failure, HostToolCall, ToolInterruptReply, ToolOutput


class HostTool:
    """A `Tool` whose calls go to the host; its result, interrupt or error comes back as if
    the tool had run in the guest, and its state is kept in the guest's checkpoints."""

    __slots__ = ("_definition",)

    def __init__(self, definition: ToolDefinition) -> None:
        """A proxy for the host tool described by `definition`."""
        self._definition = definition

    @property
    def name(self) -> str:
        """The host tool's name."""
        return self._definition.name

    def definition(self) -> ToolDefinition:
        """The host tool's definition, as the model sees it."""
        return self._definition

    async def run(self, arguments: str, ctx: ToolCtx) -> ToolReturn:
        """Ask the host to run the tool."""
        request = HostToolCall(
            ctx.call_id, self.name, arguments, ctx.resumed, ctx.resume_value, dict(ctx.state)
        )
        reply = await current_channel().ask(request)
        if isinstance(reply, ToolOutput):
            _keep(ctx.state, reply.state)
            if reply.is_error:
                raise ToolInputError(content_text(reply.content))
            return reply.content
        if isinstance(reply, ToolInterruptReply):
            _keep(ctx.state, reply.state)
            return Interrupt(reply.kind, reply.payload)
        if isinstance(reply, Failure):
            raise ToolInputError(reply.message)
        raise GuestProtocolError(f"A host tool call was answered with {type(reply).__name__}.")


def _keep(state: dict[str, JsonValue], new: dict[str, JsonValue]) -> None:
    state.clear()
    state.update(new)
