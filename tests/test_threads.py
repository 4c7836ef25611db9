"""Threads you can travel in: fork at a message, replay from one, export and import a bundle."""

from __future__ import annotations

import json

import pytest
from helpers import collect, of_type

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    InterruptEvent,
    MemoryStore,
    Message,
    RunStart,
    ScriptedModel,
    ToolCall,
    tool,
)
from remi_web.core.errors import (
    BundleVersionError,
    InvalidBundle,
    MessageNotFound,
    RequestError,
    ThreadExists,
    ThreadNotFound,
)
from remi_web.core.ids import ThreadId
from remi_web.core.messages import ToolCallRequest
from remi_web.core.schema_types import JsonValue
from remi_web.core.threads import export_thread, fork_point, fork_thread, import_thread, replay

pytestmark = pytest.mark.pyodide

T = ThreadId("t")
HISTORY = [
    Message.user("my name is Ada"),  # 0
    Message.assistant("", [ToolCallRequest("c1", "save_note", '{"text": "Ada"}'),
                           ToolCallRequest("c2", "save_note", '{"text": "Ada!"}')]),  # 1
    Message.tool("c1", "saved"),  # 2
    Message.tool("c2", "saved"),  # 3
    Message.assistant("Nice to meet you, Ada."),  # 4
    Message.user("what is my name?"),  # 5
    Message.assistant("Ada."),  # 6
]


async def _store() -> MemoryStore:
    store = MemoryStore()
    await store.append_messages(T, list(HISTORY))
    return store


@pytest.mark.parametrize(
    ("at", "kept"),
    [(0, 0), (1, 1), (2, 1), (3, 1), (4, 4), (5, 5), (7, 7), (-1, 6), (-2, 5)],
)
def test_a_fork_point_never_parts_a_tool_call_from_its_result(at: int, kept: int) -> None:
    assert fork_point(HISTORY, at) == kept
    assert fork_point(HISTORY, HISTORY[at].id if at < 7 else at) == kept


async def test_fork_copies_the_prefix_into_a_new_thread_and_leaves_the_original() -> None:
    store = await _store()
    branch = await fork_thread(store, T, at=HISTORY[5].id)
    assert branch != T
    assert await store.load_messages(branch) == HISTORY[:5]  # ids included
    assert await store.load_messages(T) == HISTORY
    named = await fork_thread(store, T, at=3, new_thread_id=ThreadId("named"))
    assert named == "named" and await store.load_messages(named) == HISTORY[:1]
    whole = await fork_thread(store, T)
    assert await store.load_messages(whole) == HISTORY


async def test_bad_forks_are_refused_with_typed_errors() -> None:
    store = await _store()
    with pytest.raises(ThreadNotFound):
        await fork_thread(store, ThreadId("nope"), at=0)
    with pytest.raises(MessageNotFound, match="no message with id"):
        await fork_thread(store, T, at="not-an-id")
    with pytest.raises(MessageNotFound, match="7 messages"):
        await fork_thread(store, T, at=8)
    with pytest.raises(ThreadExists, match="new thread id"):
        await fork_thread(store, T, at=1, new_thread_id=T)
    await fork_thread(store, T, at=1, new_thread_id=ThreadId("b"))
    with pytest.raises(ThreadExists, match="already has messages"):
        await fork_thread(store, T, at=1, new_thread_id=ThreadId("b"))


async def test_replay_sends_the_truncated_history_and_stores_the_branch() -> None:
    model = ScriptedModel([["Hi Ada."], ["You are Ada."], ["Hello Bob."]])
    store = MemoryStore()
    agent = AgentBuilder().model(model).store(store).build()
    await collect(agent.chat(ChatRequest.user("my name is Ada", thread_id=T)))
    await collect(agent.chat(ChatRequest.user("what is my name?", thread_id=T)))
    original = await store.load_messages(T)
    assert [m.content for m in original] == [
        "my name is Ada", "Hi Ada.", "what is my name?", "You are Ada."
    ]

    events = await collect(replay(agent, store, T, at=0, message="my name is Bob"))
    branch = of_type(events, RunStart)[0].thread_id
    assert of_type(events, Done)[0].text == "Hello Bob."
    assert [m.content for m in model.requests[-1].messages if m.role != "system"] == [
        "my name is Bob"
    ]  # the model saw the history before message 0, then the edited message
    assert [m.content for m in await store.load_messages(branch)] == [
        "my name is Bob", "Hello Bob."
    ]
    assert await store.load_messages(T) == original  # the original is left as it was


async def test_replay_resends_the_user_message_itself_by_default() -> None:
    model = ScriptedModel([["Hi Ada."], ["You are Ada."], ["Ada, again."]])
    store = MemoryStore()
    agent = AgentBuilder().model(model).store(store).build()
    await collect(agent.chat(ChatRequest.user("my name is Ada", thread_id=T)))
    await collect(agent.chat(ChatRequest.user("what is my name?", thread_id=T)))
    second = (await store.load_messages(T))[2]
    events = await collect(replay(agent, store, T, at=second.id, new_thread_id=ThreadId("r")))
    assert of_type(events, RunStart)[0].thread_id == "r"
    assert [m.content for m in model.requests[-1].messages if m.role != "system"] == [
        "my name is Ada", "Hi Ada.", "what is my name?"
    ]
    assert [m.content for m in await store.load_messages(ThreadId("r"))] == [
        "my name is Ada", "Hi Ada.", "what is my name?", "Ada, again."
    ]
    with pytest.raises(RequestError, match="not a user message"):
        await collect(replay(agent, store, T, at=1))


@tool(requires_approval=True)
def send_email(to: str) -> str:
    """Send an email."""
    return f"sent to {to}"


async def test_export_then_import_round_trips_messages_and_checkpoints_exactly() -> None:
    script: list[list[str | ToolCall]] = [["Hi."], [ToolCall("send_email", {"to": "ann"})], ["Sent."]]
    store = MemoryStore()
    agent = AgentBuilder().model(ScriptedModel(script)).tools(send_email).store(store).build()
    await collect(agent.chat(ChatRequest.user("hello", thread_id=T)))
    events = await collect(agent.chat(ChatRequest.user("email ann", thread_id=T)))
    pending = of_type(events, InterruptEvent)[0]

    bundle = await export_thread(store, T, metadata={"title": "Ann"})
    bundle = json.loads(json.dumps(bundle))  # it is plain JSON
    assert (bundle["format"], bundle["version"], bundle["thread_id"]) == ("remi-thread", 1, "t")
    assert bundle["metadata"] == {"title": "Ann"}
    assert len(bundle["checkpoints"]) == 2  # the latest of each run: done, interrupted
    assert isinstance(bundle["exported_at"], float)

    other = MemoryStore()
    assert await import_thread(other, bundle) == T
    assert await other.load_messages(T) == await store.load_messages(T)  # ids included
    again = await export_thread(other, T, metadata={"title": "Ann"})
    assert {**again, "exported_at": 0} == {**bundle, "exported_at": 0}

    # the paused run goes on in the other store, from the imported checkpoint
    resumed = AgentBuilder().model(ScriptedModel([["Sent."]])).tools(send_email).store(other).build()
    answer: dict[str, JsonValue] = {pending.interrupts[0].interrupt_id: {"approved": True}}
    done = of_type(await collect(resumed.chat(ChatRequest.resume(pending.run_id, answer))), Done)
    assert done[0].text == "Sent."
    assert [m.content for m in await other.load_messages(T)][-1] == "Sent."


async def test_import_never_overwrites_and_gives_clashing_runs_fresh_ids() -> None:
    store = MemoryStore()
    agent = AgentBuilder().model(ScriptedModel([["Hi."]])).store(store).build()
    await collect(agent.chat(ChatRequest.user("hello", thread_id=T)))
    bundle = await export_thread(store, T)
    with pytest.raises(ThreadExists, match="never overwritten"):
        await import_thread(store, bundle)
    copy = await import_thread(store, bundle, ThreadId("copy"))
    assert await store.load_messages(copy) == await store.load_messages(T)
    (original,), (imported,) = await store.list_checkpoints(T), await store.list_checkpoints(copy)
    assert imported.run_id != original.run_id and imported.id != original.id
    assert imported.state.thread_id == "copy" and imported.state.run_id == imported.run_id
    messages_only = await import_thread(store, bundle, ThreadId("m"), checkpoints=False)
    assert await store.list_checkpoints(messages_only) == []


async def test_bad_bundles_are_refused_with_typed_errors() -> None:
    store = await _store()
    bundle = await export_thread(store, T)
    with pytest.raises(ThreadNotFound):
        await export_thread(store, ThreadId("nope"))
    with pytest.raises(BundleVersionError, match="version 2"):
        await import_thread(MemoryStore(), {**bundle, "version": 2})
    with pytest.raises(InvalidBundle, match="format") as refused:
        await import_thread(MemoryStore(), {**bundle, "format": "langgraph"})
    assert refused.value.field == "format" and not isinstance(refused.value, BundleVersionError)
    with pytest.raises(InvalidBundle) as bad_message:
        await import_thread(MemoryStore(), {**bundle, "messages": [{"role": "robot"}]})
    assert bad_message.value.field is not None and bad_message.value.field.startswith("messages.0")
    with pytest.raises(InvalidBundle, match="Checkpoint 0"):
        await import_thread(MemoryStore(), {**bundle, "checkpoints": [{"state": 1}]})
    empty = MemoryStore()
    with pytest.raises(InvalidBundle):
        await import_thread(empty, {**bundle, "checkpoints": [{"state": 1}]})
    assert await empty.list_threads() == []  # nothing is written before all is read
