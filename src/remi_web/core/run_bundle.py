"""Runs that move: export one run as a `RunBundle`, import it into another store (a page's
IndexedDB, a server's database), and mark the original moved, so the same run goes on
on whichever side suits it, and never on two.

Page-safe: the Store API is all the I/O. A hand-off is three steps: `export_run` here,
`import_run` there, `mark_moved` here (`remi_web.remote.handoff` does them against a
server). A run can be handed off paused on interrupts or between turns (`MOVABLE`); one in
the middle of a model call or a tool round is refused (`RunInFlight`). The bundle carries
no secret: no approval tokens (the receiving server signs its own), no leases, no keys.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from .errors import (
    CheckpointConflict,
    CheckpointVersionError,
    CorruptCheckpoint,
    RunExists,
    RunNotFound,
    RunNotMovable,
    ThreadExists,
)
from .ids import CheckpointId, RunId, ThreadId, new_id, run_span_id
from .run_bundle_checks import check_bundle, check_movable, check_tools, read_run_bundle
from .run_bundle_format import (
    MOVABLE,
    RUN_BUNDLE_FORMAT,
    RUN_BUNDLE_VERSION,
    BundleLimits,
    BundleTrace,
    RunBundle,
)
from .run_moved import MOVED, MOVED_TO_KEY, mark_moved, moved_to
from .secrets import Secret
from .state import Checkpoint
from .store import Store

MIN_SECRET_CHARS = 8
"""The shortest secret `export_run` looks for in a bundle."""

__all__ = [
    "MOVABLE", "MOVED_TO_KEY", "RUN_BUNDLE_FORMAT", "RUN_BUNDLE_VERSION", "BundleLimits",
    "BundleTrace", "RunBundle", "export_run", "import_run", "mark_moved", "moved_to",
    "read_run_bundle",
]


async def export_run(
    store: Store,
    run_id: RunId,
    *,
    agent: str,
    tools: Iterable[str],
    thread_id: ThreadId | None = None,
    secrets: Iterable[Secret] = (),
) -> RunBundle:
    """The run as a bundle (the run itself is not changed: `mark_moved` it once the other
    side has it).

    Args:
        store: where the run lives.
        run_id: the run.
        agent: the name of the agent that runs it.
        tools: the names of that agent's tools.
        thread_id: the id the bundle names the run's thread by (the stored one by default;
            a server gives the id its caller knows).
        secrets: values that must never leave (the agent's `secrets()`: its model's API
            key...); a run whose state holds one is not movable.

    Raises:
        RunNotFound: no such run.
        RunMoved: it was handed off already.
        RunInFlight, RunNotMovable: it cannot be handed off as it stands.
    """
    latest = await store.latest_checkpoint(run_id)
    if latest is None:
        raise RunNotFound(f"No run {run_id!r} in this store to hand off.")
    check_movable(latest)
    messages = await store.load_messages(latest.thread_id)
    shown = thread_id if thread_id is not None else latest.thread_id
    state = latest.state
    pending = [replace(info, token=None) for info in state.pending_interrupts]
    moved_state = replace(state, thread_id=shown, pending_interrupts=pending)
    checkpoint = replace(latest, thread_id=shown, state=moved_state, lease=None)
    bundle = RunBundle(
        run_id=run_id,
        thread_id=shown,
        agent=agent,
        tools=sorted(set(tools)),
        status=latest.status,
        checkpoint=checkpoint,
        messages=messages,
        pending_interrupts=pending,
        usage=state.usage,
        trace=BundleTrace(
            state.trace_parent, run_span_id(state.trace_parent, run_id), state.started_at
        ),
        created_at=time.time(),
    )
    check_bundle(bundle)  # what this side writes, the other side reads
    _keep_secrets(bundle, secrets)
    return bundle


async def import_run(
    store: Store,
    bundle: RunBundle | Mapping[str, Any] | str | bytes,
    tools: Iterable[str],
    *,
    thread_id: ThreadId | None = None,
    limits: BundleLimits | None = None,
) -> Checkpoint:
    """Store the run of `bundle` so the agent owning `store` continues it (`Resume` it as
    any paused run); the checkpoint written.

    The run keeps its id, turn count, usage, tool state and trace root. A run this store
    already holds is refused, unless it was moved away from here: then it comes back (over
    its moved mark, as a compare-and-set). The thread gets the bundle's messages it lacks;
    one holding other messages is refused.

    Args:
        store: the receiving agent's store.
        bundle: the bundle, or its JSON (text or parsed).
        tools: the names of the receiving agent's tools (it must have every one).
        thread_id: the thread's id here (the bundle's by default; a server scopes it).
        limits: the largest bundle read (`BundleLimits()` by default).

    Raises:
        InvalidBundle: malformed or inconsistent (`BundleVersionError`, `BundleTooLarge`,
            `UnknownBundleTool` for the specific cases).
        RunNotMovable, RunInFlight: the run cannot continue elsewhere as it stands.
        RunExists: the run is here already (or was imported meanwhile).
        ThreadExists: the thread here holds messages the bundle's does not.
    """
    if isinstance(bundle, RunBundle):
        check_bundle(bundle)
    else:
        bundle = read_run_bundle(bundle, limits)
    check_tools(bundle, tools)
    run_id = bundle.run_id
    target = thread_id if thread_id is not None else bundle.thread_id
    expected = await _moved_here(store, run_id)
    have = await store.load_messages(target)
    if [m.id for m in have] != [m.id for m in bundle.messages[: len(have)]]:
        raise ThreadExists(
            f"Thread {target!r} here holds messages the run's thread does not; import the run "
            "into another thread."
        )
    sequence = max(bundle.checkpoint.sequence, expected + 1)
    state = replace(
        bundle.checkpoint.state, thread_id=target, sequence=sequence,
        metadata={k: v for k, v in bundle.checkpoint.state.metadata.items() if k != MOVED_TO_KEY},
    )
    checkpoint = Checkpoint(
        CheckpointId(new_id()), run_id, target, sequence, bundle.status, state, time.time()
    )
    try:
        await store.put_checkpoint(checkpoint, expected)
    except CheckpointConflict:
        raise RunExists(f"Run {run_id!r} was imported here meanwhile.") from None
    if len(bundle.messages) > len(have):
        await store.append_messages(target, bundle.messages[len(have) :])
    return checkpoint


def _keep_secrets(bundle: RunBundle, secrets: Iterable[Secret]) -> None:
    """Refuse a bundle that would carry one of `secrets` (values shorter than
    `MIN_SECRET_CHARS` are not looked for: they would match by chance)."""
    values = [s.reveal() for s in secrets if len(s.reveal()) >= MIN_SECRET_CHARS]
    if not values:
        return
    text = json.dumps(bundle.to_json())
    if any(value in text or json.dumps(value)[1:-1] in text for value in values):
        raise RunNotMovable(
            f"Run {bundle.run_id!r} holds one of its agent's secrets (an API key or token) in "
            "its messages or state; secrets never leave, so the run stays here."
        )


async def _moved_here(store: Store, run_id: RunId) -> int:
    """The sequence an import of `run_id` writes over: 0 for a run this store never held,
    the moved mark's for one that left; `RunExists` otherwise."""
    try:
        latest = await store.latest_checkpoint(run_id)
    except (CorruptCheckpoint, CheckpointVersionError):
        raise RunExists(f"Run {run_id!r} is here already (its checkpoint is unreadable).") from None
    if latest is None:
        return 0
    if latest.status != MOVED:
        raise RunExists(
            f"Run {run_id!r} is here already ({latest.status}); a run is held in one place "
            "at a time. Continue it here, or hand it off from here."
        )
    return latest.sequence
