"""The run message log: a run's messages are stored once and each checkpoint rebuilds its own
prefix of them; retention keeps the latest checkpoint (or N, or all); every backend."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import pytest

from remi_web.core.errors import CheckpointConflict, ConfigurationError
from remi_web.core.ids import CheckpointId, MessageId, RunId, ThreadId
from remi_web.core.messages import Message
from remi_web.core.state import Checkpoint, LoopState
from remi_web.core.store import Retention, Store

from .builders import message

RUN, THREAD = RunId("run-log"), ThreadId("thread-log")


def step(sequence: int, messages: list[Message], run: str = RUN) -> Checkpoint:
    """Checkpoint `sequence` of a run whose conversation is `messages` so far."""
    state = LoopState(run_id=RunId(run), thread_id=THREAD, messages=list(messages), turn=sequence,
                      status="tools_executed")
    return Checkpoint(CheckpointId(f"{run}:{sequence}"), RunId(run), THREAD, sequence,
                      "tools_executed", state, 1_700_000_000.0 + sequence)


def conversation(n: int) -> list[Message]:
    return [message(f"turn {i}") for i in range(n)]


@pytest.mark.pyodide
async def test_each_checkpoint_rebuilds_its_own_messages(make_store: Callable[[Retention], Store]) -> None:
    store = make_store("all")
    for sequence in range(1, 6):
        await store.put_checkpoint(step(sequence, conversation(sequence * 2)), sequence - 1)

    latest = await store.latest_checkpoint(RUN)
    listed = await store.list_checkpoints(THREAD)

    assert latest == step(5, conversation(10))
    assert listed == [step(s, conversation(s * 2)) for s in range(1, 6)]  # time travel


@pytest.mark.pyodide
async def test_a_rewritten_history_round_trips(make_store: Callable[[Retention], Store]) -> None:
    store = make_store("all")
    await store.put_checkpoint(step(1, conversation(4)), 0)
    summary = [Message("system", "summary of turns 0-3", id=MessageId("summary"))]
    await store.put_checkpoint(step(2, summary), 1)  # not an extension of the log
    await store.put_checkpoint(step(3, [*summary, message("turn 9")]), 2)

    listed = await store.list_checkpoints(THREAD)

    assert listed == [step(1, conversation(4)), step(2, summary),
                      step(3, [*summary, message("turn 9")])]


@pytest.mark.pyodide
async def test_a_writer_that_loses_the_claim_logs_nothing(
    make_store: Callable[[Retention], Store],
) -> None:
    store = make_store("all")
    await store.put_checkpoint(step(1, conversation(2)), 0)

    async def advance(worker: int) -> bool:
        await asyncio.sleep(0)
        mine = replace(step(2, [*conversation(2), message(f"by {worker}")]), id=f"w{worker}")
        try:
            await store.put_checkpoint(mine, 1)
        except CheckpointConflict:
            return False
        return True

    won = await asyncio.gather(*(advance(w) for w in range(4)))
    winner = won.index(True)
    await store.put_checkpoint(step(3, [*conversation(2), message(f"by {winner}"),
                                        message("next")]), 2)

    assert won.count(True) == 1
    latest = await store.latest_checkpoint(RUN)
    assert latest is not None
    assert latest.state.messages == [*conversation(2), message(f"by {winner}"), message("next")]


@pytest.mark.pyodide
@pytest.mark.parametrize("keep, kept", [("latest", [5]), (2, [4, 5]), ("all", [1, 2, 3, 4, 5])])
async def test_retention_keeps_what_it_says_and_every_message(
    make_store: Callable[[Retention], Store], keep: Retention, kept: list[int]
) -> None:
    store = make_store(keep)
    await store.put_checkpoint(step(1, conversation(1), run="other"), 0)  # another run: untouched
    for sequence in range(1, 6):
        await store.put_checkpoint(step(sequence, conversation(sequence)), sequence - 1)

    listed = await store.list_checkpoints(THREAD)

    assert [cp.sequence for cp in listed if cp.run_id == RUN] == kept
    assert [cp.state.messages for cp in listed if cp.run_id == RUN] == [
        conversation(s) for s in kept
    ]
    assert await store.latest_checkpoint(RunId("other")) == step(1, conversation(1), run="other")


@pytest.mark.pyodide
async def test_deleting_the_thread_deletes_its_runs_logs(
    make_store: Callable[[Retention], Store],
) -> None:
    store = make_store("latest")
    await store.put_checkpoint(step(1, conversation(3)), 0)
    await store.delete_thread(THREAD)

    assert await store.latest_checkpoint(RUN) is None
    await store.put_checkpoint(step(1, [message("fresh")]), 0)  # the same run id, anew
    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.state.messages == [message("fresh")]


@pytest.mark.pyodide
@pytest.mark.parametrize("keep", [0, -1, "some", True])
async def test_a_bad_retention_is_refused(
    make_store: Callable[[Retention], Store], keep: object
) -> None:
    with pytest.raises(ConfigurationError, match="keep must be"):
        make_store(keep)  # type: ignore[arg-type]


@pytest.mark.pyodide
async def test_a_thread_keeps_its_runs_messages_once_and_reads_them_back(
    make_store: Callable[[Retention], Store],
) -> None:
    store = make_store("latest")
    history = conversation(3)
    await store.put_checkpoint(step(1, history), 0)
    other_run = [message("elsewhere")]
    await store.put_checkpoint(replace(step(1, other_run, run="run-2"), thread_id=ThreadId("other")), 0)
    changed = Message("user", "edited turn 1", id=history[1].id)  # same id, other content

    await store.append_messages(THREAD, [history[0], changed, history[2], *other_run])

    assert await store.load_messages(THREAD) == [history[0], changed, history[2], *other_run]
    await store.delete_thread(ThreadId("other"))  # another thread's run log goes: this one stays
    assert await store.load_messages(THREAD) == [history[0], changed, history[2], *other_run]
