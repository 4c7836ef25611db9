"""The translation of a run's events into UI message chunks (`UiMessageTranslator`), event
by event: the chunk sequences the AI SDK's reader expects (the endpoint tests run them
through the reader itself)."""

from __future__ import annotations

from remi_web.core.content import ImageUrlPart, TextPart
from remi_web.core.events import (
    AgentEvent,
    Cancelled,
    CheckpointEvent,
    Custom,
    Done,
    ErrorEvent,
    InterruptAnswered,
    InterruptEvent,
    InterruptInfo,
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
from remi_web.core.ids import CheckpointId, InterruptId, RunId, ThreadId
from remi_web.core.messages import ToolCallRequest
from remi_web.core.usage import Usage
from remi_web.server.interrupt_refs import interrupt_ref, split_interrupt_ref
from remi_web.server.ui_stream_parts import (
    UiChunk,
    UiMessageTranslator,
    tool_output,
)

RUN = RunId("run-1")


def translate(events: list[AgentEvent], **options: object) -> list[UiChunk]:
    translator = UiMessageTranslator(**options)  # type: ignore[arg-type]
    chunks = [chunk for event in events for chunk in translator.translate(event)]
    return chunks + translator.close()


def kinds(chunks: list[UiChunk]) -> list[object]:
    return [chunk["type"] for chunk in chunks]


def test_a_reply_is_one_message_of_steps_with_text_and_reasoning_parts() -> None:
    chunks = translate([
        RunStart(RUN, ThreadId("chat")), TurnStart(1),
        ThinkingDelta("Hm, "), ThinkingDelta("easy."),
        TextDelta("Hello"), TextDelta(""), TextDelta(" you."), UsageEvent(Usage(3, 4)),
        CheckpointEvent(CheckpointId("c"), RUN, 1, "done"), TurnEnd(1),
        Done(RUN, "Hello you.", Usage(3, 4)),
    ], part_prefix="s0-")
    assert chunks == [
        {"type": "start", "messageId": RUN, "messageMetadata": {"remi": {"runId": RUN}}},
        {"type": "start-step"},
        {"type": "reasoning-start", "id": "s0-reasoning-1"},
        {"type": "reasoning-delta", "id": "s0-reasoning-1", "delta": "Hm, "},
        {"type": "reasoning-delta", "id": "s0-reasoning-1", "delta": "easy."},
        {"type": "reasoning-end", "id": "s0-reasoning-1"},
        {"type": "text-start", "id": "s0-text-2"},
        {"type": "text-delta", "id": "s0-text-2", "delta": "Hello"},
        {"type": "text-delta", "id": "s0-text-2", "delta": " you."},
        {"type": "text-end", "id": "s0-text-2"},
        {"type": "finish-step"},
        {"type": "finish", "finishReason": "stop", "messageMetadata": {"remi": {
            "runId": RUN, "usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7}}}},
    ]


def test_tool_calls_stream_their_input_and_their_outputs() -> None:
    chunks = translate([
        RunStart(RUN, ThreadId("chat")), TurnStart(1), TextDelta("Let me see."),
        ToolCallStart("c1", "weather"), ToolCallArgsDelta("c1", '{"city":'),
        ToolCallArgsDelta("c1", ' "Oslo"}'), ToolCallArgsDelta("c9", "{"),  # never started
        ToolCallReady("c1", "weather", '{"city": "Oslo"}'), ToolCallReady("c2", "now", ""),
        ToolProgress("c1", "weather", {"step": "asking"}),
        ToolResult("c1", "weather", '{"temp": 3}'),
        ToolResult("c2", "now", "Error: no clock", is_error=True),
        TurnEnd(1),
    ])
    assert chunks[2:] == [
        {"type": "text-start", "id": "text-1"},
        {"type": "text-delta", "id": "text-1", "delta": "Let me see."},
        {"type": "text-end", "id": "text-1"},
        {"type": "tool-input-start", "toolCallId": "c1", "toolName": "weather"},
        {"type": "tool-input-delta", "toolCallId": "c1", "inputTextDelta": '{"city":'},
        {"type": "tool-input-delta", "toolCallId": "c1", "inputTextDelta": ' "Oslo"}'},
        {"type": "tool-input-available", "toolCallId": "c1", "toolName": "weather",
         "input": {"city": "Oslo"}},
        {"type": "tool-input-available", "toolCallId": "c2", "toolName": "now", "input": {}},
        {"type": "tool-output-available", "toolCallId": "c1", "output": {"step": "asking"},
         "preliminary": True},
        {"type": "tool-output-available", "toolCallId": "c1", "output": {"temp": 3}},
        {"type": "tool-output-error", "toolCallId": "c2", "errorText": "Error: no clock"},
        {"type": "finish-step"},
        {"type": "finish", "finishReason": "other"},  # the events stopped short of an end
    ]


def test_arguments_that_are_not_json_are_a_tool_input_error() -> None:
    (chunk,) = translate([ToolCallReady("c1", "f", "{oops")])[1:-1]
    assert chunk["type"] == "tool-input-error" and chunk["input"] == "{oops"
    assert str(chunk["errorText"]).startswith("The arguments are not JSON")


def test_tool_outputs_keep_text_and_read_json_objects_and_arrays() -> None:
    assert tool_output("5") == "5"
    assert tool_output('"quoted"') == '"quoted"'
    assert tool_output('{"a": [1, 2]}') == {"a": [1, 2]}
    assert tool_output(" [1, 2]") == [1, 2]
    assert tool_output("{not json") == "{not json"
    assert tool_output('{"a": NaN}') == '{"a": NaN}'
    assert tool_output([TextPart("see"), ImageUrlPart("data:image/png;base64,AA")]) == [
        {"text": "see", "type": "text"},
        {"url": "data:image/png;base64,AA", "detail": None, "type": "image_url"},
    ]


def test_an_interrupt_asks_for_approval_by_id_without_its_token() -> None:
    interrupts = [
        InterruptInfo(InterruptId("i1"), "c1", "save", "approval", {"text": "x"}, '{"text": "x"}',
                      token="v1.secret"),
        InterruptInfo(InterruptId("i2"), "c2", "pay", "uncertain_outcome", {"why": "crash"},
                      token="v1.secret2"),
        InterruptInfo(InterruptId("i3"), "c3", "ask", "question", "Which one?"),
    ]
    chunks = translate([RunStart(RUN, ThreadId("t")), TurnStart(1), TextDelta("Saving."),
                        InterruptEvent(RUN, interrupts)])
    assert "secret" not in repr(chunks)
    assert kinds(chunks) == [
        "start", "start-step", "text-start", "text-delta", "text-end",
        "tool-approval-request", "tool-approval-request", "tool-approval-request",
        "finish-step", "finish",
    ]
    first, second, third = chunks[5:8]
    assert first == {"type": "tool-approval-request", "approvalId": "run-1:i1",
                     "toolCallId": "c1",
                     "approvalDescriptor": {"kind": "approval", "payload": {"text": "x"}}}
    assert second["approvalId"] == "run-1:i2" and "run it again" in str(second["reason"])
    assert third["reason"] == "The tool asks for 'question'."
    assert chunks[-1] == {"type": "finish", "finishReason": "tool-calls"}


def test_interrupts_the_agents_policy_answers_are_asked_and_answered_at_once() -> None:
    chunks = translate([
        InterruptAnswered(RUN, InterruptId("i1"), "c1", "save", "approval", "approve",
                          {"approved": True}, "approve tool=save"),
        InterruptAnswered(RUN, InterruptId("i2"), "c2", "wipe", "approval", "deny",
                          {"approved": False, "reason": "not allowed"}, "deny tool=wipe"),
        ToolResult("c1", "save", "saved"), ToolResult("c2", "wipe", "The user denied this call."),
    ])
    assert chunks[1:] == [
        {"type": "tool-approval-request", "approvalId": "run-1:i1", "toolCallId": "c1",
         "isAutomatic": True,
         "approvalDescriptor": {"kind": "approval", "rule": "approve tool=save"}},
        {"type": "tool-approval-response", "approvalId": "run-1:i1", "approved": True,
         "reason": "approve tool=save"},
        {"type": "tool-approval-request", "approvalId": "run-1:i2", "toolCallId": "c2",
         "isAutomatic": True, "approvalDescriptor": {"kind": "approval", "rule": "deny tool=wipe"}},
        {"type": "tool-approval-response", "approvalId": "run-1:i2", "approved": False,
         "reason": "not allowed"},
        {"type": "tool-output-available", "toolCallId": "c1", "output": "saved"},
        {"type": "tool-output-denied", "toolCallId": "c2"},
        {"type": "finish", "finishReason": "other"},
    ]


def test_a_resumed_run_continues_the_message_and_reports_denials() -> None:
    chunks = translate([
        RunResumed(RUN, ThreadId("t"), 1), ToolResult("c1", "save", "The user denied this call."),
        ToolResult("c2", "add", "3"), TurnEnd(1), TurnStart(2), TextDelta("OK."), TurnEnd(2),
        Done(RUN, "OK."),
    ], message_id="msg-7", denied_calls={"c1"}, part_prefix="s9-")
    assert chunks[0] == {"type": "start", "messageId": "msg-7",
                         "messageMetadata": {"remi": {"runId": RUN}}}
    assert chunks[1:3] == [
        {"type": "tool-output-denied", "toolCallId": "c1"},
        {"type": "tool-output-available", "toolCallId": "c2", "output": "3"},
    ]
    assert kinds(chunks)[3:] == [
        "start-step", "text-start", "text-delta", "text-end", "finish-step", "finish",
    ]
    assert chunks[4]["id"] == "s9-text-1"


def test_each_end_of_a_run_ends_the_response_once() -> None:
    error = translate([RunStart(RUN, ThreadId("t")), TextDelta("Hal"),
                       ErrorEvent("model_error", "The model failed."), TextDelta("late")])
    assert kinds(error) == ["start", "text-start", "text-delta", "text-end", "error", "finish"]
    assert error[4] == {"type": "error", "errorText": "model_error: The model failed."}
    assert error[5] == {"type": "finish", "finishReason": "error"}
    cancelled = translate([RunStart(RUN, ThreadId("t")), TurnStart(1), TextDelta("Hal"),
                           Cancelled(RUN, "Hal")])
    assert kinds(cancelled)[-3:] == ["text-end", "finish-step", "abort"]  # no finish after abort
    waiting = translate([RunStart(RUN, ThreadId("t")),
                         NeedToolExecution(RUN, [ToolCallRequest("c1", "browser_tool", "{}")])])
    assert kinds(waiting) == ["start", "error", "finish"]
    assert "browser_tool" in str(waiting[1]["errorText"])
    assert waiting[2]["finishReason"] == "tool-calls"


def test_the_start_comes_first_even_without_a_run_event() -> None:
    assert translate([TextDelta("hi")])[0] == {"type": "start"}
    assert translate([]) == [{"type": "start"}, {"type": "finish", "finishReason": "other"}]


def test_custom_events_are_data_parts_updated_in_place_by_name() -> None:
    chunks = translate([Custom("todo", {"todos": [1]}), Custom("todo", {"todos": [1, 2]})])
    assert chunks[1:3] == [
        {"type": "data-todo", "id": "todo", "data": {"todos": [1]}},
        {"type": "data-todo", "id": "todo", "data": {"todos": [1, 2]}},
    ]


def test_approval_ids_name_the_run_and_the_interrupt() -> None:
    assert split_interrupt_ref(interrupt_ref("run:with:colons", "i-1")) == ("run:with:colons", "i-1")
    assert split_interrupt_ref("no-separator") is None
    assert split_interrupt_ref(":i1") is None
    assert split_interrupt_ref("run:") is None
