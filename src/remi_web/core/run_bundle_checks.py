"""Reading a run bundle without trusting it: size limits, format and version, the schema of
every field, then that its parts agree with each other, so an edited bundle is refused
before anything is stored and nothing in it is run blindly.

What is checked beyond the schema: the run, thread and status named at the top are those of
the checkpoint; the run is movable (paused on interrupts, or between turns: no tool round in
flight, no caller-run tools); the pending interrupts are the checkpoint's, carry no approval
token, and each names a waiting tool call with exactly the arguments the model gave it (the
last assistant message's); the usage and trace root are the checkpoint's; and, on import,
the receiving agent has every tool the bundle names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .checkpoint_codec import decode_checkpoint
from .errors import (
    BundleTooLarge,
    BundleVersionError,
    CheckpointVersionError,
    CorruptCheckpoint,
    InvalidBundle,
    RunInFlight,
    RunNotMovable,
    UnknownBundleTool,
)
from .ids import run_span_id
from .run_bundle_format import (
    MOVABLE,
    RUN_BUNDLE_ADAPTER,
    RUN_BUNDLE_FORMAT,
    RUN_BUNDLE_VERSION,
    BundleLimits,
    RunBundle,
)
from .run_moved import MOVED, moved_error
from .state import Checkpoint

_FIELDS = frozenset(RunBundle.__dataclass_fields__)

__all__ = ["check_bundle", "check_movable", "check_tools", "read_run_bundle"]


def read_run_bundle(
    data: str | bytes | Mapping[str, Any], limits: BundleLimits | None = None
) -> RunBundle:
    """The bundle in `data` (its JSON text, or that JSON parsed), checked.

    Raises:
        BundleTooLarge: over `limits`.
        BundleVersionError: another format version (e.g. written by a newer remi-web).
        InvalidBundle: malformed, or its parts disagree (`field` says where).
        RunNotMovable, RunInFlight: the run it holds cannot continue elsewhere.
    """
    limits = limits if limits is not None else BundleLimits()
    raw = _parsed(data, limits)
    if raw.get("format") != RUN_BUNDLE_FORMAT:
        raise InvalidBundle(
            f"Not a run bundle: `format` is {str(raw.get('format'))[:80]!r}, not "
            f"{RUN_BUNDLE_FORMAT!r}.",
            field="format",
        )
    version = raw.get("version")
    if type(version) is not int or version != RUN_BUNDLE_VERSION:
        raise BundleVersionError(
            f"Run bundle version {str(version)[:20]}; this remi-web reads version "
            f"{RUN_BUNDLE_VERSION}. Continue the run with a remi-web that reads it.",
            field="version",
        )
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise InvalidBundle(
            f"Unknown run bundle field {unknown[0][:80]!r} (version {RUN_BUNDLE_VERSION} has "
            "no such field).",
            field=unknown[0][:80],
        )
    _within(raw, limits)
    bundle = _validated(raw, _checkpoint(raw.get("checkpoint")))
    check_bundle(bundle)
    return bundle


def check_movable(checkpoint: Checkpoint) -> None:
    """Refuse a run that cannot continue elsewhere as it stands.

    Raises:
        RunMoved: it was handed off already.
        RunInFlight: a model call or a tool round is under way.
        RunNotMovable: it ended otherwise than done, waits for its caller's tools, or
            uses tools its caller runs.
    """
    state, run = checkpoint.state, checkpoint.run_id
    if checkpoint.status == MOVED:
        raise moved_error(checkpoint)
    if checkpoint.status == "running" or state.round_calls or state.resume_values:
        raise RunInFlight(
            f"Run {run!r} is in the middle of a model call or a tool round; hand it off once "
            "it pauses on an interrupt or the round ends."
        )
    if checkpoint.status not in MOVABLE:
        raise RunNotMovable(
            f"Run {run!r} is {checkpoint.status!r}; a run can be handed off paused on "
            f"interrupts or between turns ({', '.join(MOVABLE)})."
        )
    if state.external_tools:
        raise RunNotMovable(
            f"Run {run!r} offers tools its caller runs ({state.external_tools[0].name!r}...); "
            "they do not exist on the other side."
        )


def check_bundle(bundle: RunBundle) -> None:
    """Refuse a bundle whose parts disagree (see the module's docstring)."""
    checkpoint, state = bundle.checkpoint, bundle.checkpoint.state
    _agree("checkpoint.run_id", checkpoint.run_id, bundle.run_id)
    _agree("checkpoint.state.run_id", state.run_id, bundle.run_id)
    _agree("checkpoint.thread_id", checkpoint.thread_id, bundle.thread_id)
    _agree("checkpoint.state.thread_id", state.thread_id, bundle.thread_id)
    _agree("checkpoint.status", checkpoint.status, bundle.status)
    _agree("checkpoint.state.status", state.status, bundle.status)
    _agree("checkpoint.state.sequence", state.sequence, checkpoint.sequence)
    if checkpoint.lease is not None:
        raise InvalidBundle("A bundle carries no lease.", field="checkpoint.lease")
    check_movable(checkpoint)
    _agree("usage", bundle.usage, state.usage)
    for index, info in enumerate([*bundle.pending_interrupts, *state.pending_interrupts]):
        if info.token is not None:
            where = (
                f"pending_interrupts.{index}" if index < len(bundle.pending_interrupts)
                else f"checkpoint.state.pending_interrupts.{index - len(bundle.pending_interrupts)}"
            )
            raise InvalidBundle(
                "Approval tokens never travel in a bundle (the receiving server signs its own).",
                field=where + ".token",
            )
    _agree("pending_interrupts", bundle.pending_interrupts, state.pending_interrupts)
    _check_calls(bundle)
    trace = bundle.trace
    _agree("trace.parent_span", trace.parent_span, state.trace_parent)
    _agree("trace.run_span", trace.run_span, run_span_id(state.trace_parent, bundle.run_id))
    _agree("trace.started_at", trace.started_at, state.started_at)


def check_tools(bundle: RunBundle, tools: Iterable[str]) -> None:
    """Refuse (`UnknownBundleTool`) a bundle naming a tool the receiving agent lacks."""
    have = set(tools)
    for index, name in enumerate(bundle.tools):
        if name not in have:
            raise UnknownBundleTool(
                f"The run used tool {name[:100]!r}, which this agent does not have; hand it "
                "to an agent with the same tools.",
                field=f"tools.{index}",
            )
    for index, call in enumerate(bundle.checkpoint.state.pending_calls):
        if call.name not in have:
            raise UnknownBundleTool(
                f"Tool call {call.id[:100]!r} waits for tool {call.name[:100]!r}, which this "
                "agent does not have.",
                field=f"checkpoint.state.pending_calls.{index}.name",
            )


def _parsed(data: str | bytes | Mapping[str, Any], limits: BundleLimits) -> dict[str, Any]:
    """`data` as a JSON object, within `limits.max_bytes`."""
    if isinstance(data, Mapping):
        try:
            size = len(json.dumps(data, separators=(",", ":")).encode())
        except (TypeError, ValueError) as error:
            raise InvalidBundle(f"A run bundle is JSON data; this is not: {error}.") from None
        raw: object = data
    else:
        size = len(data.encode() if isinstance(data, str) else data)
        raw = None
    if size > limits.max_bytes:
        raise BundleTooLarge(
            f"The run bundle has {size} bytes; this side reads at most {limits.max_bytes}."
        )
    if raw is None:
        try:
            raw = json.loads(data)  # type: ignore[arg-type]  # str or bytes here
        except ValueError as error:
            raise InvalidBundle(f"A run bundle is JSON; this is not: {error}.") from None
    if not isinstance(raw, Mapping):
        raise InvalidBundle("A run bundle is a JSON object (what export_run writes).")
    return dict(raw)


def _within(raw: Mapping[str, Any], limits: BundleLimits) -> None:
    """Refuse more messages or tools than `limits` allow (before validating them)."""
    tools = raw.get("tools")
    if isinstance(tools, list) and len(tools) > limits.max_tools:
        raise BundleTooLarge(
            f"The run bundle names {len(tools)} tools; this side reads at most "
            f"{limits.max_tools}.",
            field="tools",
        )
    messages = raw.get("messages")
    checkpoint = raw.get("checkpoint")
    state = checkpoint.get("state") if isinstance(checkpoint, Mapping) else None
    run_messages = state.get("messages") if isinstance(state, Mapping) else None
    count = (len(messages) if isinstance(messages, list) else 0) + (
        len(run_messages) if isinstance(run_messages, list) else 0
    )
    if count > limits.max_messages:
        raise BundleTooLarge(
            f"The run bundle holds {count} messages; this side reads at most "
            f"{limits.max_messages}.",
            field="messages",
        )


def _checkpoint(raw: object) -> Checkpoint:
    """The bundle's checkpoint, read (and migrated) as a store reads one."""
    if not isinstance(raw, Mapping):
        raise InvalidBundle("`checkpoint` must be a checkpoint object.", field="checkpoint")
    try:
        return decode_checkpoint(json.dumps(raw))
    except CheckpointVersionError as error:
        raise BundleVersionError(f"The bundle's checkpoint: {error}", field="checkpoint") from None
    except CorruptCheckpoint as error:
        raise InvalidBundle(f"The bundle's checkpoint: {error}", field="checkpoint") from None


def _validated(raw: Mapping[str, Any], checkpoint: Checkpoint) -> RunBundle:
    """The bundle's fields, typed (`InvalidBundle` naming the first bad one)."""
    from pydantic import ValidationError  # the adapter imports it on first use anyway

    try:
        return RUN_BUNDLE_ADAPTER().validate_python({**raw, "checkpoint": checkpoint})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidBundle(f"Invalid run bundle: {where}: {first['msg']}.", field=where) from None


def _agree(field: str, found: object, expected: object) -> None:
    if found != expected:
        raise InvalidBundle(
            f"The bundle's {field} disagrees with the rest of it (an edited bundle?).",
            field=field,
        )


def _check_calls(bundle: RunBundle) -> None:
    """The waiting calls are the model's (its last assistant message), the interrupts name
    waiting calls with their exact arguments; a run between turns waits for no call."""
    state = bundle.checkpoint.state
    if bundle.status != "interrupted":
        if state.pending_calls or state.pending_interrupts or state.completed:
            raise InvalidBundle(
                f"A run {bundle.status!r} waits for no tool call.",
                field="checkpoint.state.pending_calls",
            )
        return
    if not state.pending_interrupts:
        raise InvalidBundle(
            "An interrupted run has pending interrupts.", field="pending_interrupts"
        )
    asked = next((m for m in reversed(state.messages) if m.role == "assistant"), None)
    made = {call.id: call for call in (asked.tool_calls if asked is not None else [])}
    for index, call in enumerate(state.pending_calls):
        if made.get(call.id) != call:
            raise InvalidBundle(
                f"Waiting tool call {call.id[:100]!r} is not the model's (its last assistant "
                "message has no such call with these arguments).",
                field=f"checkpoint.state.pending_calls.{index}",
            )
    waiting = {call.id: call for call in state.pending_calls}
    done = {outcome.call_id for outcome in state.completed}
    seen: set[str] = set()
    for index, info in enumerate(state.pending_interrupts):
        waited = waiting.get(info.call_id)
        if waited is None or waited.id in done or info.interrupt_id in seen:
            raise InvalidBundle(
                f"Interrupt {info.interrupt_id[:100]!r} names no waiting tool call.",
                field=f"pending_interrupts.{index}.call_id",
            )
        if info.tool_name != waited.name or info.arguments != waited.arguments:
            raise InvalidBundle(
                f"Interrupt {info.interrupt_id[:100]!r} is not for tool call {waited.id[:100]!r} "
                "as the model made it (tool or arguments differ).",
                field=f"pending_interrupts.{index}.arguments",
            )
        seen.add(info.interrupt_id)
