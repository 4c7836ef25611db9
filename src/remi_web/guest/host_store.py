"""`HostStore`: the guest's checkpoint and thread store is the host's (through requests)."""

from __future__ import annotations

from typing import TypeVar

from ..core.errors import StoreError
from ..core.ids import RunId, ThreadId
from ..core.messages import Message
from ..core.checkpoint_codec import decode_checkpoint, encode_checkpoint
from ..core.state import Checkpoint, Lease
from .channel import GuestProtocolError, current_channel, host_error
from .protocol import (
    Ack,
    AppendThread,
    CheckpointReply,
    Failure,
    LoadCheckpoint,
    LoadThread,
    MessagesReply,
    Reply,
    SaveCheckpoint,
)

R = TypeVar("R")


class HostStore:
    """A `Store` kept by the host: checkpoints travel as JSON, so a run paused in one
    instance (or build) resumes in another."""

    async def put_checkpoint(
        self, checkpoint: Checkpoint, expected_sequence: int | None = None
    ) -> None:
        """Send the checkpoint to the host's store. The host stores it only if the run is
        still at the checkpoint before it (sequences grow by one), so `expected_sequence`
        needs no passing."""
        body = encode_checkpoint(checkpoint).decode()
        _expect(await current_channel().ask(SaveCheckpoint(body)), Ack)

    async def latest_checkpoint(self, run_id: RunId) -> Checkpoint | None:
        """The run's latest checkpoint, from the host's store."""
        reply = _expect(await current_channel().ask(LoadCheckpoint(run_id)), CheckpointReply)
        if reply.checkpoint_json is None:
            return None
        return decode_checkpoint(reply.checkpoint_json, run_id=run_id)

    async def renew_lease(self, run_id: RunId, sequence: int, lease: Lease) -> None:
        """Not available to a guest: the host holds the runs of its components."""
        raise StoreError("renew_lease is not available inside a component.")

    async def load_messages(self, thread_id: ThreadId) -> list[Message]:
        """The thread's history, from the host's store."""
        return _expect(await current_channel().ask(LoadThread(thread_id)), MessagesReply).messages

    async def append_messages(self, thread_id: ThreadId, messages: list[Message]) -> None:
        """Add messages to the thread in the host's store."""
        if messages:
            _expect(await current_channel().ask(AppendThread(thread_id, list(messages))), Ack)

    async def list_checkpoints(self, thread_id: ThreadId) -> list[Checkpoint]:
        """Not available to a guest (ask the host's store)."""
        raise StoreError("list_checkpoints is not available inside a component.")

    async def list_threads(self) -> list[ThreadId]:
        """Not available to a guest (ask the host's store)."""
        raise StoreError("list_threads is not available inside a component.")

    async def delete_thread(self, thread_id: ThreadId) -> None:
        """Not available to a guest (ask the host's store)."""
        raise StoreError("delete_thread is not available inside a component.")


def _expect(reply: Reply, kind: type[R]) -> R:
    if isinstance(reply, kind):
        return reply
    if isinstance(reply, Failure):
        raise host_error(reply)
    raise GuestProtocolError(f"Expected {kind.__name__} from the host, got {type(reply).__name__}.")
