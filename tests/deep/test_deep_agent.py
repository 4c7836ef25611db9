"""The deep agent with a scripted model: planning, sub-agents (their stream, their
interrupts), compression, spill, skills in the prompt. In memory only, so the Pyodide lane
runs these too."""

from __future__ import annotations

import json

import pytest
from helpers import collect, of_type

from remi_web import (
    ChatRequest,
    Custom,
    Done,
    InterruptEvent,
    Message,
    Resume,
    Start,
    SubSession,
    ToolCtx,
    ToolProgress,
    ToolResult,
    tool,
)
from remi_web.core.errors import ConfigurationError
from remi_web.core.ids import ThreadId
from remi_web.deep import DeepAgentBuilder, SkillStore, current_plan
from remi_web.deep.compression import SUMMARY_NAME
from remi_web.stores.memory import MemoryStore
from remi_web.testing.scripted_model import ScriptedModel, ToolCall
from remi_web.tools import VirtualFS

pytestmark = pytest.mark.pyodide

PLAN = [{"content": "read the brief", "status": "in_progress"}, {"content": "write it up"}]
THREAD = ThreadId("t-1")


def start(text: str, thread: ThreadId | None = THREAD) -> ChatRequest:
    return ChatRequest(Start([Message.user(text)]), thread_id=thread)


def deep(model: ScriptedModel, store: MemoryStore, **options: object) -> DeepAgentBuilder:  # type: ignore[type-arg]
    builder = DeepAgentBuilder().model(model).store(store).compress_at(None)
    for name, value in options.items():
        builder = getattr(builder, name)(*value) if isinstance(value, tuple) else getattr(builder, name)(value)
    return builder


async def test_the_plan_is_shown_kept_in_the_run_and_in_the_thread() -> None:
    store = MemoryStore(keep="all")
    model = ScriptedModel([[ToolCall("write_todos", {"todos": PLAN})], ["planned"], ["next"]])
    agent = deep(model, store).build()

    events = await collect(agent.chat(start("make a plan")))

    (shown,) = [e for e in of_type(events, Custom) if e.name == "todo"]
    assert shown.data == {"todos": [{**PLAN[0]}, {**PLAN[1], "status": "pending"}]}
    done = events[-1]
    assert isinstance(done, Done) and done.text == "planned"
    latest = await store.latest_checkpoint(done.run_id)
    assert latest is not None
    assert latest.state.tool_state["write_todos"] == {"todos": shown.data["todos"]}  # type: ignore[index]
    plan = current_plan(await store.load_messages(THREAD))
    assert plan is not None and [t.content for t in plan] == ["read the brief", "write it up"]

    await collect(agent.chat(start("go on")))  # the next turn's model sees the plan
    seen = model.requests[-1].messages
    assert any(c.name == "write_todos" for m in seen for c in m.tool_calls)


async def test_the_plan_survives_a_pause_and_its_resume() -> None:
    store = MemoryStore(keep="all")

    @tool(requires_approval=True)
    def publish(text: str) -> str:
        """Publish.

        Args:
            text: what.
        """
        return f"published {text}"

    model = ScriptedModel([
        [ToolCall("write_todos", {"todos": PLAN}), ToolCall("publish", {"text": "x"})],
        ["published"],
    ])
    agent = deep(model, store, tools=(publish,)).build()
    paused = await collect(agent.chat(start("plan and publish")))
    pause = paused[-1]
    assert isinstance(pause, InterruptEvent)
    at_pause = await store.latest_checkpoint(pause.run_id)
    assert at_pause is not None and "write_todos" in at_pause.state.tool_state

    (pending,) = pause.interrupts
    resumed = await collect(agent.chat(ChatRequest(Resume(pause.run_id, {pending.interrupt_id: True}))))

    assert isinstance(resumed[-1], Done)
    final = await store.latest_checkpoint(pause.run_id)
    assert final is not None and final.state.tool_state["write_todos"] == at_pause.state.tool_state["write_todos"]


async def test_a_sub_agent_streams_its_events_and_the_parent_keeps_only_its_report() -> None:
    store, files = MemoryStore(), VirtualFS()
    model = ScriptedModel([
        [ToolCall("task", {"description": "write the notes file"}, id="t1")],
        [ToolCall("fs_write", {"path": "/notes.md", "content": "hello"})],  # the sub-agent
        ["wrote /notes.md"],  # the sub-agent's report
        ["all done"],
    ])
    agent = deep(model, store, workspace=files).build()

    events = await collect(agent.chat(start("delegate")))

    assert isinstance(events[-1], Done) and events[-1].text == "all done"
    inner = of_type(events, SubSession)
    assert inner and {e.parent_call_id for e in inner} == {"t1"}
    kinds = [e.event["type"] for e in inner]  # type: ignore[index, call-overload]
    assert kinds[0] == "run_start" and kinds[-1] == "done"
    assert "tool_result" in kinds and "text_delta" in kinds
    assert files.read_bytes("/notes.md") == b"hello"  # the sub-agent works in the workspace
    (result,) = [e for e in of_type(events, ToolResult) if e.call_id == "t1"]
    assert result.content == "wrote /notes.md"
    parent_next = model.requests[-1].messages  # the parent's second call
    assert not any(c.name == "fs_write" for m in parent_next for c in m.tool_calls)
    assert any(m.role == "tool" and m.content == "wrote /notes.md" for m in parent_next)


async def test_an_interrupt_inside_a_sub_agent_pauses_the_run_and_the_resume_continues_inside() -> None:
    store = MemoryStore()
    charged: list[int] = []

    @tool(requires_approval=True)
    def charge(amount: int) -> str:
        """Charge a card.

        Args:
            amount: euros.
        """
        charged.append(amount)
        return f"charged {amount}"

    model = ScriptedModel([
        [ToolCall("task", {"description": "charge 5 euros", "agent": "billing"}, id="t1")],
        [ToolCall("charge", {"amount": 5})],  # the sub-agent asks; a human must approve
        ["charged the card"],  # the sub-agent, resumed
        ["billing done"],
    ])
    agent = deep(model, store).sub_agent("billing", "Charges cards.", tools=(charge,)).build()

    first = await collect(agent.chat(start("bill me")))
    pause = first[-1]
    assert isinstance(pause, InterruptEvent) and charged == []
    (info,) = pause.interrupts
    assert info.kind == "approval" and info.tool_name == "task"
    assert isinstance(info.payload, dict) and info.payload["sub_agent"] == "billing"
    assert info.payload["tool"] == "charge"

    second = await collect(agent.chat(ChatRequest(Resume(pause.run_id, {info.interrupt_id: {"approved": True}}))))

    assert charged == [5]
    assert isinstance(second[-1], Done) and second[-1].text == "billing done"
    resumed_inside = [e.event["type"] for e in of_type(second, SubSession)]  # type: ignore[index, call-overload]
    assert resumed_inside[0] == "run_resumed" and "tool_result" in resumed_inside
    assert resumed_inside[-1] == "done"


async def test_a_long_history_is_compressed_and_the_run_goes_on() -> None:
    store = MemoryStore()
    old = [Message.user(f"message {i} " + "words " * 60) for i in range(12)]
    await store.append_messages(THREAD, old)
    model = ScriptedModel([["the summary of it all"], ["answer"], ["later answer"]])
    agent = DeepAgentBuilder().model(model).store(store).compress_at(200, keep_recent=2).build()

    events = await collect(agent.chat(start("and now?")))

    assert [e.name for e in of_type(events, Custom)] == ["context_compressed"]
    assert isinstance(events[-1], Done) and events[-1].text == "answer"
    sent = model.requests[1].messages  # the model call after the summary
    summary = [m for m in sent if m.name == SUMMARY_NAME]
    assert len(summary) == 1 and "the summary of it all" in str(summary[0].content)
    assert [m.content for m in sent[-2:]] == [old[-1].content, "and now?"]
    assert len(sent) == 1 + 1 + 2  # system, summary, the 2 kept (the new message among them)
    thread = await store.load_messages(THREAD)
    assert any(m.name == SUMMARY_NAME for m in thread)

    await collect(agent.chat(start("more")))  # starts from the stored summary: no new one
    later = model.requests[2].messages
    assert [m.name for m in later].count(SUMMARY_NAME) == 1
    assert not any(m.content == old[0].content for m in later)


async def test_compression_never_splits_a_tool_call_from_its_result() -> None:
    from remi_web.core.messages import ToolCallRequest
    from remi_web.deep import SummarizingContext
    from remi_web.core.ctx import ChatCtx

    call = ToolCallRequest("c1", "lookup", "{}")
    messages = [Message.user("x " * 400), Message.assistant("", [call]),
                Message.tool("c1", "y " * 400, "lookup"), Message.user("z")]
    policy = SummarizingContext(ScriptedModel([["short"]]), max_tokens=10, keep_recent=2)

    fitted = await policy.fit(messages, len(messages), ChatCtx())

    assert fitted is not None
    roles = [m.role for m in fitted.messages]
    assert roles == ["user", "assistant", "tool", "user"]  # summary, then the call and its result
    assert fitted.messages[0].name == SUMMARY_NAME and fitted.saved == 0


async def test_a_long_tool_result_is_spilled_to_the_workspace_while_progress_streams() -> None:
    files = VirtualFS()
    text = "\n".join(f"line {i} " + "x" * 50 for i in range(400))

    @tool
    async def report(ctx: ToolCtx) -> str:
        """A long report."""
        ctx.progress({"done": 50})
        ctx.progress({"done": 100})
        return text

    model = ScriptedModel([[ToolCall("report", {}, id="r1")], ["read it"]])
    agent = deep(model, MemoryStore(), workspace=files, tools=(report,), spill_at=1000).build()

    events = await collect(agent.chat(start("report")))

    progress = [e.data for e in of_type(events, ToolProgress)]
    assert progress == [{"done": 50}, {"done": 100}]
    (result,) = of_type(events, ToolResult)
    pointer = str(result.content)
    assert "/.tool-results/report-r1.txt" in pointer and len(pointer) < 2000
    assert files.read_bytes("/.tool-results/report-r1.txt").decode() == text
    assert "fs_read" in pointer and "offset=" in pointer


async def test_saved_skills_are_listed_in_the_system_prompt() -> None:
    files = VirtualFS()
    SkillStore(files).save("weekly-report", "Writes the weekly report.", "1. Gather\n2. Write")
    model = ScriptedModel([["hi"]])
    agent = deep(model, MemoryStore(), workspace=files).build()

    await collect(agent.chat(start("hello", None)))

    system = model.requests[0].messages[0]
    assert system.role == "system"
    assert "**weekly-report**: Writes the weekly report." in str(system.content)
    names = {d.name for d in model.requests[0].tools}
    assert {"write_todos", "task", "fs_read", "save_skill", "get_skill"} <= names


def test_building_without_a_model_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="needs a model"):
        DeepAgentBuilder().build()  # type: ignore[misc]


def test_the_plan_reads_back_from_the_arguments_of_the_last_call() -> None:
    from remi_web.core.messages import ToolCallRequest

    first = ToolCallRequest("a", "write_todos", json.dumps({"todos": [{"content": "one"}]}))
    second = ToolCallRequest("b", "write_todos", json.dumps({"todos": [{"content": "two", "status": "completed"}]}))
    plan = current_plan([Message.assistant("", [first]), Message.assistant("", [second])])
    assert plan is not None and [(t.content, t.status) for t in plan] == [("two", "completed")]
    assert current_plan([Message.user("no plan")]) is None


async def test_a_sub_run_is_traced_as_a_child_of_its_task_call() -> None:
    from remi_web.tracing import RecordingTracer
    from remi_web.tracing.records import RunStartTrace, ToolStartTrace

    tracer = RecordingTracer()
    model = ScriptedModel([
        [ToolCall("task", {"description": "say hi"}, id="t1")], ["hi from the sub-agent"], ["done"],
    ])
    agent = deep(model, MemoryStore(), tracer=tracer).build()

    events = await collect(agent.chat(start("delegate")))

    assert isinstance(events[-1], Done)
    starts = [r for r in tracer.records if isinstance(r, RunStartTrace)]
    (parent,) = [r for r in starts if r.run_id == events[-1].run_id]
    (child,) = [r for r in starts if r.run_id != parent.run_id]
    (task_span,) = [r for r in tracer.records if isinstance(r, ToolStartTrace) and r.name == "task"]
    assert child.parent_id == task_span.span_id and task_span.parent_id == parent.span_id
