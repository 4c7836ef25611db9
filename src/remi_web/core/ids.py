"""Identifiers: plain strings with distinct static types, and the uuid5 span derivation."""

from __future__ import annotations

import uuid
from typing import NewType

ThreadId = NewType("ThreadId", str)
RunId = NewType("RunId", str)
MessageId = NewType("MessageId", str)
InterruptId = NewType("InterruptId", str)
SpanId = NewType("SpanId", str)
CheckpointId = NewType("CheckpointId", str)


def new_id() -> str:
    """A fresh random (uuid4) id string."""
    return str(uuid.uuid4())


def new_thread_id() -> ThreadId:
    """A fresh thread id."""
    return ThreadId(new_id())


def new_run_id() -> RunId:
    """A fresh run id."""
    return RunId(new_id())


def new_message_id() -> MessageId:
    """A fresh message id."""
    return MessageId(new_id())


def derive_span_id(parent: SpanId | None, name: str) -> SpanId:
    """A deterministic span id: uuid5 of `name` under the parent span (or the nil uuid).

    The same run resumed in another process derives the same ids, so traces continue.
    """
    namespace = uuid.UUID(parent) if parent else uuid.UUID(int=0)
    return SpanId(str(uuid.uuid5(namespace, name)))


def run_span_id(parent: SpanId | None, run_id: RunId) -> SpanId:
    """The span of run `run_id` under `parent`: the root of the run's trace tree."""
    return derive_span_id(parent, f"run:{run_id}")
