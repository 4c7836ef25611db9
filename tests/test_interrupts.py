"""Interrupts and resume: checkpoint first, siblings kept, the tool re-invoked, same run."""

from __future__ import annotations

import pytest
from helpers import collect, of_type, types

from remi_web import (
    AgentBuilder,
    ChatRequest,
    CheckpointEvent,
    Done,
    Interrupt,
    InterruptEvent,
    MemoryStore,
    RunNotFound,
    RunNotResumable,
    RunResumed,
    ScriptedModel,
    ToolCall,
    ToolCtx,
    ToolResult,
    tool,
)
from remi_web.core.errors import MissingResumePayload, UnknownInterrupt
from remi_web.core.ids import RunId

pytestmark = pytest.mark.pyodide


class Ledger:
    """Records what the tools really did."""

    def __init__(self) -> None:
        self.transfers: list[int] = []
        self.lookups = 0


def banking_agent(ledger: Ledger, model: ScriptedModel, store: MemoryStore | None = None):  # type: ignore[no-untyped-def]
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
        ledger.lookups += 1
        return 100

    builder = AgentBuilder().model(model).tools(transfer, balance)
    return (builder.store(store) if store else builder).build()


async def test_interrupt_checkpoints_first_keeps_siblings_and_resume_reinvokes_the_tool() -> None:
    ledger, store = Ledger(), MemoryStore()
    model = ScriptedModel([
        [ToolCall("balance"), ToolCall("transfer", {"amount": 5})],
        ["Done: sent 5."],
    ])
    agent = banking_agent(ledger, model, store)
    first = await collect(agent.chat("send 5"))
    assert types(first)[-2:] == ["checkpoint", "interrupt"]
    checkpoint, interrupt = first[-2], first[-1]
    assert isinstance(checkpoint, CheckpointEvent) and isinstance(interrupt, InterruptEvent)
    assert checkpoint.status == "interrupted"
    stored = await store.latest_checkpoint(interrupt.run_id)
    assert stored is not None and stored.id == checkpoint.checkpoint_id
    assert [o.content for o in stored.state.completed] == ["100"]  # the sibling's result
    info = interrupt.interrupts[0]
    assert (info.tool_name, info.kind, info.payload) == ("transfer", "approval", {"amount": 5})
    assert ledger.transfers == [] and ledger.lookups == 1

    second = await collect(agent.chat(ChatRequest.resume(interrupt.run_id, {info.interrupt_id: "yes"})))
    assert "run_start" not in types(second)
    resumed = second[0]
    assert isinstance(resumed, RunResumed) and resumed.run_id == interrupt.run_id
    assert resumed.turn == 1  # the turn count came back from the checkpoint
    assert isinstance(second[-1], Done) and second[-1].run_id == interrupt.run_id
    assert ledger.transfers == [5] and ledger.lookups == 1  # the sibling did not run again
    tool_messages = [m for m in model.requests[1].messages if m.role == "tool"]
    assert [m.content for m in tool_messages] == ["100", "sent 5 (transfer #1)"]
    assert [e.content for e in of_type(second, ToolResult)] == ["sent 5 (transfer #1)"]


async def test_resume_errors_are_clear_and_a_second_resume_does_not_rerun_the_tool() -> None:
    ledger = Ledger()
    model = ScriptedModel([[ToolCall("transfer", {"amount": 7})], ["ok"]])
    agent = banking_agent(ledger, model)
    interrupt = (await collect(agent.chat("send 7")))[-1]
    assert isinstance(interrupt, InterruptEvent)
    iid = interrupt.interrupts[0].interrupt_id
    with pytest.raises(MissingResumePayload, match=iid):
        await collect(agent.chat(ChatRequest.resume(interrupt.run_id, {})))
    with pytest.raises(UnknownInterrupt, match="bogus"):
        await collect(agent.chat(ChatRequest.resume(interrupt.run_id, {iid: "yes", "bogus": 1})))
    with pytest.raises(RunNotFound):
        await collect(agent.chat(ChatRequest.resume(RunId("no-such-run"), {iid: "yes"})))
    await collect(agent.chat(ChatRequest.resume(interrupt.run_id, {iid: "yes"})))
    with pytest.raises(RunNotResumable, match="'done'"):
        await collect(agent.chat(ChatRequest.resume(interrupt.run_id, {iid: "yes"})))
    assert ledger.transfers == [7]


async def test_concurrent_double_resume_runs_the_tool_once() -> None:
    ledger = Ledger()
    model = ScriptedModel([[ToolCall("transfer", {"amount": 9})], ["ok"], ["ok"]])
    agent = banking_agent(ledger, model)
    interrupt = (await collect(agent.chat("send 9")))[-1]
    assert isinstance(interrupt, InterruptEvent)
    request = ChatRequest.resume(interrupt.run_id, {interrupt.interrupts[0].interrupt_id: "yes"})
    first, second = agent.chat(request), agent.chat(request)
    await anext(first)  # the first resume has claimed the run
    with pytest.raises(RunNotResumable, match="'running'"):
        await anext(second)
    await collect(first)
    assert ledger.transfers == [9]


async def test_a_denied_call_reaches_the_model_and_tool_state_survives_resumes() -> None:
    ledger = Ledger()
    model = ScriptedModel([
        [ToolCall("transfer", {"amount": 1})],
        [ToolCall("transfer", {"amount": 2})],
        [ToolCall("transfer", {"amount": 3})],
        ["fine"],
    ])
    agent = banking_agent(ledger, model)
    event = (await collect(agent.chat("pay")))[-1]
    for answer in ("yes", "no", "yes"):
        assert isinstance(event, InterruptEvent)
        payloads = {event.interrupts[0].interrupt_id: answer}
        event = (await collect(agent.chat(ChatRequest.resume(event.run_id, payloads))))[-1]
    assert isinstance(event, Done)
    results = [m.content for m in model.requests[3].messages if m.role == "tool"]
    assert results == ["sent 1 (transfer #1)", "denied", "sent 3 (transfer #2)"]
    assert ledger.transfers == [1, 3]


async def test_max_turns_budget_is_not_reset_by_a_resume() -> None:
    ledger = Ledger()
    model = ScriptedModel([[ToolCall("transfer", {"amount": 1})], [ToolCall("balance")], ["x"]])
    built = banking_agent(ledger, model)
    built.max_turns = 2
    interrupt = (await collect(built.chat("pay")))[-1]
    assert isinstance(interrupt, InterruptEvent)
    payloads = {interrupt.interrupts[0].interrupt_id: "yes"}
    events = await collect(built.chat(ChatRequest.resume(interrupt.run_id, payloads)))
    assert events[-1].type == "error" and events[-1].code == "max_turns"  # type: ignore[union-attr]
    assert len(model.requests) == 2


async def test_the_resumed_run_continues_the_same_trace_root() -> None:
    from remi_web import ChatCtx

    model = ScriptedModel([[ToolCall("transfer", {"amount": 4})], ["ok"]])
    agent = banking_agent(Ledger(), model)
    first_ctx, second_ctx = ChatCtx(), ChatCtx()
    interrupt = (await collect(agent.chat("pay", first_ctx)))[-1]
    assert isinstance(interrupt, InterruptEvent)
    payloads = {interrupt.interrupts[0].interrupt_id: "yes"}
    await collect(agent.chat(ChatRequest.resume(interrupt.run_id, payloads), second_ctx))
    assert second_ctx.run_id == first_ctx.run_id == interrupt.run_id
    assert second_ctx.thread_id == first_ctx.thread_id
    assert second_ctx.spans == first_ctx.spans and len(first_ctx.spans) == 1
