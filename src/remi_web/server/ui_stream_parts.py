"""A run's events as the chunks of the Vercel AI SDK's UI message stream (what `useChat`
reads): one assistant `UIMessage` per response, built from `start`, text and reasoning
parts, tool parts, approval requests, steps, `data-*` parts and `finish`.

Pure: no I/O, no server state. Approval tokens never reach a chunk; an approval request
names its interrupt by `interrupt_ref(run_id, interrupt_id)`, which the server resolves
against the run's log (the token stays there).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import asdict
from typing import TypeAlias

from ..core.content import Content, content_text
from ..core.events import (
    AgentEvent,
    Cancelled,
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
)

from ..core.schema_types import JsonValue
from ..core.usage import Usage
from .interrupt_refs import interrupt_ref

UiChunk: TypeAlias = dict[str, JsonValue]
"""One chunk of the UI message stream (the JSON of one `data:` line)."""

UNCERTAIN_OUTCOME = "uncertain_outcome"
"""The interrupt kind of a call that may have run before its server stopped."""

class UiMessageTranslator:
    """Turns one response's events into UI message chunks.

    Args:
        message_id: the assistant message the response continues (a resumed run goes on
            in the message that asked for approval); None: a new message named after the
            run.
        denied_calls: tool calls whose approval was just denied: their result is sent as
            `tool-output-denied` (as are the calls the agent's policy denies).
        part_prefix: makes the ids of text and reasoning parts unique within the message
            (a message spans the streams of one run).
    """

    def __init__(
        self,
        *,
        message_id: str | None = None,
        denied_calls: Collection[str] = (),
        part_prefix: str = "",
    ) -> None:
        self.message_id = message_id
        self.denied_calls = set(denied_calls)
        self.part_prefix = part_prefix
        self.run_id: str | None = None
        self.started = False
        self.finished = False
        self._text: str | None = None  # the open text part
        self._reasoning: str | None = None  # the open reasoning part
        self._parts = 0
        self._step_open = False
        self._calls: set[str] = set()  # tool calls whose input started streaming

    def translate(self, event: AgentEvent) -> list[UiChunk]:
        """The chunks of `event` (none once the response finished)."""
        if self.finished:
            return []
        if isinstance(event, RunStart | RunResumed):
            self.run_id = event.run_id
        chunks = self._start()
        if isinstance(event, TextDelta):
            chunks += self._delta("text", event.text)
        elif isinstance(event, ThinkingDelta):
            chunks += self._delta("reasoning", event.text)
        elif isinstance(event, TurnStart):
            chunks += self._end_step()
            chunks.append({"type": "start-step"})
            self._step_open = True
        elif isinstance(event, TurnEnd):
            chunks += self._end_step()
        elif isinstance(event, ToolCallStart | ToolCallArgsDelta | ToolCallReady):
            chunks += self._close_parts() + self._tool_input(event)
        elif isinstance(event, ToolProgress | ToolResult):
            chunks += self._close_parts() + [self._tool_output(event)]
        elif isinstance(event, Custom):
            chunks.append({"type": f"data-{event.name}", "id": event.name, "data": event.data})
        elif isinstance(event, InterruptAnswered):
            chunks += self._close_parts() + self._automatic_approval(event)
        elif isinstance(event, InterruptEvent):
            chunks += self._close_parts()
            chunks += [self._approval_request(event.run_id, info) for info in event.interrupts]
            chunks += self._finish("tool-calls")
        elif isinstance(event, Done):
            chunks += self._finish("stop", {"usage": _usage(event.usage)})
        elif isinstance(event, ErrorEvent):
            chunks += self._close_parts()
            chunks.append({"type": "error", "errorText": f"{event.code}: {event.message}"})
            chunks += self._finish("error")
        elif isinstance(event, NeedToolExecution):
            names = ", ".join(sorted({call.name for call in event.calls}))
            chunks += self._close_parts()
            chunks.append({
                "type": "error",
                "errorText": f"need_tool_execution: the run waits for the results of tools "
                f"its caller runs ({names}); this endpoint cannot deliver them, "
                f"POST /v1/runs/{event.run_id}/tool-results can.",
            })
            chunks += self._finish("tool-calls")
        elif isinstance(event, Cancelled):
            chunks += self._end_step()
            chunks.append({"type": "abort", "reason": "cancelled"})
            self.finished = True
        return chunks

    def close(self) -> list[UiChunk]:
        """The chunks that end a response whose events stopped short of an end."""
        if self.finished:
            return []
        return self._start() + self._finish("other")

    def _start(self) -> list[UiChunk]:
        if self.started:
            return []
        self.started = True
        chunk: UiChunk = {"type": "start"}
        message_id = self.message_id or self.run_id
        if message_id:
            chunk["messageId"] = message_id
        if self.run_id:
            chunk["messageMetadata"] = {"remi": {"runId": self.run_id}}
        return [chunk]

    def _delta(self, kind: str, text: str) -> list[UiChunk]:
        if not text:
            return []
        chunks: list[UiChunk] = []
        other = self._reasoning if kind == "text" else self._text
        if other is not None:
            chunks += self._close_parts()
        part = self._text if kind == "text" else self._reasoning
        if part is None:
            self._parts += 1
            part = f"{self.part_prefix}{kind}-{self._parts}"
            chunks.append({"type": f"{kind}-start", "id": part})
            if kind == "text":
                self._text = part
            else:
                self._reasoning = part
        chunks.append({"type": f"{kind}-delta", "id": part, "delta": text})
        return chunks

    def _close_parts(self) -> list[UiChunk]:
        chunks: list[UiChunk] = []
        if self._text is not None:
            chunks.append({"type": "text-end", "id": self._text})
            self._text = None
        if self._reasoning is not None:
            chunks.append({"type": "reasoning-end", "id": self._reasoning})
            self._reasoning = None
        return chunks

    def _end_step(self) -> list[UiChunk]:
        chunks = self._close_parts()
        if self._step_open:
            chunks.append({"type": "finish-step"})
            self._step_open = False
        return chunks

    def _finish(self, reason: str, metadata: dict[str, JsonValue] | None = None) -> list[UiChunk]:
        chunks = self._end_step()
        finish: UiChunk = {"type": "finish", "finishReason": reason}
        if metadata:
            finish["messageMetadata"] = {"remi": {"runId": self.run_id, **metadata}}
        chunks.append(finish)
        self.finished = True
        return chunks

    def _tool_input(
        self, event: ToolCallStart | ToolCallArgsDelta | ToolCallReady
    ) -> list[UiChunk]:
        if isinstance(event, ToolCallStart):
            self._calls.add(event.call_id)
            return [{"type": "tool-input-start", "toolCallId": event.call_id,
                     "toolName": event.name}]
        if isinstance(event, ToolCallArgsDelta):
            if event.call_id not in self._calls:  # a delta the reader has no part for
                return []
            return [{"type": "tool-input-delta", "toolCallId": event.call_id,
                     "inputTextDelta": event.delta}]
        try:
            arguments: JsonValue = json.loads(event.arguments) if event.arguments.strip() else {}
        except ValueError as error:
            return [{
                "type": "tool-input-error", "toolCallId": event.call_id, "toolName": event.name,
                "input": event.arguments, "errorText": f"The arguments are not JSON: {error}.",
            }]
        return [{"type": "tool-input-available", "toolCallId": event.call_id,
                 "toolName": event.name, "input": arguments}]

    def _tool_output(self, event: ToolProgress | ToolResult) -> UiChunk:
        if isinstance(event, ToolProgress):
            return {"type": "tool-output-available", "toolCallId": event.call_id,
                    "output": event.data, "preliminary": True}
        if event.call_id in self.denied_calls:
            return {"type": "tool-output-denied", "toolCallId": event.call_id}
        if event.is_error:
            return {"type": "tool-output-error", "toolCallId": event.call_id,
                    "errorText": content_text(event.content)}
        return {"type": "tool-output-available", "toolCallId": event.call_id,
                "output": tool_output(event.content)}

    def _automatic_approval(self, event: InterruptAnswered) -> list[UiChunk]:
        """An interrupt the agent's policy answered: asked and answered at once."""
        approval = interrupt_ref(event.run_id, event.interrupt_id)
        approved = event.decision != "deny"
        reason = event.answer.get("reason") if isinstance(event.answer, dict) else None
        if not approved:
            self.denied_calls.add(event.call_id)
        return [
            {"type": "tool-approval-request", "approvalId": approval,
             "toolCallId": event.call_id, "isAutomatic": True,
             "approvalDescriptor": {"kind": event.kind, "rule": event.rule}},
            {"type": "tool-approval-response", "approvalId": approval, "approved": approved,
             "reason": reason if isinstance(reason, str) and reason else event.rule},
        ]

    def _approval_request(self, run_id: str, info: InterruptInfo) -> UiChunk:
        chunk: UiChunk = {
            "type": "tool-approval-request",
            "approvalId": interrupt_ref(run_id, info.interrupt_id),
            "toolCallId": info.call_id,
            "approvalDescriptor": {"kind": info.kind, "payload": info.payload},
        }
        if info.kind == UNCERTAIN_OUTCOME:
            chunk["reason"] = (
                "The call may already have run when its server stopped: approve to run it "
                "again, deny to fail it."
            )
        elif info.kind != "approval":
            chunk["reason"] = f"The tool asks for {info.kind!r}."
        return chunk


def tool_output(content: Content) -> JsonValue:
    """A tool result as a UI tool output: a JSON object or array given as text (what a
    tool returning a dict or list sends) is parsed, other text stays text, multimodal
    content is its list of parts."""
    if not isinstance(content, str):
        return [asdict(part) for part in content]
    if content.lstrip()[:1] in ("{", "["):
        try:
            value: JsonValue = json.loads(content, parse_constant=_no_constant)
            return value
        except ValueError:
            pass
    return content


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _usage(usage: Usage) -> dict[str, JsonValue]:
    return {
        "inputTokens": usage.prompt_tokens,
        "outputTokens": usage.completion_tokens,
        "totalTokens": usage.total_tokens,
    }
