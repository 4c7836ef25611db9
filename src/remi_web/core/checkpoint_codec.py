"""Checkpoints to JSON and back: the version is checked, older versions are migrated one step
at a time, and anything unreadable is a typed error rather than a silent loss.

Stores keep a run's messages once, in an append-only message log, and each checkpoint
without them (`encode_without_messages`): a checkpoint then costs the same at turn 1 and at
turn 1,000. `log_extension` says which messages a checkpoint adds to its run's log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

from .schema_types import LazyAdapter

from .errors import CheckpointVersionError, CorruptCheckpoint
from .messages import Message
from .state import CHECKPOINT_ADAPTER, STATE_VERSION, Checkpoint, Lease, LoopState

MESSAGE_ADAPTER = LazyAdapter[Message](Message)
MESSAGE_LIST_ADAPTER = LazyAdapter[list[Message]](list[Message])

_STATE_FIELDS = frozenset(f.name for f in fields(LoopState))
_CHECKPOINT_FIELDS = frozenset(f.name for f in fields(Checkpoint))


def _v1_to_v2(state: dict[str, Any]) -> dict[str, Any]:
    """Version 2 records the tool round in flight (`round_calls`, `resume_values`)."""
    return {**state, "round_calls": [], "resume_values": {}, "version": 2}


def _v2_to_v3(state: dict[str, Any]) -> dict[str, Any]:
    """Version 3 counts the tool calls executed (`tool_calls`, for usage limits)."""
    return {**state, "tool_calls": 0, "version": 3}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}
"""For each old version, the step that turns its state into the next version's."""


def encode_checkpoint(checkpoint: Checkpoint) -> bytes:
    """The JSON a store writes."""
    return CHECKPOINT_ADAPTER().dump_json(checkpoint)


def encode_without_messages(checkpoint: Checkpoint) -> bytes:
    """The JSON of `checkpoint` with an empty message list (the messages go to the log)."""
    state = checkpoint.state
    return CHECKPOINT_ADAPTER().dump_json(replace(checkpoint, state=replace(state, messages=[])))


def log_extension(
    messages: Sequence[Message], logged: int, last_id: str | None
) -> Sequence[Message] | None:
    """The messages a checkpoint adds to a run log holding `logged` messages, the last with
    id `last_id`; None if the checkpoint's messages do not extend the log (a rewritten
    history: the checkpoint then keeps its messages itself)."""
    if logged > len(messages) or (logged and messages[logged - 1].id != last_id):
        return None
    return messages[logged:]


def decode_messages(blobs: Sequence[str] | Sequence[bytes]) -> list[Message]:
    """Messages from their logged JSON, in order."""
    if not blobs:
        return []
    if isinstance(blobs[0], str):
        return MESSAGE_LIST_ADAPTER().validate_json("[" + ",".join(blobs) + "]")  # type: ignore[arg-type]
    return MESSAGE_LIST_ADAPTER().validate_json(b"[" + b",".join(blobs) + b"]")  # type: ignore[arg-type]


def decode_checkpoint(
    data: str | bytes,
    *,
    run_id: str = "",
    thread_id: str = "",
    sequence: int = 0,
    messages: list[Message] | None = None,
) -> Checkpoint:
    """The checkpoint in `data`, migrated to the current version.

    Raises `CheckpointVersionError` for a newer or unknown version and `CorruptCheckpoint`
    for anything else that cannot be read (bad JSON, unknown fields, wrong types); both name
    the run and the checkpoint (`run_id`, `thread_id`, `sequence` as the store knows them).
    `messages`, when given, are the checkpoint's messages from its run's log.
    """
    where = f"checkpoint {sequence} of run {run_id!r}" if run_id else "a checkpoint"

    def corrupt(reason: str) -> CorruptCheckpoint:
        return CorruptCheckpoint(
            f"Cannot read {where}: {reason}. The run can still be cancelled or marked failed.",
            run_id=run_id, thread_id=thread_id, sequence=sequence,
        )

    try:
        raw = json.loads(data)
    except ValueError as error:
        raise corrupt(f"not JSON ({error})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("state"), dict):
        raise corrupt("no state object")
    state: dict[str, Any] = raw["state"]
    version = state.get("version", 1)
    if type(version) is not int or not 1 <= version <= STATE_VERSION:
        raise CheckpointVersionError(
            f"{where.capitalize()} has state version {version!r}; this remi-web reads versions "
            f"1 to {STATE_VERSION}. Continue the run with the remi-web that wrote it."
        )
    while version < STATE_VERSION:
        state = MIGRATIONS[version](state)
        version += 1
    unknown = sorted(set(state) - _STATE_FIELDS) + sorted(set(raw) - _CHECKPOINT_FIELDS)
    if unknown:
        raise corrupt(f"unknown fields {', '.join(unknown)} (version {version} has none such)")
    from pydantic import ValidationError  # imported by the adapter's first use anyway

    try:
        checkpoint = CHECKPOINT_ADAPTER().validate_python({**raw, "state": state})
    except ValidationError as error:
        raise corrupt(str(error).splitlines()[0]) from None
    if messages is not None:
        checkpoint.state.messages = messages
    return checkpoint


def stored_checkpoint(row: Sequence[Any], log: list[str] | None) -> Checkpoint:
    """A checkpoint from a store's row `(run_id, thread_id, sequence, body, lease_owner,
    lease_until, messages)` and its run's message log (JSON); the lease columns (renewed in
    place) win over the body. Raises `CorruptCheckpoint` when the log is too short."""
    run_id, thread_id, sequence, body, owner, until, count = row
    messages = None
    if count is not None:
        if log is None or len(log) < count:
            raise CorruptCheckpoint(
                f"Checkpoint {sequence} of run {run_id!r} has {count} messages but its log "
                f"holds {0 if log is None else len(log)}.",
                run_id=run_id, thread_id=thread_id, sequence=sequence,
            )
        messages = decode_messages(log[:count])
    checkpoint = decode_checkpoint(
        body, run_id=run_id, thread_id=thread_id, sequence=sequence, messages=messages
    )
    lease = None if owner is None or until is None else Lease(owner, until)
    return checkpoint if checkpoint.lease == lease else replace(checkpoint, lease=lease)


def stored_row(checkpoint: Checkpoint, body: str, messages: int | None) -> tuple[object, ...]:
    """A store's row for `checkpoint`: `(id, run_id, thread_id, sequence, status, created_at,
    body, lease_owner, lease_until, messages)`, with `body` its encoded rest and `messages`
    how many logged messages are its own (None: they are in the body)."""
    lease = checkpoint.lease
    return (
        checkpoint.id, checkpoint.run_id, checkpoint.thread_id, checkpoint.sequence,
        checkpoint.status, checkpoint.created_at, body,
        None if lease is None else lease.owner,
        None if lease is None else lease.expires_at, messages,
    )
