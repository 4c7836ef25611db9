"""Versioned checkpoints: an old version is migrated (a stored v1 fixture resumes), a newer or
unknown one and unknown fields are typed errors, and a corrupt run can still be closed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers import collect

from remi_web import AgentBuilder, ChatRequest, Done, ScriptedModel, SQLiteStore, tool
from remi_web.core.checkpoint_codec import decode_checkpoint
from remi_web.core.errors import CheckpointVersionError, CorruptCheckpoint
from remi_web.core.ids import RunId
from remi_web.core.run_close import close_run
from remi_web.core.state import STATE_VERSION

FIXTURE = Path(__file__).parent / "fixtures" / "checkpoint_v1_interrupted.json"
V1 = json.loads(FIXTURE.read_text())
RUN = RunId(V1["run_id"])


def stored(tmp_path: Path, body: dict[str, object] | str) -> Path:
    """A SQLite store file holding one checkpoint row with `body`, as an older or other
    remi-web wrote it."""
    path = tmp_path / "runs.db"
    SQLiteStore(path).close()  # the schema
    text = body if isinstance(body, str) else json.dumps(body)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO checkpoints (id, run_id, thread_id, sequence, status, created_at, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (V1["id"], V1["run_id"], V1["thread_id"], V1["sequence"], V1["status"],
             V1["created_at"], text),
        )
    return path


def email_agent(path: Path, sent: list[str], model: ScriptedModel):  # type: ignore[no-untyped-def]
    @tool(requires_approval=True)
    def send_email(to: str, body: str) -> str:
        """Send an email (a human approves it first)."""
        sent.append(to)
        return f"sent to {to}"

    return AgentBuilder().model(model).tools(send_email).store(SQLiteStore(path)).build()


def test_the_fixture_is_a_version_1_checkpoint() -> None:
    assert V1["state"]["version"] == 1 and STATE_VERSION > 1
    assert "round_calls" not in V1["state"]


async def test_a_stored_version_1_checkpoint_is_migrated_and_resumes(tmp_path: Path) -> None:
    path, sent = stored(tmp_path, V1), []
    model = ScriptedModel([["Emailed Ann."]])
    agent = email_agent(path, sent, model)
    interrupt_id = V1["state"]["pending_interrupts"][0]["interrupt_id"]

    events = await collect(agent.chat(ChatRequest.resume(RUN, {interrupt_id: True})))

    assert isinstance(events[-1], Done) and events[-1].run_id == RUN
    assert sent == ["ann@example.com"]
    latest = await SQLiteStore(path).latest_checkpoint(RUN)
    assert latest is not None and latest.state.version == STATE_VERSION


def test_the_migration_keeps_every_field_and_adds_the_new_ones() -> None:
    checkpoint = decode_checkpoint(json.dumps(V1))
    state = checkpoint.state
    assert state.version == STATE_VERSION and state.round_calls == [] and state.resume_values == {}
    assert [i.interrupt_id for i in state.pending_interrupts] == [
        i["interrupt_id"] for i in V1["state"]["pending_interrupts"]
    ]
    assert len(state.messages) == len(V1["state"]["messages"]) and state.turn == V1["state"]["turn"]


async def test_a_newer_version_is_refused_naming_both_versions(tmp_path: Path) -> None:
    newer = {**V1, "state": {**V1["state"], "version": 99, "from_the_future": True}}
    path = stored(tmp_path, newer)

    with pytest.raises(CheckpointVersionError, match=rf"version 99.*1 to {STATE_VERSION}"):
        await SQLiteStore(path).latest_checkpoint(RUN)
    agent = email_agent(path, [], ScriptedModel([]))
    with pytest.raises(CheckpointVersionError):
        await collect(agent.chat(ChatRequest.resume(RUN, {})))


@pytest.mark.parametrize("where", ["state", "checkpoint"])
async def test_an_unknown_field_is_an_error_not_dropped(tmp_path: Path, where: str) -> None:
    body = (
        {**V1, "state": {**V1["state"], "version": STATE_VERSION, "round_calls": [],
                         "resume_values": {}, "priority": "high"}}
        if where == "state" else {**V1, "priority": "high"}
    )
    path = stored(tmp_path, body)

    with pytest.raises(CorruptCheckpoint, match="unknown fields priority"):
        await SQLiteStore(path).latest_checkpoint(RUN)


@pytest.mark.parametrize("body", ["{not json", '{"state": 3}', json.dumps({**V1, "sequence": "x"})])
async def test_a_corrupt_checkpoint_is_a_typed_error_and_the_run_can_be_closed(
    tmp_path: Path, body: str
) -> None:
    path = stored(tmp_path, body)
    store = SQLiteStore(path)

    with pytest.raises(CorruptCheckpoint) as raised:
        await store.latest_checkpoint(RUN)
    assert raised.value.run_id == RUN and raised.value.sequence == V1["sequence"]
    agent = email_agent(path, [], ScriptedModel([]))
    with pytest.raises(CorruptCheckpoint):
        await collect(agent.chat(ChatRequest.resume(RUN, {})))

    closed = await close_run(store, RUN, "cancelled")

    assert closed is not None and closed.status == "cancelled"
    latest = await store.latest_checkpoint(RUN)
    assert latest is not None and latest.status == "cancelled"
    assert latest.sequence == V1["sequence"] + 1 and latest.thread_id == V1["thread_id"]
