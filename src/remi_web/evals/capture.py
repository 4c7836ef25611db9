"""`SessionCapture`: where a real session started (the user's message, the history before it,
the caller's tools, model settings, metadata), kept to be replayed under variants."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.content import Content
from ..core.errors import ThreadNotFound
from ..core.ids import ThreadId
from ..core.messages import Message
from ..core.model_io import ToolDefinition
from ..core.requests import ChatRequest, Start
from ..core.schema_types import JsonValue, LazyAdapter
from ..core.store import ThreadStore
from ..core.threads import At, message_index
from ..core.usage_limits import UsageLimits
from .errors import InvalidStartMessage, MissingStartRequest


@dataclass(frozen=True, slots=True)
class SessionCapture:
    """The start of one session, to replay: `message` (a user message) after `history`.

    Args:
        message: the user message that started the run.
        history: the messages before it (system prompts, earlier turns).
        tools: the tool definitions the caller ran itself (external tools).
        model: the model the run asked for (None: the agent's).
        temperature: the run's temperature (None: the agent's).
        max_tokens: the run's completion budget (None: the agent's).
        metadata: the run's metadata.
        usage_limits: the run's usage limits (None: the agent's).
    """

    message: Message
    history: list[Message] = field(default_factory=list)
    tools: list[ToolDefinition] = field(default_factory=list)
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    metadata: dict[str, JsonValue] = field(default_factory=dict)
    usage_limits: UsageLimits | None = None

    def __post_init__(self) -> None:
        if self.message.role != "user":
            raise InvalidStartMessage(
                f"A session is replayed from a user message, not a {self.message.role!r} one; "
                "capture the user message that started the run."
            )

    @staticmethod
    def user(
        content: Content,
        *,
        history: Sequence[Message] = (),
        tools: Sequence[ToolDefinition] = (),
        metadata: dict[str, JsonValue] | None = None,
    ) -> SessionCapture:
        """A capture of one user message (after `history`)."""
        return SessionCapture(
            Message.user(content), list(history), list(tools), metadata=dict(metadata or {})
        )

    @staticmethod
    def from_request(request: ChatRequest, *, history: Sequence[Message] = ()) -> SessionCapture:
        """The capture of a `Start` request: its last message (a user message) is replayed
        after the ones before it; its tools, overrides and metadata are kept.

        A request that continues a thread (`thread_id`) carries only its new messages: pass
        the thread's stored messages as `history`, or use `from_thread`.

        Raises:
            MissingStartRequest: the request is a `Resume` or `ToolResults`.
            InvalidStartMessage: it has no messages, or its last one is not a user message.
        """
        action = request.input
        if not isinstance(action, Start):
            raise MissingStartRequest(
                f"A {action.type!r} request continues run {action.run_id!r}; capture the "
                "'start' request that began it (or its thread, with from_thread)."
            )
        if not action.messages:
            raise InvalidStartMessage(
                "The start request has no messages; there is nothing to replay."
            )
        *before, last = action.messages
        if last.role != "user":
            raise InvalidStartMessage(
                f"The last message of the start request is a {last.role!r} message; a session "
                "is replayed from a user message."
            )
        overrides = request.overrides
        return SessionCapture(
            last, [*history, *before], list(request.tools), overrides.model,
            overrides.temperature, overrides.max_tokens, dict(request.metadata),
            overrides.usage_limits,
        )

    @staticmethod
    async def from_thread(
        store: ThreadStore,
        thread_id: ThreadId,
        at: At | None = None,
        *,
        tools: Sequence[ToolDefinition] | None = None,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        metadata: dict[str, JsonValue] | None = None,
    ) -> SessionCapture:
        """The capture of a stored thread at the user message `at` (its id or index; by
        default the thread's last user message): the messages before it are the history.

        When `store` also keeps checkpoints (a `Store`), the run that message started gives
        the external tools, model settings and metadata; the arguments, when given, win.

        Raises:
            ThreadNotFound: the thread has no messages.
            MessageNotFound: `at` names no message of it.
            InvalidStartMessage: `at` is not a user message, or the thread has none.
        """
        messages = await store.load_messages(thread_id)
        if not messages:
            raise ThreadNotFound(f"Thread {thread_id!r} has no messages to capture.")
        if at is None:
            users = [i for i, m in enumerate(messages) if m.role == "user"]
            if not users:
                raise InvalidStartMessage(f"Thread {thread_id!r} has no user message to replay.")
            index = users[-1]
        else:
            index = message_index(messages, at)
            if index == len(messages) or messages[index].role != "user":
                shown = "the end of the thread" if index == len(messages) else (
                    f"a {messages[index].role!r} message"
                )
                raise InvalidStartMessage(
                    f"Message {at!r} of thread {thread_id!r} is {shown}; capture a user message."
                )
        message = messages[index]
        run = await _run_settings(store, thread_id, message)
        return SessionCapture(
            message,
            messages[:index],
            list(tools) if tools is not None else run.tools,
            model if model is not None else run.model,
            temperature if temperature is not None else run.temperature,
            max_tokens if max_tokens is not None else run.max_tokens,
            dict(metadata) if metadata is not None else run.metadata,
            run.usage_limits,
        )

    def with_history(self, history: Sequence[Message]) -> SessionCapture:
        """The same capture after `history` instead."""
        return replace(self, history=list(history))

    def with_tools(self, tools: Sequence[ToolDefinition]) -> SessionCapture:
        """The same capture with these external tools instead."""
        return replace(self, tools=list(tools))

    def with_metadata(self, metadata: dict[str, JsonValue]) -> SessionCapture:
        """The same capture with this metadata instead."""
        return replace(self, metadata=dict(metadata))

    def to_dict(self) -> dict[str, Any]:
        """The capture as JSON-ready data."""
        data: dict[str, Any] = CAPTURE_ADAPTER().dump_python(self, mode="json")
        return data

    def to_json(self) -> str:
        """The capture as JSON text (`from_json` reads it back)."""
        return CAPTURE_ADAPTER().dump_json(self).decode()

    @staticmethod
    def from_dict(data: object) -> SessionCapture:
        """A capture from JSON-ready data (pydantic's `ValidationError` if malformed;
        `InvalidStartMessage` if its message is not a user message)."""
        return CAPTURE_ADAPTER().validate_python(data)

    @staticmethod
    def from_json(text: str | bytes) -> SessionCapture:
        """A capture from the JSON text `to_json` wrote."""
        return CAPTURE_ADAPTER().validate_json(text)


@dataclass(frozen=True, slots=True)
class _RunSettings:
    tools: list[ToolDefinition] = field(default_factory=list)
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    metadata: dict[str, JsonValue] = field(default_factory=dict)
    usage_limits: UsageLimits | None = None


async def _run_settings(store: ThreadStore, thread_id: ThreadId, message: Message) -> _RunSettings:
    """The settings of the run `message` started: the thread's first run whose messages
    hold it (later runs hold it as history). None when the store keeps no checkpoints or
    none of that run."""
    list_checkpoints = getattr(store, "list_checkpoints", None)
    if list_checkpoints is None:
        return _RunSettings()
    checkpoints = await list_checkpoints(thread_id)
    for checkpoint in sorted(checkpoints, key=lambda c: (c.state.started_at, c.sequence)):
        state = checkpoint.state
        if any(m.id == message.id for m in state.messages):
            overrides = state.overrides
            return _RunSettings(
                list(state.external_tools), overrides.model, overrides.temperature,
                overrides.max_tokens, dict(state.metadata), overrides.usage_limits,
            )
    return _RunSettings()


CAPTURE_ADAPTER = LazyAdapter[SessionCapture](SessionCapture)
"""Turns a `SessionCapture` into JSON and back."""
