"""Keeping a run's history within the model's context window: a `ContextPolicy` the loop asks
before every model call (`AgentLoop.context`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .ctx import ChatCtx
from .messages import Message

CONTEXT_EVENT = "context_compressed"
"""The `Custom.name` of the event the loop yields when a policy shortened the history."""


@dataclass(frozen=True, slots=True)
class Fitted:
    """A shorter history to go on with.

    Args:
        messages: the messages sent from now on (the run's state keeps them).
        saved: how many of its leading messages the thread already holds; the rest is
            appended to the thread when the run ends.
    """

    messages: list[Message]
    saved: int


class ContextPolicy(Protocol):
    """Decides, before each model call, whether the history must be shortened."""

    async def fit(self, messages: list[Message], saved: int, ctx: ChatCtx) -> Fitted | None:
        """A shorter history, or None to send `messages` as they are.

        Args:
            messages: the run's messages (the system prompt is not among them).
            saved: how many leading messages the thread already holds.
            ctx: the run's context (for a model call, and its cancellation).
        """
        ...
