"""`InterruptRouter`: interrupts answered by policy (kind, tool, arguments, budgets) in the
same stream, the rest escalated to a human; every automatic answer is an event and is
checkpointed before its tool runs."""

from __future__ import annotations

import pytest
from helpers import collect, of_type, types

from remi_web import (
    AgentBuilder,
    ChatRequest,
    Done,
    Interrupt,
    InterruptAnswered,
    InterruptEvent,
    InterruptRouter,
    MemoryStore,
    ScriptedModel,
    ToolCall,
    ToolCtx,
    ToolResult,
    event_from_json,
    event_to_json,
    tool,
)
from remi_web.core.interrupt_router import MAX_ANSWERS_PER_CALL

pytestmark = pytest.mark.pyodide


class Ledger:
    """What the tools really did."""

    def __init__(self) -> None:
        self.done: list[tuple[str, str]] = []


def office(ledger: Ledger, model: ScriptedModel, router: InterruptRouter, store: MemoryStore | None = None):  # type: ignore[no-untyped-def]
    @tool(requires_approval=True)
    def read_file(path: str) -> str:
        """Read a file (read-only)."""
        ledger.done.append(("read_file", path))
        return f"contents of {path}"

    @tool(requires_approval=True)
    def send_email(to: str) -> str:
        """Send an email."""
        ledger.done.append(("send_email", to))
        return f"sent to {to}"

    @tool(requires_approval=True)
    def search(query: str) -> str:
        """Search the web."""
        ledger.done.append(("search", query))
        return f"results for {query}"

    builder = AgentBuilder().model(model).tools(read_file, send_email, search)
    builder = builder.interrupt_router(router)
    return (builder.store(store) if store else builder).build()


async def test_router_auto_approves_one_kind_and_escalates_another() -> None:
    ledger, store = Ledger(), MemoryStore()
    model = ScriptedModel([
        [ToolCall("read_file", {"path": "notes.txt"}), ToolCall("send_email", {"to": "ann@x.org"})],
        ["Read the notes and emailed Ann."],
    ])
    agent = office(ledger, model, InterruptRouter().approve(tool="read_file"), store)
    first = await collect(agent.chat("read my notes and email Ann"))

    (answered,) = of_type(first, InterruptAnswered)
    assert (answered.tool_name, answered.kind, answered.decision) == ("read_file", "approval", "approve")
    assert answered.answer == {"approved": True} and answered.rule == "approve tool=read_file"
    assert event_from_json(event_to_json(answered)) == answered  # the wire form
    assert [r.name for r in of_type(first, ToolResult)] == ["read_file"]
    assert types(first)[-2:] == ["checkpoint", "interrupt"]
    pause = first[-1]
    assert isinstance(pause, InterruptEvent)
    assert [i.tool_name for i in pause.interrupts] == ["send_email"]  # only the escalated one
    assert ledger.done == [("read_file", "notes.txt")]
    stored = await store.latest_checkpoint(pause.run_id)
    assert stored is not None and stored.status == "interrupted"
    assert [o.name for o in stored.state.completed] == ["read_file"]
    assert [i.tool_name for i in stored.state.pending_interrupts] == ["send_email"]

    (info,) = pause.interrupts
    second = await collect(agent.chat(ChatRequest.resume(pause.run_id, {info.interrupt_id: True})))
    assert types(second)[0] == "run_resumed" and not of_type(second, InterruptAnswered)
    assert isinstance(second[-1], Done) and second[-1].run_id == pause.run_id
    assert ledger.done == [("read_file", "notes.txt"), ("send_email", "ann@x.org")]  # once each
    tool_messages = [m for m in model.requests[1].messages if m.role == "tool"]
    assert [m.content for m in tool_messages] == ["contents of notes.txt", "sent to ann@x.org"]


async def test_a_run_the_router_fully_answers_goes_on_in_the_same_stream() -> None:
    ledger = Ledger()
    model = ScriptedModel([
        [ToolCall("read_file", {"path": "a"}), ToolCall("search", {"query": "b"})],
        ["Both done."],
    ])
    router = InterruptRouter().approve(tool=["read_file", "search"])
    events = await collect(office(ledger, model, router).chat("go"))
    assert not of_type(events, InterruptEvent)
    assert sorted(a.tool_name for a in of_type(events, InterruptAnswered)) == ["read_file", "search"]
    assert isinstance(events[-1], Done) and events[-1].text == "Both done."
    assert sorted(ledger.done) == [("read_file", "a"), ("search", "b")]


async def test_answers_are_checkpointed_before_the_tool_runs() -> None:
    store = MemoryStore()
    seen: list[object] = []

    @tool(requires_approval=True)
    async def deploy(ctx: ToolCtx) -> str:
        """Deploy."""
        checkpoint = await store.latest_checkpoint(ctx.chat.run_id)  # type: ignore[arg-type]
        assert checkpoint is not None
        state = checkpoint.state
        seen.append((checkpoint.status, state.round_calls, state.resume_values))
        return "deployed"

    model = ScriptedModel([[ToolCall("deploy", {})], ["ok"]])
    router = InterruptRouter().approve(tool="deploy")
    agent = AgentBuilder().model(model).tools(deploy).store(store).interrupt_router(router).build()
    events = await collect(agent.chat("deploy"))
    assert isinstance(events[-1], Done)
    (call_id,) = [a.call_id for a in of_type(events, InterruptAnswered)]
    assert seen == [("running", [call_id], {call_id: {"approved": True}})]


async def test_deny_past_a_budget_counts_approvals_across_resumes_and_processes() -> None:
    ledger, store = Ledger(), MemoryStore()
    model = ScriptedModel([
        [ToolCall("search", {"query": "one"}), ToolCall("send_email", {"to": "bob@x.org"})],
        [ToolCall("search", {"query": "two"})],
        [ToolCall("search", {"query": "three"})],
        ["Searched twice."],
    ])
    router = (
        InterruptRouter()
        .approve(tool="search")
        .deny_after(2, tool="search", reason="two searches per run")  # order does not matter
    )
    first = await collect(office(ledger, model, router, store).chat("search a lot"))
    pause = first[-1]
    assert isinstance(pause, InterruptEvent)
    assert [i.tool_name for i in pause.interrupts] == ["send_email"]
    # another agent (another process) on the same store resumes: the count came with the run
    other = office(ledger, model, router, store)
    answer = {pause.interrupts[0].interrupt_id: {"approved": False}}
    second = await collect(other.chat(ChatRequest.resume(pause.run_id, answer)))
    decisions = [(a.decision, a.rule) for a in of_type(second, InterruptAnswered)]
    assert decisions == [
        ("approve", "approve tool=search"),
        ("deny", "deny_after 2 tool=search"),
    ]
    assert isinstance(second[-1], Done)
    assert ledger.done == [("search", "one"), ("search", "two")]  # the third never ran
    denied = [r.content for r in of_type(second, ToolResult) if r.call_id == of_type(second, InterruptAnswered)[1].call_id]
    assert denied == ["The user denied this call: two searches per run"]


async def test_custom_kinds_are_answered_by_a_function_and_none_escalates() -> None:
    asked: list[str] = []

    @tool
    def pick_color(item: str, ctx: ToolCtx) -> str:
        """Ask which color an item should be."""
        if not ctx.resumed:
            return Interrupt("pick_color", {"item": item})  # type: ignore[return-value]
        return f"{item} is {ctx.resume_value}"

    def house_colors(info: object) -> str | None:
        from remi_web import InterruptInfo

        assert isinstance(info, InterruptInfo)
        asked.append(info.arguments)
        item = info.payload["item"] if isinstance(info.payload, dict) else None
        return "blue" if item == "door" else None  # anything else: a human

    model = ScriptedModel([
        [ToolCall("pick_color", {"item": "door"}), ToolCall("pick_color", {"item": "roof"})],
        ["Painted."],
    ])
    router = InterruptRouter().answer("pick_color", house_colors)  # type: ignore[arg-type]
    agent = AgentBuilder().model(model).tools(pick_color).interrupt_router(router).build()
    first = await collect(agent.chat("paint"))
    (answered,) = of_type(first, InterruptAnswered)
    assert (answered.kind, answered.decision, answered.answer) == ("pick_color", "answer", "blue")
    assert [r.content for r in of_type(first, ToolResult)] == ["door is blue"]
    pause = first[-1]
    assert isinstance(pause, InterruptEvent) and pause.interrupts[0].payload == {"item": "roof"}
    second = await collect(agent.chat(
        ChatRequest.resume(pause.run_id, {pause.interrupts[0].interrupt_id: "red"})
    ))
    assert isinstance(second[-1], Done)
    assert len(asked) == 2  # each interrupt was put to the router once
    assert [m.content for m in model.requests[1].messages if m.role == "tool"] == [
        "door is blue", "roof is red",
    ]


async def test_rules_match_arguments_and_the_first_match_decides() -> None:
    ledger = Ledger()
    model = ScriptedModel([
        [ToolCall("send_email", {"to": "ann@ours.com"}), ToolCall("send_email", {"to": "eve@evil.com"}),
         ToolCall("send_email", {"to": "boss@ours.com"})],
        ["Sent."],
    ])
    router = (
        InterruptRouter()
        .escalate(tool="send_email", args={"to": "boss@ours.com"})
        .approve(tool="send_email", args={"to": lambda to: str(to).endswith("@ours.com")})
        .deny(tool="send_email", reason="outside the company")
    )
    first = await collect(office(ledger, model, router).chat("email them"))
    decisions = {a.answer.get("approved") if isinstance(a.answer, dict) else None: a.rule
                 for a in of_type(first, InterruptAnswered)}
    assert decisions == {
        True: "approve tool=send_email args=to",
        False: "deny tool=send_email",
    }
    pause = first[-1]
    assert isinstance(pause, InterruptEvent)
    assert [i.arguments for i in pause.interrupts] == ['{"to": "boss@ours.com"}']
    assert ledger.done == [("send_email", "ann@ours.com")]
    refused = [r.content for r in of_type(first, ToolResult) if "denied" in str(r.content)]
    assert refused == ["The user denied this call: outside the company"]


async def test_a_tool_that_keeps_asking_goes_to_a_human_after_a_bounded_number_of_answers() -> None:
    @tool
    def nag(ctx: ToolCtx) -> str:
        """Always asks again."""
        return Interrupt("approval", {"again": True})  # type: ignore[return-value]

    model = ScriptedModel([[ToolCall("nag", {})], ["never"]])
    router = InterruptRouter().approve()
    events = await collect(AgentBuilder().model(model).tools(nag).interrupt_router(router).build().chat("x"))
    assert len(of_type(events, InterruptAnswered)) == MAX_ANSWERS_PER_CALL
    assert isinstance(events[-1], InterruptEvent)


async def test_without_a_router_nothing_changes() -> None:
    ledger = Ledger()
    model = ScriptedModel([[ToolCall("read_file", {"path": "a"})], ["ok"]])
    events = await collect(office(ledger, model, InterruptRouter()).chat("read"))
    assert not of_type(events, InterruptAnswered) and isinstance(events[-1], InterruptEvent)
    assert ledger.done == []
