"""The "moved" mark of a handed-off run (`core.run_moved`), on every backend: it is the run's
last checkpoint, written as a compare-and-set, so a writer still holding the checkpoint
before it loses; a run is marked once; and a run coming back writes over its mark."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from remi_web.core.errors import CheckpointConflict, RunBusy, RunExists, RunMoved
from remi_web.core.events import InterruptInfo
from remi_web.core.ids import CheckpointId, InterruptId, MessageId, RunId, ThreadId
from remi_web.core.messages import Message, ToolCallRequest
from remi_web.core.run_bundle import MOVED_TO_KEY, export_run, import_run, mark_moved, moved_to
from remi_web.core.state import Checkpoint, Lease, LoopState
from remi_web.core.store import Retention, Store

from .builders import message

pytestmark = pytest.mark.pyodide

RUN, THREAD = RunId("run-m"), ThreadId("thread-m")
CALL = ToolCallRequest(id="call-1", name="deploy", arguments='{"env": "prod"}')
TOOLS = ["deploy", "status"]


def paused(sequence: int, *, status: str = "interrupted", lease: Lease | None = None) -> Checkpoint:
    """Checkpoint `sequence` of a run paused on the approval of one `deploy` call."""
    messages = [
        message("deploy it", "m-1"),
        Message("assistant", "", tool_calls=[CALL], id=MessageId("m-2")),
    ]
    info = InterruptInfo(InterruptId("int-1"), CALL.id, CALL.name, "approval", {"env": "prod"}, CALL.arguments)
    state = LoopState(
        run_id=RUN, thread_id=THREAD, messages=messages, history_len=0, turn=1,
        status=status,  # type: ignore[arg-type]
        pending_calls=[CALL], pending_interrupts=[info], metadata={"user": "ada"},
        sequence=sequence, started_at=1_700_000_000.0,
    )
    return Checkpoint(
        CheckpointId(f"run-m:{sequence}"), RUN, THREAD, sequence, status, state,  # type: ignore[arg-type]
        1_700_000_000.0 + sequence, lease,
    )


async def test_the_mark_is_the_runs_last_checkpoint_and_says_where_it_went(store: Store) -> None:
    await store.put_checkpoint(paused(1), 0)
    await store.put_checkpoint(paused(2), 1)

    mark = await mark_moved(store, RUN, "https://server.example", sequence=2)
    latest = await store.latest_checkpoint(RUN)

    assert latest is not None and latest.id == mark.id
    assert (latest.status, latest.sequence, latest.lease) == ("moved", 3, None)
    assert moved_to(latest) == "https://server.example"
    assert latest.state.metadata == {"user": "ada", MOVED_TO_KEY: "https://server.example"}
    assert latest.state.messages == paused(2).state.messages  # the state as it was, kept whole
    assert latest.state.pending_interrupts == paused(2).state.pending_interrupts
    assert [c.sequence for c in await store.list_checkpoints(THREAD)] == [1, 2, 3]


async def test_a_writer_still_holding_the_checkpoint_before_the_mark_loses(store: Store) -> None:
    await store.put_checkpoint(paused(1), 0)
    await mark_moved(store, RUN, "server", sequence=1)

    with pytest.raises(CheckpointConflict):  # a resume's claim, written over checkpoint 1
        await store.put_checkpoint(replace(paused(2, status="running"), id=CheckpointId("late")), 1)

    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.status == "moved" and latest.sequence == 2


async def test_a_run_is_marked_once_and_never_past_where_it_was_exported(store: Store) -> None:
    await store.put_checkpoint(paused(1), 0)
    await store.put_checkpoint(paused(2), 1)

    with pytest.raises(RunBusy):  # exported at 1, went on to 2 since
        await mark_moved(store, RUN, "server", sequence=1)
    assert [c.sequence for c in await store.list_checkpoints(THREAD)] == [1, 2]
    await mark_moved(store, RUN, "server", sequence=2)
    with pytest.raises(RunMoved) as again:
        await mark_moved(store, RUN, "another server")
    assert again.value.to == "server"
    assert [c.sequence for c in await store.list_checkpoints(THREAD)] == [1, 2, 3]


async def test_a_running_run_under_a_live_lease_is_not_marked(store: Store) -> None:
    lease = Lease("another-host/1/abc", 4_000_000_000.0)
    await store.put_checkpoint(paused(1, status="running", lease=lease), 0)

    with pytest.raises(RunBusy):
        await mark_moved(store, RUN, "server")

    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.status == "running"


async def test_a_run_comes_back_over_its_mark_and_only_once(store: Store) -> None:
    await store.append_messages(THREAD, [message("earlier", "m-0")])
    await store.put_checkpoint(paused(1), 0)
    bundle = await export_run(store, RUN, agent="ops", tools=TOOLS)
    mark = await mark_moved(store, RUN, "server", sequence=bundle.checkpoint.sequence)

    back = await import_run(store, bundle.to_json(), TOOLS)
    latest = await store.latest_checkpoint(RUN)

    assert latest is not None and latest.id == back.id
    assert (latest.status, latest.sequence) == ("interrupted", mark.sequence + 1)
    assert latest.state.messages == paused(1).state.messages
    assert latest.state.metadata == {"user": "ada"}  # the mark's note stays with the mark
    assert await store.load_messages(THREAD) == [message("earlier", "m-0")]  # nothing doubled
    with pytest.raises(RunExists):
        await import_run(store, bundle, TOOLS)


@pytest.mark.parametrize("keep", ["latest", 2])
async def test_the_mark_holds_under_every_retention(
    make_store: Callable[[Retention], Store], keep: Retention
) -> None:
    store = make_store(keep)
    for sequence in (1, 2, 3):
        await store.put_checkpoint(paused(sequence), sequence - 1)

    await mark_moved(store, RUN, "server", sequence=3)

    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.status == "moved" and latest.state.messages == paused(3).state.messages
    with pytest.raises(CheckpointConflict):
        await store.put_checkpoint(replace(paused(4), id=CheckpointId("late")), 3)
