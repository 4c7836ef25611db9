"""`put_checkpoint` then `latest_checkpoint`: the newest checkpoint of a run, stored by value."""

from __future__ import annotations

import pytest

from remi_web.core.content import ImageUrlPart, TextPart
from remi_web.core.ids import RunId
from remi_web.core.state import CHECKPOINT_ADAPTER
from remi_web.core.store import Store

from .builders import checkpoint, message

pytestmark = pytest.mark.pyodide


async def test_unknown_run_has_no_checkpoint(store: Store) -> None:
    assert await store.latest_checkpoint(RunId("nope")) is None


async def test_put_then_latest_returns_the_checkpoint(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 0))

    assert await store.latest_checkpoint(RunId("run-a")) == checkpoint("run-a", 0)


async def test_highest_sequence_wins_whatever_the_put_order(store: Store) -> None:
    for sequence in (1, 3, 0, 2):
        await store.put_checkpoint(checkpoint("run-a", sequence))

    latest = await store.latest_checkpoint(RunId("run-a"))

    assert latest == checkpoint("run-a", 3)


async def test_latest_is_per_run(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 0))
    await store.put_checkpoint(checkpoint("run-a", 1))
    await store.put_checkpoint(checkpoint("run-b", 0))

    assert await store.latest_checkpoint(RunId("run-a")) == checkpoint("run-a", 1)
    assert await store.latest_checkpoint(RunId("run-b")) == checkpoint("run-b", 0)


async def test_full_loop_state_round_trips(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 4, status="interrupted", rich=True))

    latest = await store.latest_checkpoint(RunId("run-a"))

    assert latest == checkpoint("run-a", 4, status="interrupted", rich=True)
    assert latest is not None
    state = latest.state
    assert state.messages[2].tool_calls[0].arguments == '{"q": "weather"}'
    assert state.messages[3].tool_call_id == state.messages[2].tool_calls[0].id
    assert state.messages[1].content == [
        TextPart("what is this?"),
        ImageUrlPart("https://example.test/a.png", "low"),
    ]
    assert state.pending_interrupts[0].payload == {
        "question": "deploy?",
        "options": ["yes", "no"],
        "risk": 0.5,
    }
    assert state.usage.total_tokens == 154
    assert state.tool_state == {"counter": 7, "vfs": {"/notes.txt": "hello"}, "flag": True}
    assert state.completed[1].is_error
    assert state.overrides.temperature == 0.25
    assert CHECKPOINT_ADAPTER().dump_json(latest) == CHECKPOINT_ADAPTER().dump_json(
        checkpoint("run-a", 4, status="interrupted", rich=True)
    )


async def test_stored_checkpoint_ignores_later_caller_mutation(store: Store) -> None:
    stored = checkpoint("run-a", 0, rich=True)
    await store.put_checkpoint(stored)

    stored.state.messages.append(message("added after put"))
    stored.state.tool_state["counter"] = 999
    stored.state.metadata["user"] = "mallory"
    stored.state.pending_calls.clear()
    stored.state.turn = 42

    assert await store.latest_checkpoint(RunId("run-a")) == checkpoint("run-a", 0, rich=True)


async def test_returned_checkpoint_is_the_callers_own_copy(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 0, rich=True))
    first = await store.latest_checkpoint(RunId("run-a"))
    assert first is not None

    first.state.messages.clear()
    first.state.tool_state["counter"] = 0

    assert await store.latest_checkpoint(RunId("run-a")) == checkpoint("run-a", 0, rich=True)


async def test_putting_the_same_id_again_replaces_it(store: Store) -> None:
    await store.put_checkpoint(checkpoint("run-a", 0, status="running"))
    await store.put_checkpoint(checkpoint("run-a", 0, status="done"))

    assert await store.latest_checkpoint(RunId("run-a")) == checkpoint("run-a", 0, status="done")
    assert await store.list_checkpoints(checkpoint("run-a", 0).thread_id) == [
        checkpoint("run-a", 0, status="done")
    ]
