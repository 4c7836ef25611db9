"""Run bundles in the core (page-safe: stores and agents in-process): a run exported from one
store and imported into another goes on there with the same id, turn count, tool state and
usage; the original is marked moved and never continues; edited bundles are refused."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from helpers import collect, of_type, types

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    Interrupt,
    InterruptEvent,
    MemoryStore,
    ScriptedModel,
    ToolCall,
    ToolCtx,
    tool,
)
from remi_web.core.errors import (
    BundleTooLarge,
    BundleVersionError,
    InvalidBundle,
    RunBusy,
    RunExists,
    RunInFlight,
    RunMoved,
    RunNotMovable,
    ThreadExists,
    UnknownBundleTool,
)
from remi_web.core.events import CheckpointEvent, ToolResult
from remi_web.core.ids import RunId, ThreadId, run_span_id
from remi_web.core.loop import AgentLoop
from remi_web.core.requests import Resume
from remi_web.core.secrets import Secret
from remi_web.core.run_bundle import (
    BundleLimits,
    RunBundle,
    export_run,
    import_run,
    mark_moved,
    moved_to,
    read_run_bundle,
)

pytestmark = pytest.mark.pyodide


class Ledger:
    """What the tools really did."""

    def __init__(self) -> None:
        self.transfers: list[int] = []
        self.entered = asyncio.Event()
        self.release = asyncio.Event()


def banking_agent(
    ledger: Ledger, model: ScriptedModel, store: MemoryStore, *, with_wait: bool = True
) -> AgentLoop[Any, Any]:
    """An agent whose `transfer` needs a human's yes (and counts transfers in its tool
    state), with `balance` and a `wait` tool the test holds open."""

    @tool
    def transfer(amount: int, ctx: ToolCtx) -> str:
        """Move money; a human must approve."""
        if not ctx.resumed:
            return Interrupt("approval", {"amount": amount})  # type: ignore[return-value]
        if ctx.resume_value != "yes":
            return "denied"
        ledger.transfers.append(amount)
        ctx.state["count"] = int(ctx.state.get("count", 0)) + 1  # type: ignore[arg-type]
        return f"sent {amount} (transfer #{ctx.state['count']})"

    @tool
    def balance() -> int:
        """Read the balance."""
        return 100

    @tool
    async def wait() -> str:
        """Wait until the test lets go."""
        ledger.entered.set()
        await ledger.release.wait()
        return "waited"

    tools = [transfer, balance, wait] if with_wait else [transfer, balance]
    return AgentBuilder().model(model).tools(*tools).store(store).name("bank").build()


def names(agent: AgentLoop[Any, Any]) -> list[str]:
    return list(agent.tools.names())


async def paused(
    store: MemoryStore, ledger: Ledger, thread: str | None = None
) -> tuple[AgentLoop[Any, Any], InterruptEvent]:
    """A run of a fresh agent on `store`, paused on its transfer's approval."""
    model = ScriptedModel([[ToolCall("balance"), ToolCall("transfer", {"amount": 5})]])
    agent = banking_agent(ledger, model, store)
    request = ChatRequest.user("send 5", thread_id=None if thread is None else ThreadId(thread))
    events = await collect(agent.chat(request))
    interrupt = events[-1]
    assert isinstance(interrupt, InterruptEvent)
    return agent, interrupt


async def exported(agent: AgentLoop[Any, Any], run_id: RunId) -> RunBundle:
    return await export_run(agent.store, run_id, agent=agent.name, tools=names(agent))  # type: ignore[arg-type]


def approve(interrupt: InterruptEvent, answer: str = "yes") -> ChatRequest:
    return ChatRequest.resume(interrupt.run_id, {interrupt.interrupts[0].interrupt_id: answer})


async def test_a_bundle_survives_a_json_round_trip_and_says_what_it_holds() -> None:
    agent, interrupt = await paused(MemoryStore(), Ledger(), thread="t-1")
    bundle = await exported(agent, interrupt.run_id)

    text = json.dumps(bundle.to_json())
    again = read_run_bundle(text)

    assert again == bundle
    assert read_run_bundle(json.loads(text)) == bundle
    data = json.loads(text)
    assert (data["format"], data["version"], data["status"]) == ("remi-run", 1, "interrupted")
    assert (data["run_id"], data["thread_id"], data["agent"]) == (interrupt.run_id, "t-1", "bank")
    assert data["tools"] == ["balance", "transfer", "wait"]
    assert [i["interrupt_id"] for i in data["pending_interrupts"]] == [
        interrupt.interrupts[0].interrupt_id
    ]
    assert all(i["token"] is None for i in data["pending_interrupts"])
    assert data["trace"]["run_span"] == run_span_id(None, interrupt.run_id)
    assert data["usage"] == data["checkpoint"]["state"]["usage"]


async def test_a_paused_run_continues_in_another_store_and_never_in_the_first() -> None:
    ledger = Ledger()
    here, there = MemoryStore(), MemoryStore()
    agent, interrupt = await paused(here, ledger, thread="t-2")
    bundle = await exported(agent, interrupt.run_id)
    receiver = banking_agent(ledger, ScriptedModel([["Sent 5."]]), there)

    await import_run(there, json.dumps(bundle.to_json()), names(receiver))
    await mark_moved(here, interrupt.run_id, "https://server.example", sequence=bundle.checkpoint.sequence)
    events = await collect(receiver.chat(approve(interrupt)))

    assert types(events)[0] == "run_resumed" and events[0].run_id == interrupt.run_id  # type: ignore[union-attr]
    assert isinstance(events[-1], Done) and events[-1].text == "Sent 5."
    assert ledger.transfers == [5]  # the approved call ran once, on the receiving side
    results = {r.name: r.content for r in of_type(events, ToolResult)}
    assert results == {"transfer": "sent 5 (transfer #1)"}
    final = await there.latest_checkpoint(interrupt.run_id)
    assert final is not None and final.state.turn == 2
    assert final.state.tool_state["transfer"] == {"count": 1}
    assert [m.content for m in await there.load_messages(ThreadId("t-2"))][0] == "send 5"

    with pytest.raises(RunMoved) as moved:
        await collect(agent.chat(approve(interrupt)))
    assert moved.value.to == "https://server.example" and moved.value.code == "run_moved"
    with pytest.raises(RunMoved):
        await exported(agent, interrupt.run_id)
    with pytest.raises(RunMoved):
        await mark_moved(here, interrupt.run_id, "elsewhere")
    assert ledger.transfers == [5]


async def test_a_resume_racing_the_move_loses_and_runs_nothing() -> None:
    ledger = Ledger()
    store = RacingStore()
    agent, interrupt = await paused(store, ledger)
    bundle = await exported(agent, interrupt.run_id)
    store.before_next_put = lambda: mark_moved(
        store, interrupt.run_id, "server", sequence=bundle.checkpoint.sequence
    )

    with pytest.raises(RunBusy):  # its claim lost the compare-and-set to the mark
        await collect(agent.chat(approve(interrupt)))

    latest = await store.latest_checkpoint(interrupt.run_id)
    assert latest is not None and latest.status == "moved" and moved_to(latest) == "server"
    assert ledger.transfers == []
    with pytest.raises(RunMoved):
        await collect(agent.chat(approve(interrupt)))


async def test_a_run_that_went_on_since_its_export_is_not_marked() -> None:
    ledger = Ledger()
    store = MemoryStore()
    model = ScriptedModel([[ToolCall("transfer", {"amount": 1})], ["ok"]])
    agent = banking_agent(ledger, model, store)
    interrupt = (await collect(agent.chat("send 1")))[-1]
    assert isinstance(interrupt, InterruptEvent)
    bundle = await exported(agent, interrupt.run_id)
    await collect(agent.chat(approve(interrupt)))

    with pytest.raises(RunBusy):
        await mark_moved(store, interrupt.run_id, "server", sequence=bundle.checkpoint.sequence)
    latest = await store.latest_checkpoint(interrupt.run_id)
    assert latest is not None and latest.status == "done"


async def test_a_run_comes_back_over_its_moved_mark_and_goes_on_at_home() -> None:
    ledger = Ledger()
    home, away = MemoryStore(), MemoryStore()
    agent, interrupt = await paused(home, ledger, thread="t-3")
    bundle = await exported(agent, interrupt.run_id)
    visitor = banking_agent(ledger, ScriptedModel([]), away)
    await import_run(away, bundle, names(visitor))
    mark = await mark_moved(home, interrupt.run_id, "away", sequence=bundle.checkpoint.sequence)

    back = await export_run(away, interrupt.run_id, agent="bank", tools=names(visitor))
    await mark_moved(away, interrupt.run_id, "home", sequence=back.checkpoint.sequence)
    stored = await import_run(home, back, names(agent))
    resumed = banking_agent(ledger, ScriptedModel([["Sent."]]), home)
    events = await collect(resumed.chat(approve(interrupt)))

    assert stored.sequence == mark.sequence + 1 and stored.state.metadata == {}
    assert isinstance(events[-1], Done) and ledger.transfers == [5]
    with pytest.raises(RunMoved):
        await collect(visitor.chat(approve(interrupt)))


async def test_a_run_between_turns_moves_and_makes_its_next_model_call_there() -> None:
    ledger = Ledger()
    here, there = MemoryStore(), MemoryStore()
    model = ScriptedModel([[ToolCall("balance")], ["never asked here"]])
    agent = banking_agent(ledger, model, here)
    stream = agent.chat("balance?")
    async for event in stream:  # stop reading right after the tool round's checkpoint
        if isinstance(event, CheckpointEvent) and event.status == "tools_executed":
            break
    await stream.aclose()  # type: ignore[attr-defined]
    run_id = event.run_id
    bundle = await exported(agent, run_id)
    receiver = banking_agent(ledger, ScriptedModel([["You have 100."]]), there)
    await import_run(there, bundle, names(receiver))
    await mark_moved(here, run_id, "there", sequence=bundle.checkpoint.sequence)

    events = await collect(receiver.chat(ChatRequest(Resume(run_id, {}))))

    assert bundle.status == "tools_executed"
    assert isinstance(events[-1], Done) and events[-1].text == "You have 100."
    assert len(model.requests) == 1  # the first side made no second model call
    with pytest.raises(RunMoved):
        await collect(agent.chat(ChatRequest(Resume(run_id, {}))))


async def test_a_done_run_moves_with_its_thread_and_the_conversation_goes_on_there() -> None:
    ledger = Ledger()
    here, there = MemoryStore(), MemoryStore()
    agent = banking_agent(ledger, ScriptedModel([["Hello."]]), here)
    done = (await collect(agent.chat(ChatRequest.user("hi", thread_id=ThreadId("t-4")))))[-1]
    assert isinstance(done, Done)
    bundle = await exported(agent, done.run_id)
    receiver_model = ScriptedModel([["Again."]])
    receiver = banking_agent(ledger, receiver_model, there)

    await import_run(there, bundle, names(receiver))
    await collect(receiver.chat(ChatRequest.user("once more", thread_id=ThreadId("t-4"))))

    sent = [m.content for m in receiver_model.requests[0].messages if m.role != "system"]
    assert sent == ["hi", "Hello.", "once more"]


async def test_a_run_in_the_middle_of_a_tool_round_is_refused_until_the_round_ends() -> None:
    ledger = Ledger()
    store = MemoryStore()
    agent = banking_agent(ledger, ScriptedModel([[ToolCall("wait")], ["Done waiting."]]), store)
    seen: list[Any] = []

    async def read() -> None:
        async for event in agent.chat("wait"):
            seen.append(event)

    task = asyncio.create_task(read())
    async with asyncio.timeout(20):
        await ledger.entered.wait()
    run_id = seen[0].run_id

    with pytest.raises(RunInFlight) as refused:
        await exported(agent, run_id)
    assert "tool round" in str(refused.value) and refused.value.code == "run_in_flight"
    with pytest.raises(RunBusy):
        await mark_moved(store, run_id, "server")
    ledger.release.set()
    await task
    assert isinstance(seen[-1], Done)
    assert (await exported(agent, run_id)).status == "done"


async def test_the_same_run_is_never_imported_twice() -> None:
    ledger = Ledger()
    agent, interrupt = await paused(MemoryStore(), ledger)
    bundle = await exported(agent, interrupt.run_id)
    there = MemoryStore()
    await import_run(there, bundle, names(agent))

    with pytest.raises(RunExists):
        await import_run(there, bundle, names(agent))


async def test_an_import_into_a_thread_that_went_another_way_is_refused() -> None:
    ledger = Ledger()
    agent, interrupt = await paused(MemoryStore(), Ledger(), thread="t-5")
    await collect(banking_agent(ledger, ScriptedModel([["x"]]), agent.store).chat(  # type: ignore[arg-type]
        ChatRequest.user("earlier", thread_id=ThreadId("t-6"))
    ))
    bundle = await exported(agent, interrupt.run_id)
    there = MemoryStore()
    other = banking_agent(ledger, ScriptedModel([["y"]]), there)
    await collect(other.chat(ChatRequest.user("something else", thread_id=ThreadId("t-5"))))

    with pytest.raises(ThreadExists):
        await import_run(there, bundle, names(other))
    assert await there.latest_checkpoint(interrupt.run_id) is None  # nothing half-imported


Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


def _edit_arguments(data: dict[str, Any]) -> None:
    """Another amount in the interrupt (both copies), not in the call the model made."""
    for info in (data["pending_interrupts"][0], data["checkpoint"]["state"]["pending_interrupts"][0]):
        info["arguments"] = '{"amount": 5000}'


TAMPERED: dict[str, tuple[Edit, type[Exception], str | None]] = {
    "newer version": (_set("version", 2), BundleVersionError, "version"),
    "newer checkpoint": (_set("checkpoint.state.version", 99), BundleVersionError, "checkpoint"),
    "another format": (_set("format", "remi-thread"), InvalidBundle, "format"),
    "unknown field": (_set("secret_sauce", 1), InvalidBundle, "secret_sauce"),
    "token smuggled in": (_set("pending_interrupts.0.token", "v1.forged"), InvalidBundle, "pending_interrupts.0.token"),
    "interrupt arguments edited": (_edit_arguments, InvalidBundle, "pending_interrupts.0.arguments"),
    "waiting call edited": (
        _set("checkpoint.state.pending_calls.1.arguments", '{"amount": 5000}'), InvalidBundle,
        "checkpoint.state.pending_calls.1",
    ),
    "top and checkpoint disagree": (_set("status", "done"), InvalidBundle, "checkpoint.status"),
    "trace root edited": (_set("trace.run_span", "00000000-0000-0000-0000-000000000001"), InvalidBundle, "trace.run_span"),
    "a tool round in flight": (_set("checkpoint.state.round_calls", ["c"]), RunInFlight, None),
    "running": (
        lambda d: [_set(p, "running")(d) for p in ("status", "checkpoint.status", "checkpoint.state.status")],
        RunInFlight, None,
    ),
    "cancelled": (
        lambda d: [_set(p, "cancelled")(d) for p in ("status", "checkpoint.status", "checkpoint.state.status")],
        RunNotMovable, None,
    ),
    "wrong type": (_set("tools", "transfer"), InvalidBundle, "tools"),
}


@pytest.mark.parametrize("case", list(TAMPERED))
async def test_an_edited_bundle_is_refused_before_anything_is_stored(case: str) -> None:
    agent, interrupt = await paused(MemoryStore(), Ledger())
    data = (await exported(agent, interrupt.run_id)).to_json()
    edit, error, field = TAMPERED[case]
    edit(data)
    there = MemoryStore()

    with pytest.raises(error) as refused:
        await import_run(there, data, names(agent))

    if field is not None:
        assert getattr(refused.value, "field", None) == field
    assert await there.latest_checkpoint(interrupt.run_id) is None


async def test_a_bundle_naming_a_tool_the_receiver_lacks_is_refused() -> None:
    agent, interrupt = await paused(MemoryStore(), Ledger())
    bundle = await exported(agent, interrupt.run_id)
    there = MemoryStore()
    smaller = banking_agent(Ledger(), ScriptedModel([]), there, with_wait=False)

    with pytest.raises(UnknownBundleTool) as refused:
        await import_run(there, bundle, names(smaller))

    assert refused.value.field == "tools.2" and "'wait'" in str(refused.value)
    assert await there.latest_checkpoint(interrupt.run_id) is None


async def test_an_oversized_bundle_is_refused_by_size_and_by_message_count() -> None:
    agent, interrupt = await paused(MemoryStore(), Ledger())
    data = (await exported(agent, interrupt.run_id)).to_json()
    size = len(json.dumps(data, separators=(",", ":")).encode())

    with pytest.raises(BundleTooLarge):
        await import_run(MemoryStore(), data, names(agent), limits=BundleLimits(max_bytes=size - 1))
    with pytest.raises(BundleTooLarge):
        await import_run(MemoryStore(), json.dumps(data), names(agent), limits=BundleLimits(max_messages=1))
    stored = await import_run(MemoryStore(), data, names(agent), limits=BundleLimits(max_bytes=size))
    assert stored.run_id == interrupt.run_id


async def test_a_checkpoint_in_the_bundle_that_is_not_a_checkpoint_is_refused() -> None:
    agent, interrupt = await paused(MemoryStore(), Ledger())
    data = (await exported(agent, interrupt.run_id)).to_json()
    data["checkpoint"]["state"]["turn"] = "many"  # type: ignore[index, call-overload]

    with pytest.raises(InvalidBundle) as refused:
        read_run_bundle(data)
    assert refused.value.field == "checkpoint"
    with pytest.raises(InvalidBundle):
        read_run_bundle(b"[1, 2]")
    with pytest.raises(InvalidBundle):
        read_run_bundle("{not json")


class RacingStore(MemoryStore):
    """A store that lets the test act just before the next checkpoint write."""

    def __init__(self) -> None:
        super().__init__()
        self.before_next_put: Callable[[], Any] | None = None

    async def put_checkpoint(self, checkpoint: Any, expected_sequence: int | None = None) -> None:
        act, self.before_next_put = self.before_next_put, None
        if act is not None:
            await act()
        await super().put_checkpoint(checkpoint, expected_sequence)


async def test_a_run_holding_one_of_its_agents_secrets_does_not_leave() -> None:
    store = MemoryStore()
    key = "sk-test-0123456789abcdef"
    model = ScriptedModel([[ToolCall("transfer", {"amount": 1})]])
    agent = banking_agent(Ledger(), model, store)
    interrupt = (await collect(agent.chat(f"my key is {key}, send 1")))[-1]
    assert isinstance(interrupt, InterruptEvent)

    with pytest.raises(RunNotMovable) as refused:
        await export_run(store, interrupt.run_id, agent="bank", tools=names(agent), secrets=[Secret(key)])
    assert key not in str(refused.value)
    bundle = await export_run(store, interrupt.run_id, agent="bank", tools=names(agent), secrets=[Secret("k")])
    assert key in json.dumps(bundle.to_json())  # not the agent's secret: it may travel
