"""The guest protocol in plain Python: what `next()` and `provide()` carry across the boundary.

The WIT world (`wit/remi-agent.wit`) says the same in records and variants; both sides convert
these dataclasses to and from it (`remi_web.guest.codec` inside the component,
`remi_web.wasm.values` in the host). A run is driven like this:

    out = run.next()                  # EventOut, RequestOut, Waiting or Finished
    out = run.provide(request_id, reply)

`RequestOut` asks the host for an effect (a model call, a host tool, a store operation); the
host answers it with `provide`. Replies may arrive in any order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from pydantic import JsonValue

from ..core.content import Content
from ..core.events import AgentEvent
from ..core.messages import Message
from ..core.model_io import ModelChunk, ModelRequest, ToolDefinition

API_VERSION = (0, 2, 0)
"""The version of the `remi:agent` WIT package this code speaks (major, minor, patch)."""


# --- what the guest asks the host for -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelCall:
    """Start a model call; answered with its first `ModelChunkReply`, `ModelEnd` or `Failure`."""

    request: ModelRequest


@dataclass(frozen=True, slots=True)
class ModelNext:
    """The next chunk of the model call started by request `call`."""

    call: int


@dataclass(frozen=True, slots=True)
class ModelClose:
    """The guest stopped reading model call `call`; the host closes it (answered with `Ack`)."""

    call: int


@dataclass(frozen=True, slots=True)
class HostToolCall:
    """Run host tool `name`; `state` is the tool's own JSON state, carried in checkpoints."""

    call_id: str
    name: str
    arguments: str
    resumed: bool = False
    resume_value: JsonValue = None
    state: dict[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoadCheckpoint:
    """The latest checkpoint of `run_id` from the host's store (`CheckpointReply`)."""

    run_id: str


@dataclass(frozen=True, slots=True)
class SaveCheckpoint:
    """Store this checkpoint (its JSON) in the host's store (`Ack`)."""

    checkpoint_json: str


@dataclass(frozen=True, slots=True)
class LoadThread:
    """The message history of `thread_id` (`MessagesReply`)."""

    thread_id: str


@dataclass(frozen=True, slots=True)
class AppendThread:
    """Add messages to thread `thread_id` (`Ack`)."""

    thread_id: str
    messages: list[Message]


HostRequest: TypeAlias = (
    ModelCall | ModelNext | ModelClose | HostToolCall | LoadCheckpoint | SaveCheckpoint
    | LoadThread | AppendThread
)
"""Anything the guest can ask the host for."""


# --- how the host answers ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelChunkReply:
    """One chunk of a model call."""

    chunk: ModelChunk


@dataclass(frozen=True, slots=True)
class ModelEnd:
    """The model call ended."""


@dataclass(frozen=True, slots=True)
class ToolOutput:
    """A host tool's result (`is_error` for a failure the model should read)."""

    content: Content
    is_error: bool = False
    state: dict[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolInterruptReply:
    """A host tool paused the run (`Interrupt(kind, payload)`)."""

    kind: str
    payload: JsonValue = None
    state: dict[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckpointReply:
    """The checkpoint asked for (its JSON), or None when the run is unknown."""

    checkpoint_json: str | None


@dataclass(frozen=True, slots=True)
class MessagesReply:
    """A thread's messages."""

    messages: list[Message]


@dataclass(frozen=True, slots=True)
class Ack:
    """Done."""


@dataclass(frozen=True, slots=True)
class Failure:
    """The host could not do it; raised inside the guest as an error with this code."""

    code: str
    message: str


Reply: TypeAlias = (
    ModelChunkReply | ModelEnd | ToolOutput | ToolInterruptReply | CheckpointReply
    | MessagesReply | Ack | Failure
)
"""Anything the host answers a request with."""


# --- what one step of a run gives the host ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventOut:
    """The run's next event."""

    event: AgentEvent


@dataclass(frozen=True, slots=True)
class RequestOut:
    """Request `id` for the host; `busy` says the guest has other work to do meanwhile (call
    `next()` before waiting for the answer)."""

    id: int
    request: HostRequest
    busy: bool = False


@dataclass(frozen=True, slots=True)
class Waiting:
    """Nothing to do until a reply arrives, or until `timeout` seconds pass (a timer)."""

    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class Finished:
    """The run's stream ended."""


Output: TypeAlias = EventOut | RequestOut | Waiting | Finished
"""What `next()` and `provide()` return."""


@dataclass(frozen=True, slots=True)
class AgentInfo:
    """What a guest says about itself (`describe()`)."""

    name: str
    api_version: tuple[int, int, int]
    sdk_version: str
    tools: list[ToolDefinition]
    system: str | None = None


@dataclass(frozen=True, slots=True)
class GuestConfig:
    """What the host grants a guest to read: a model name, options, and an API key only if
    the host puts one here (it is empty by default)."""

    model: str | None = None
    options: dict[str, JsonValue] = field(default_factory=dict)
    api_key: str | None = None
