"""`AguiTranslator`: a run's events as AG-UI events, built with the `ag-ui-protocol`
package's own types (`ag_ui.core`).

| remi event | AG-UI events |
| --- | --- |
| `run_start`, `run_resumed` | `RUN_STARTED` (threadId: the thread, runId: the remi run) |
| `turn_start`, `turn_end` | `STEP_STARTED`, `STEP_FINISHED` (step "turn N") |
| `text_delta` | `TEXT_MESSAGE_START`/`CONTENT`/`END`: one assistant message per turn |
| `thinking_delta` | `REASONING_START`, `REASONING_MESSAGE_START`/`CONTENT`/`END`, `REASONING_END` |
| `tool_call_start`, `tool_call_args_delta`, `tool_call_ready` | `TOOL_CALL_START`/`ARGS`/`END` |
| `tool_result` | `TOOL_CALL_RESULT` |
| `custom` "todo" | `STATE_SNAPSHOT` (`{"todos": [...]}`), then `STATE_DELTA` (JSON Patch) |
| other `custom`, `tool_progress`, `model_retry`, `interrupt_answered`, `sub_session` | `CUSTOM` |
| `usage` | summed into the `usage` of `RUN_FINISHED` / `RUN_ERROR` |
| `done` | `RUN_FINISHED` (result: the structured output, if any) |
| `interrupt` | `RUN_FINISHED` with the `interrupt` outcome |
| `need_tool_execution` | `RUN_FINISHED` with `pendingToolCallIds` |
| `cancelled` | `RUN_FINISHED` with the `cancelled` outcome |
| `error` | `RUN_ERROR` |
| `checkpoint` | nothing (the server's bookkeeping) |

Whatever is open (a text or reasoning message, a tool call, a step) is closed before the
run's last event, as AG-UI requires. Pure: no I/O, the same events give the same answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ag_ui.core import (
    PROTOCOL_VERSION,
    BaseEvent,
    CustomEvent,
    Interrupt,
    ReasoningEndEvent,
    ReasoningMessageContentEvent,
    ReasoningMessageEndEvent,
    ReasoningMessageStartEvent,
    ReasoningStartEvent,
    RunErrorEvent,
    RunFinishedCancelledOutcome,
    RunFinishedEvent,
    RunFinishedInterruptOutcome,
    RunFinishedSuccessOutcome,
    RunStartedEvent,
    StateDeltaEvent,
    StateSnapshotEvent,
    StepFinishedEvent,
    StepStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    TokenUsage,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
)
from pydantic import JsonValue

from ..core.content import content_text
from ..core.events import (
    AgentEvent,
    Cancelled,
    Custom,
    Done,
    ErrorEvent,
    InterruptAnswered,
    InterruptEvent,
    InterruptInfo,
    ModelRetry,
    NeedToolExecution,
    RunResumed,
    RunStart,
    SubSession,
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
from ..core.ids import new_id
from ..core.usage import Usage
from .interrupt_refs import interrupt_ref
from .json_patch import json_diff

TODO_EVENT = "todo"
"""The `custom` event of the deep agent's plan (`remi_web.deep.todos`), sent as state."""
TODOS_KEY = "todos"
"""Where the plan sits in the AG-UI state: `{"todos": [{"content", "status"}...]}`."""
METADATA_KEY = "remi"
"""The key of remi's own fields in AG-UI `metadata` (interrupts, tool results)."""
APPROVAL_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {"type": "boolean", "description": "true: run the call; false: deny it."},
        {
            "type": "object",
            "properties": {
                "approved": {"type": "boolean"},
                "arguments": {"type": "object", "description": "Edited arguments to run with."},
                "reason": {"type": "string", "description": "Why the call is denied."},
            },
            "required": ["approved"],
        },
    ]
}
"""The `responseSchema` of an approval interrupt: what `@tool(requires_approval=True)` reads."""


class AguiTranslator:
    """Turns one stream of a run (a start, or a resume) into AG-UI events.

    Args:
        thread_id: the run's thread as the client knows it (until `run_start` says).
        new_id: makes the ids of messages (a fresh uuid each by default).

    Feed every event of the stream to `translate`, in order; `finished` turns true at the
    stream's last event, after which nothing more is sent.
    """

    def __init__(self, thread_id: str, *, new_id: Callable[[], str] = new_id) -> None:
        self.thread_id = thread_id
        self.run_id = ""
        self.finished = False
        self._new_id = new_id
        self._turn_message: str | None = None  # the assistant message of the turn
        self._turn_message_free = True  # its text has not been opened nor a call attached
        self._text: str | None = None
        self._reasoning: tuple[str, str] | None = None  # (span id, message id)
        self._calls: dict[str, None] = {}  # open tool calls, in order
        self._started: set[str] = set()  # tool calls started in this stream
        self._steps: list[str] = []
        self._state: dict[str, JsonValue] | None = None  # the state last sent
        self._usage: dict[str | None, Usage] = {}

    def translate(self, event: AgentEvent) -> list[BaseEvent]:
        """The AG-UI events of one remi event (often none or one)."""
        if self.finished:
            return []
        if isinstance(event, RunStart | RunResumed):
            self.thread_id, self.run_id = event.thread_id, event.run_id
            return [RunStartedEvent(
                thread_id=event.thread_id, run_id=event.run_id, protocol_version=PROTOCOL_VERSION,
                metadata={METADATA_KEY: {"resumed": isinstance(event, RunResumed)}},
            )]
        if isinstance(event, TurnStart | TurnEnd):
            return self._turn(event)
        if isinstance(event, TextDelta):
            return self._text_delta(event.text)
        if isinstance(event, ThinkingDelta):
            return self._thinking_delta(event.text)
        if isinstance(event, ToolCallStart | ToolCallArgsDelta | ToolCallReady):
            return self._tool_call(event)
        if isinstance(event, ToolResult):
            return self._tool_result(event)
        if isinstance(event, Custom) and event.name == TODO_EVENT:
            return self._todos(event.data)
        if isinstance(event, UsageEvent):
            self._usage[event.model] = self._usage.get(event.model, Usage()) + event.usage
            return []
        if isinstance(event, Done | InterruptEvent | NeedToolExecution | Cancelled | ErrorEvent):
            return self._end(event)
        custom = _custom(event)
        return [custom] if custom is not None else []

    def _turn(self, event: TurnStart | TurnEnd) -> list[BaseEvent]:
        name = f"turn {event.turn}"
        self._turn_message, self._turn_message_free = None, True
        if isinstance(event, TurnStart):
            out = self._close_messages()
            self._steps.append(name)
            return [*out, StepStartedEvent(step_name=name)]
        out = self._close_messages()
        if name in self._steps:  # a resumed stream ends a turn it did not start
            self._steps.remove(name)
            out.append(StepFinishedEvent(step_name=name))
        return out

    def _text_delta(self, text: str) -> list[BaseEvent]:
        out = self._close_reasoning()
        if self._text is None:
            if self._turn_message is None:
                self._turn_message = self._new_id()
            if self._turn_message_free:
                self._text, self._turn_message_free = self._turn_message, False
            else:  # text after the turn's calls: a message of its own
                self._text = self._new_id()
            out.append(TextMessageStartEvent(message_id=self._text, role="assistant"))
        out.append(TextMessageContentEvent(message_id=self._text, delta=text))
        return out

    def _thinking_delta(self, text: str) -> list[BaseEvent]:
        out = self._close_text()
        if self._reasoning is None:
            self._reasoning = (self._new_id(), self._new_id())
            span, message = self._reasoning
            out += [
                ReasoningStartEvent(message_id=span),
                ReasoningMessageStartEvent(message_id=message, role="reasoning"),
            ]
        out.append(ReasoningMessageContentEvent(message_id=self._reasoning[1], delta=text))
        return out

    def _tool_call(
        self, event: ToolCallStart | ToolCallArgsDelta | ToolCallReady
    ) -> list[BaseEvent]:
        if isinstance(event, ToolCallArgsDelta):
            if event.call_id not in self._calls:
                return []
            return [ToolCallArgsEvent(tool_call_id=event.call_id, delta=event.delta)]
        out: list[BaseEvent] = []
        if event.call_id not in self._started:  # a call that arrives whole starts here
            out += self._close_messages()
            if self._turn_message is None:
                self._turn_message = self._new_id()
            self._turn_message_free = False
            self._started.add(event.call_id)
            self._calls[event.call_id] = None
            out.append(ToolCallStartEvent(
                tool_call_id=event.call_id, tool_call_name=event.name,
                parent_message_id=self._turn_message,
            ))
            if isinstance(event, ToolCallReady) and event.arguments:
                out.append(ToolCallArgsEvent(tool_call_id=event.call_id, delta=event.arguments))
        if isinstance(event, ToolCallReady) and event.call_id in self._calls:
            del self._calls[event.call_id]
            out.append(ToolCallEndEvent(tool_call_id=event.call_id))
        return out

    def _tool_result(self, event: ToolResult) -> list[BaseEvent]:
        out = self._close_messages()
        if event.call_id in self._calls:
            del self._calls[event.call_id]
            out.append(ToolCallEndEvent(tool_call_id=event.call_id))
        out.append(ToolCallResultEvent(
            message_id=self._new_id(), tool_call_id=event.call_id, role="tool",
            content=content_text(event.content),
            metadata={METADATA_KEY: {"toolName": event.name, "isError": event.is_error}},
        ))
        return out

    def _todos(self, data: JsonValue) -> list[BaseEvent]:
        todos = data.get(TODOS_KEY) if isinstance(data, dict) else None
        state: dict[str, JsonValue] = {TODOS_KEY: todos if isinstance(todos, list) else []}
        previous, self._state = self._state, state
        if previous is None:
            return [StateSnapshotEvent(snapshot=state)]
        patch = json_diff(previous, state)
        return [StateDeltaEvent(delta=patch)] if patch else []

    def _end(
        self, event: Done | InterruptEvent | NeedToolExecution | Cancelled | ErrorEvent
    ) -> list[BaseEvent]:
        self.finished = True
        out = self._close_all()
        usage = [
            TokenUsage(
                model=model, input_tokens=used.prompt_tokens,
                output_tokens=used.completion_tokens, total_tokens=used.total_tokens,
            )
            for model, used in self._usage.items()
        ] or None
        if isinstance(event, ErrorEvent):
            return [*out, RunErrorEvent(message=event.message, code=event.code, usage=usage)]
        result: JsonValue = event.output if isinstance(event, Done) else None
        outcome: (
            RunFinishedInterruptOutcome | RunFinishedSuccessOutcome | RunFinishedCancelledOutcome
            | None
        ) = None
        if isinstance(event, InterruptEvent):
            interrupts = [_interrupt(event.run_id, info) for info in event.interrupts]
            outcome = RunFinishedInterruptOutcome(interrupts=interrupts)
        elif isinstance(event, NeedToolExecution):
            pending = [call.id for call in event.calls]
            outcome = RunFinishedSuccessOutcome(pending_tool_call_ids=pending)
        elif isinstance(event, Cancelled):
            outcome = RunFinishedCancelledOutcome()
        return [*out, RunFinishedEvent(
            thread_id=self.thread_id, run_id=self.run_id, result=result, outcome=outcome,
            usage=usage,
        )]

    def _close_text(self) -> list[BaseEvent]:
        if self._text is None:
            return []
        message, self._text = self._text, None
        return [TextMessageEndEvent(message_id=message)]

    def _close_reasoning(self) -> list[BaseEvent]:
        if self._reasoning is None:
            return []
        (span, message), self._reasoning = self._reasoning, None
        return [ReasoningMessageEndEvent(message_id=message), ReasoningEndEvent(message_id=span)]

    def _close_messages(self) -> list[BaseEvent]:
        return self._close_reasoning() + self._close_text()

    def _close_all(self) -> list[BaseEvent]:
        out = self._close_messages()
        out += [ToolCallEndEvent(tool_call_id=call) for call in self._calls]
        self._calls.clear()
        out += [StepFinishedEvent(step_name=step) for step in reversed(self._steps)]
        self._steps.clear()
        return out


def _interrupt(run_id: str, info: InterruptInfo) -> Interrupt:
    """One pending interrupt as AG-UI shows it; `metadata.remi` keeps what remi knows
    (with the approval token a resume may present)."""
    approval = info.kind == "approval"
    if approval:
        message = f"Allow the call {info.tool_name}({info.arguments})?"
    elif isinstance(info.payload, str):
        message = info.payload
    else:
        message = f"{info.tool_name} needs an answer ({info.kind}): {json.dumps(info.payload)}"
    return Interrupt(
        id=interrupt_ref(run_id, info.interrupt_id),
        reason=info.kind,
        message=message,
        tool_call_id=info.call_id,
        response_schema=APPROVAL_SCHEMA if approval else None,
        metadata={METADATA_KEY: {
            "runId": run_id, "interruptId": info.interrupt_id, "toolName": info.tool_name,
            "kind": info.kind, "payload": info.payload, "arguments": info.arguments,
            "token": info.token,
        }},
    )


def _custom(event: AgentEvent) -> CustomEvent | None:
    """The `CUSTOM` event of an event AG-UI has no type for (None: not shown)."""
    if isinstance(event, Custom):
        return CustomEvent(name=event.name, value=event.data)
    value: dict[str, JsonValue]
    if isinstance(event, ToolProgress):
        value = {"toolCallId": event.call_id, "toolName": event.name, "data": event.data}
    elif isinstance(event, ModelRetry):
        value = {"attempt": event.attempt, "maxRetries": event.max_retries,
                 "delay": event.delay, "reason": event.reason}
    elif isinstance(event, InterruptAnswered):
        value = {"interruptId": event.interrupt_id, "toolCallId": event.call_id,
                 "toolName": event.tool_name, "kind": event.kind, "decision": event.decision,
                 "answer": event.answer, "rule": event.rule}
    elif isinstance(event, SubSession):
        value = {"parentToolCallId": event.parent_call_id, "agentName": event.agent_name,
                 "subRunId": event.sub_run_id, "event": event.event}
    else:
        return None
    return CustomEvent(name=f"{METADATA_KEY}.{event.type}", value=value)
