"""`AguiTranslator` and `json_diff` without a server: a real agent's stream (thinking, text,
tools, the plan, an approval, its resume) becomes AG-UI events that the `ag-ui-protocol`
package parses and that keep the protocol's order; every way a stream ends closes what is
open; the state patches rebuild the plan."""

from __future__ import annotations

import json
from typing import Any

import pytest
from agui_helpers import EVENTS, apply_patch, check_order, kinds, of
from ag_ui.core import StateDeltaEvent
from ag_ui.encoder import EventEncoder
from hypothesis import given, settings
from hypothesis import strategies as st

from remi_web import AgentBuilder, ChatRequest, ScriptedModel, tool
from remi_web.core.events import (
    AgentEvent,
    Cancelled,
    Custom,
    Done,
    ErrorEvent,
    ModelRetry,
    NeedToolExecution,
    RunResumed,
    RunStart,
    TextDelta,
    ThinkingDelta,
    ToolCallArgsDelta,
    ToolCallReady,
    ToolCallStart,
    ToolProgress,
    ToolResult,
    TurnEnd,
    TurnStart,
    UsageEvent,
)
from remi_web.core.ids import RunId, ThreadId
from remi_web.core.messages import ToolCallRequest
from remi_web.core.usage import Usage
from remi_web.deep.todos import write_todos_tool
from remi_web.server.agui_events import AguiTranslator
from remi_web.server.interrupt_refs import interrupt_ref, split_interrupt_ref
from remi_web.server.json_patch import json_diff
from remi_web.testing.scripted_model import Thinking, ToolCall

RUN, THREAD = RunId("run-1"), ThreadId("thread-1")


def translate(events: list[AgentEvent], thread: str = THREAD) -> list[Any]:
    """The AG-UI events of a stream, each through the wire and parsed by the protocol package."""
    translator = AguiTranslator(thread)
    encoder = EventEncoder()
    out = []
    for event in events:
        for agui in translator.translate(event):
            frame = encoder.encode(agui)
            assert frame.startswith("data: ") and frame.endswith("\n\n")
            out.append(EVENTS.validate_json(frame[6:]))
    return out


async def test_a_real_agents_stream_and_its_resume_translate_to_valid_ag_ui() -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    @tool(requires_approval=True)
    def publish(title: str) -> str:
        """Publish after approval."""
        return f"published {title}"

    plan = {"todos": [{"content": "Add", "status": "in_progress"},
                      {"content": "Publish", "status": "pending"}]}
    done = {"todos": [{"content": "Add", "status": "completed"},
                      {"content": "Publish", "status": "completed"}]}
    model = ScriptedModel([
        [Thinking("First a plan."), "Planning.", ToolCall("write_todos", plan)],
        ["Adding and publishing.", ToolCall("add", {"a": 1, "b": 2}),
         ToolCall("publish", {"title": "3"}),
         ToolCall("write_todos", done)],
        ["All done."],
    ])
    agent = AgentBuilder().model(model).tools(add, publish, write_todos_tool()).build()
    first = [e async for e in agent.chat(ChatRequest.user("go", thread_id=THREAD))]
    paused = translate(first)
    run_id = first[0].run_id  # type: ignore[union-attr]
    (info,) = first[-1].interrupts  # type: ignore[union-attr]
    second = [e async for e in agent.chat(ChatRequest.resume(run_id, {info.interrupt_id: True}))]
    resumed = translate(second)

    check_order(paused)
    check_order(resumed)
    assert (paused[0].thread_id, paused[0].run_id) == (THREAD, run_id)
    assert (resumed[0].thread_id, resumed[0].run_id) == (THREAD, run_id)
    # one assistant message per turn, the turn's calls attached to it
    starts = of(paused, "TEXT_MESSAGE_START")
    assert len(starts) == 2
    for start, calls in zip(starts, (["write_todos"], ["add", "publish", "write_todos"])):
        attached = [c.tool_call_name for c in of(paused, "TOOL_CALL_START")
                    if c.parent_message_id == start.message_id]
        assert attached == calls
    content = of(paused, "TEXT_MESSAGE_CONTENT")
    texts = ["".join(c.delta for c in content if c.message_id == s.message_id) for s in starts]
    assert texts == ["Planning.", "Adding and publishing."]
    assert "".join(e.delta for e in of(paused, "REASONING_MESSAGE_CONTENT")) == "First a plan."
    for ready in (e for e in first if isinstance(e, ToolCallReady)):
        args = "".join(a.delta for a in of(paused, "TOOL_CALL_ARGS") if a.tool_call_id == ready.call_id)
        assert args == ready.arguments
    # the plan: a snapshot, then a patch to the new plan
    snapshot, delta = [e for e in paused if e.type.value in ("STATE_SNAPSHOT", "STATE_DELTA")]
    assert snapshot.snapshot == plan and apply_patch(snapshot.snapshot, delta.delta) == done
    # the pause: an interrupt outcome naming the run and the call
    (interrupt,) = paused[-1].outcome.interrupts
    assert split_interrupt_ref(interrupt.id) == (run_id, info.interrupt_id)
    assert (interrupt.reason, interrupt.tool_call_id) == ("approval", info.call_id)
    assert interrupt.metadata["remi"]["arguments"] == '{"title": "3"}'
    first_result = of(paused, "TOOL_CALL_RESULT")[0].content
    assert first_result == "Plan updated (0/2 done):\n[~] Add\n[ ] Publish"
    # the resume: the approved call's result, then the last turn
    assert resumed[0].metadata == {"remi": {"resumed": True}}
    results = [(r.tool_call_id, r.content) for r in of(resumed, "TOOL_CALL_RESULT")]
    assert results == [(info.call_id, "published 3")]
    assert "".join(c.delta for c in of(resumed, "TEXT_MESSAGE_CONTENT")) == "All done."
    assert resumed[-1].type.value == "RUN_FINISHED" and resumed[-1].outcome is None


def opening(*rest: AgentEvent) -> list[AgentEvent]:
    """A stream cut with a text message, a tool call and a step open."""
    return [RunStart(RUN, THREAD), TurnStart(1), ThinkingDelta("hm"), TextDelta("Hi "),
            ToolCallStart("c1", "add"), ToolCallArgsDelta("c1", '{"a":'), TextDelta("more"), *rest]


@pytest.mark.parametrize(
    ("end", "last", "outcome"),
    [
        (ErrorEvent("model_error", "the model is down"), "RUN_ERROR", None),
        (Cancelled(RUN, "Hi "), "RUN_FINISHED", "cancelled"),
        (NeedToolExecution(RUN, [ToolCallRequest("c1", "add", '{"a":')]), "RUN_FINISHED", "success"),
    ],
)
def test_every_end_closes_what_is_open(end: AgentEvent, last: str, outcome: str | None) -> None:
    events = translate([*opening(), end, TextDelta("after the end")])
    check_order(events)
    assert events[-1].type.value == last
    assert kinds(events)[-4:-1] == ["TEXT_MESSAGE_END", "TOOL_CALL_END", "STEP_FINISHED"]
    if last == "RUN_ERROR":
        assert (events[-1].code, events[-1].message) == ("model_error", "the model is down")
    else:
        assert events[-1].outcome.type == outcome
    if isinstance(end, NeedToolExecution):
        assert events[-1].outcome.pending_tool_call_ids == ["c1"]


def test_a_call_that_arrives_whole_is_started_streamed_and_ended() -> None:
    events = translate([RunStart(RUN, THREAD), TurnStart(1), ToolCallReady("c9", "add", '{"a": 1}'),
                        ToolResult("c9", "add", "1"), TextDelta("One."), TurnEnd(1),
                        Done(RUN, "One.")])
    check_order(events)
    assert kinds(events)[2:6] == [
        "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_RESULT"
    ]
    call, text = of(events, "TOOL_CALL_START")[0], of(events, "TEXT_MESSAGE_START")[0]
    assert text.message_id != call.parent_message_id  # text after the calls is a message of its own


def test_a_resumed_stream_ends_only_the_steps_it_started_and_sums_usage_per_model() -> None:
    events = translate([
        RunResumed(RUN, THREAD, 1), ToolResult("c1", "save", "saved"), TurnEnd(1), TurnStart(2),
        UsageEvent(Usage(10, 2), "m-a"), UsageEvent(Usage(5, 1), "m-a"), UsageEvent(Usage(1, 1), "m-b"),
        TextDelta("ok"), TurnEnd(2), ErrorEvent("x", "y"),
    ])
    check_order(events)
    assert [e.step_name for e in of(events, "STEP_FINISHED")] == ["turn 2"]
    usage = {u.model: (u.input_tokens, u.output_tokens, u.total_tokens) for u in events[-1].usage}
    assert usage == {"m-a": (15, 3, 18), "m-b": (1, 1, 2)}


def test_progress_retries_and_app_events_are_custom_events() -> None:
    events = translate([
        RunStart(RUN, THREAD), ToolProgress("c1", "crawl", {"page": 3}), ModelRetry(1, 3, 0.5, "429"),
        Custom("chart", {"points": [1, 2]}), Custom("todo", "unreadable"), ErrorEvent("x", "y"),
    ])
    check_order(events)
    custom = {e.name: e.value for e in of(events, "CUSTOM")}
    assert custom == {
        "remi.tool_progress": {"toolCallId": "c1", "toolName": "crawl", "data": {"page": 3}},
        "remi.model_retry": {"attempt": 1, "maxRetries": 3, "delay": 0.5, "reason": "429"},
        "chart": {"points": [1, 2]},
    }
    assert of(events, "STATE_SNAPSHOT")[0].snapshot == {"todos": []}  # an unreadable plan is empty


@pytest.mark.parametrize("text", ["", "run", "/i", "r/", "no-separator"])
def test_only_ids_this_server_made_split_into_run_and_interrupt(text: str) -> None:
    assert split_interrupt_ref(text) is None
    assert split_interrupt_ref(interrupt_ref("a:b", "i-1")) == ("a:b", "i-1")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("ab/~", max_size=3),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text("ab/~", max_size=3), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(JSON, JSON)
def test_the_json_diff_applied_to_the_old_document_gives_the_new(old: Any, new: Any) -> None:
    patch = json_diff(old, new)
    assert apply_patch(old, patch) == new
    assert json.dumps(apply_patch(old, patch), sort_keys=True) == json.dumps(new, sort_keys=True)
    assert StateDeltaEvent(delta=patch).delta is not None  # valid RFC 6902 per the protocol's model
    assert json_diff(new, new) == []
