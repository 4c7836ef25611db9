"""Guest side of the boundary: the core's objects to the WIT bindings' values and back.

Inside a component the bindings are the module componentize-py generated
(`remi_guest_bindings`); type checkers read the same classes from the committed copy in
`remi_web.guest.bindings`. The host's mirror of this file is `remi_web.wasm.values`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import JsonValue

from ..core import content as core_content
from ..core import events as ev
from ..core.content import Content, ContentPart
from ..core.ids import MessageId, RunId, ThreadId
from ..core.messages import Message, ToolCallRequest
from ..core.model_io import (
    ModelChunk,
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    ToolDefinition,
    UsageChunk,
)
from ..core.outcome import ToolOutcome
from ..core.requests import ChatInput, ChatRequest, Resume, RunOverrides, Start, ToolResults
from ..core.usage import Usage
from ..core.usage_limits import UsageLimits
from . import protocol as p

if TYPE_CHECKING:
    from .bindings.imports import types as wit
else:  # the module componentize-py generates inside the component
    from remi_guest_bindings.imports import types as wit

_ROLES = {
    wit.Role.SYSTEM: "system", wit.Role.USER: "user",
    wit.Role.ASSISTANT: "assistant", wit.Role.TOOL: "tool",
}
_WIT_ROLES = {name: role for role, name in _ROLES.items()}


def dumps(value: JsonValue) -> str:
    """JSON text of an open-ended payload."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Any:
    """An open-ended payload from its JSON text."""
    return json.loads(text)


# --- content and messages (both directions) -------------------------------------------------


def content_in(value: wit.Content) -> Content:
    """Core content from WIT content."""
    if isinstance(value, wit.Content_Text):
        return value.value
    return [_part_in(part) for part in value.value]


def _part_in(part: wit.ContentPart) -> ContentPart:
    if isinstance(part, wit.ContentPart_Text):
        return core_content.TextPart(part.value)
    if isinstance(part, wit.ContentPart_ImageUrl):
        detail = part.value.detail
        return core_content.ImageUrlPart(part.value.url, detail)  # type: ignore[arg-type]
    if isinstance(part, wit.ContentPart_ImageBase64):
        return core_content.ImageBase64Part(part.value.data, part.value.media_type)
    if isinstance(part, wit.ContentPart_Audio):
        return core_content.AudioPart(part.value.data, part.value.format)
    return core_content.FilePart(part.value.data, part.value.media_type, part.value.filename)


def content_out(value: Content) -> wit.Content:
    """WIT content from core content."""
    if isinstance(value, str):
        return wit.Content_Text(value)
    return wit.Content_Parts([_part_out(part) for part in value])


def _part_out(part: ContentPart) -> wit.ContentPart:
    if isinstance(part, core_content.TextPart):
        return wit.ContentPart_Text(part.text)
    if isinstance(part, core_content.ImageUrlPart):
        return wit.ContentPart_ImageUrl(wit.ImageUrl(part.url, part.detail))
    if isinstance(part, core_content.ImageBase64Part):
        return wit.ContentPart_ImageBase64(wit.InlineData(part.data, part.media_type))
    if isinstance(part, core_content.AudioPart):
        return wit.ContentPart_Audio(wit.Audio(part.data, part.format))
    return wit.ContentPart_File(wit.File(part.data, part.media_type, part.filename))


def message_in(value: wit.Message) -> Message:
    """A core message from a WIT one."""
    return Message(
        _ROLES[value.role],  # type: ignore[arg-type]
        content_in(value.content),
        [ToolCallRequest(c.id, c.name, c.arguments) for c in value.tool_calls],
        value.tool_call_id, value.name, value.reasoning, MessageId(value.id),
        reasoning_data=value.reasoning_data, is_error=value.is_error,
    )


def message_out(value: Message) -> wit.Message:
    """A WIT message from a core one."""
    return wit.Message(
        value.id, _WIT_ROLES[value.role], content_out(value.content),
        [wit.ToolCall(c.id, c.name, c.arguments) for c in value.tool_calls],
        value.tool_call_id, value.name, value.reasoning, value.reasoning_data, value.is_error,
    )


def tool_definition_in(value: wit.ToolDefinition) -> ToolDefinition:
    """A core tool definition from a WIT one."""
    return ToolDefinition(value.name, value.description, loads(value.parameters_json))


def tool_definition_out(value: ToolDefinition) -> wit.ToolDefinition:
    """A WIT tool definition from a core one."""
    return wit.ToolDefinition(value.name, value.description, dumps(value.parameters))


def _usage_out(value: Usage) -> wit.Usage:
    return wit.Usage(
        value.prompt_tokens, value.completion_tokens, value.cached_tokens, value.reasoning_tokens,
        value.cache_write_tokens,
    )


# --- host to guest ----------------------------------------------------------------------------


def chat_request_in(value: wit.ChatRequest) -> ChatRequest:
    """The core request of a run."""
    source = value.input
    action: ChatInput
    if isinstance(source, wit.ChatInput_Start):
        action = Start([message_in(m) for m in source.value])
    elif isinstance(source, wit.ChatInput_Resume):
        action = Resume(RunId(source.value.run_id), loads(source.value.payloads_json))
    else:
        results = [
            ToolOutcome(r.call_id, content_in(r.content), r.is_error, r.name)
            for r in source.value.results
        ]
        action = ToolResults(RunId(source.value.run_id), results)
    overrides = value.overrides
    return ChatRequest(
        action,
        thread_id=None if value.thread_id is None else ThreadId(value.thread_id),
        tools=[tool_definition_in(d) for d in value.tools],
        metadata=loads(value.metadata_json),
        overrides=RunOverrides(
            overrides.model, overrides.temperature, overrides.max_tokens,
            _limits_in(overrides.usage_limits),
        ),
    )


def reply_in(value: wit.Reply) -> p.Reply:
    """The core form of the host's reply."""
    if isinstance(value, wit.Reply_ModelChunk):
        return p.ModelChunkReply(_chunk_in(value.value))
    if isinstance(value, wit.Reply_ModelEnd):
        return p.ModelEnd()
    if isinstance(value, wit.Reply_ToolOutput):
        out = value.value
        return p.ToolOutput(content_in(out.content), out.is_error, loads(out.state_json))
    if isinstance(value, wit.Reply_ToolInterrupt):
        stop = value.value
        return p.ToolInterruptReply(stop.kind, loads(stop.payload_json), loads(stop.state_json))
    if isinstance(value, wit.Reply_Checkpoint):
        return p.CheckpointReply(value.value)
    if isinstance(value, wit.Reply_Messages):
        return p.MessagesReply([message_in(m) for m in value.value])
    if isinstance(value, wit.Reply_Ack):
        return p.Ack()
    return p.Failure(value.value.code, value.value.message)


def _chunk_in(value: wit.ModelChunk) -> ModelChunk:
    if isinstance(value, wit.ModelChunk_Text):
        return TextChunk(value.value)
    if isinstance(value, wit.ModelChunk_Thinking):
        return ThinkingChunk(value.value.text, data=value.value.data)
    if isinstance(value, wit.ModelChunk_ToolCall):
        call = value.value
        return ToolCallChunk(call.index, call.id, call.name, call.arguments)
    report = value.value
    return UsageChunk(_usage_in(report.usage), report.model)


def _usage_in(value: wit.Usage) -> Usage:
    return Usage(
        value.prompt_tokens, value.completion_tokens, value.cached_tokens,
        value.reasoning_tokens, value.cache_write_tokens,
    )


def _limits_in(value: wit.UsageLimits | None) -> UsageLimits | None:
    if value is None:
        return None
    return UsageLimits(
        value.requests, value.input_tokens, value.output_tokens, value.total_tokens,
        value.tool_calls,
    )


def guest_config_in(value: wit.GuestConfig) -> p.GuestConfig:
    """The configuration the host grants."""
    return p.GuestConfig(value.model, loads(value.options_json), value.api_key)


# --- guest to host ----------------------------------------------------------------------------


def output_out(value: p.Output) -> wit.Output:
    """The WIT form of one step's output."""
    if isinstance(value, p.EventOut):
        return wit.Output_Event(event_out(value.event))
    if isinstance(value, p.RequestOut):
        return wit.Output_Request(wit.Pending(value.id, _request_out(value.request), value.busy))
    if isinstance(value, p.Waiting):
        return wit.Output_Waiting(wit.Wait(value.timeout))
    return wit.Output_Finished()


def _request_out(value: p.HostRequest) -> wit.HostRequest:
    if isinstance(value, p.ModelNext):
        return wit.HostRequest_ModelNext(value.call)
    if isinstance(value, p.ModelCall):
        return wit.HostRequest_ModelCall(_model_request_out(value.request))
    if isinstance(value, p.ModelClose):
        return wit.HostRequest_ModelClose(value.call)
    if isinstance(value, p.HostToolCall):
        return wit.HostRequest_ToolCall(wit.HostToolCall(
            value.call_id, value.name, value.arguments, value.resumed,
            dumps(value.resume_value), dumps(value.state),
        ))
    if isinstance(value, p.LoadCheckpoint):
        return wit.HostRequest_LoadCheckpoint(value.run_id)
    if isinstance(value, p.SaveCheckpoint):
        return wit.HostRequest_SaveCheckpoint(value.checkpoint_json)
    if isinstance(value, p.LoadThread):
        return wit.HostRequest_LoadThread(value.thread_id)
    return wit.HostRequest_AppendThread(
        wit.ThreadMessages(value.thread_id, [message_out(m) for m in value.messages])
    )


def _model_request_out(value: ModelRequest) -> wit.ModelRequest:
    return wit.ModelRequest(
        [message_out(m) for m in value.messages],
        [tool_definition_out(d) for d in value.tools],
        value.model, value.temperature, value.max_tokens, dumps(value.extra),
    )


def agent_info_out(value: p.AgentInfo) -> wit.AgentInfo:
    """The WIT form of the guest's description."""
    return wit.AgentInfo(
        value.name, wit.Version(*value.api_version), value.sdk_version,
        [tool_definition_out(d) for d in value.tools], value.system,
    )


def event_out(value: ev.AgentEvent) -> wit.Event:
    """The WIT form of a core event (one case per event type)."""
    kind = type(value)
    if kind is ev.TextDelta:
        return wit.Event_TextDelta(value.text)  # type: ignore[union-attr]
    return _EVENTS[kind](value)  # type: ignore[no-any-return]


def _interrupt_info(i: ev.InterruptInfo) -> wit.InterruptInfo:
    return wit.InterruptInfo(i.interrupt_id, i.call_id, i.tool_name, i.kind, dumps(i.payload),
                             i.arguments)


_EVENTS: dict[type, Any] = {
    ev.RunStart: lambda e: wit.Event_RunStart(
        wit.RunStart(e.run_id, e.thread_id, dumps(e.metadata), e.started_at)),
    ev.RunResumed: lambda e: wit.Event_RunResumed(
        wit.RunResumed(e.run_id, e.thread_id, e.turn, e.started_at)),
    ev.TurnStart: lambda e: wit.Event_TurnStart(e.turn),
    ev.ThinkingDelta: lambda e: wit.Event_ThinkingDelta(e.text),
    ev.ToolCallStart: lambda e: wit.Event_ToolCallStart(wit.ToolCallStart(e.call_id, e.name)),
    ev.ToolCallArgsDelta: lambda e: wit.Event_ToolCallArgsDelta(
        wit.ToolCallArgsDelta(e.call_id, e.delta)),
    ev.ToolCallReady: lambda e: wit.Event_ToolCallReady(
        wit.ToolCall(e.call_id, e.name, e.arguments)),
    ev.ToolProgress: lambda e: wit.Event_ToolProgress(
        wit.ToolProgress(e.call_id, e.name, dumps(e.data))),
    ev.ToolResult: lambda e: wit.Event_ToolResult(
        wit.ToolResult(e.call_id, e.name, content_out(e.content), e.is_error)),
    ev.NeedToolExecution: lambda e: wit.Event_NeedToolExecution(wit.NeedToolExecution(
        e.run_id, [wit.ToolCall(c.id, c.name, c.arguments) for c in e.calls])),
    ev.InterruptEvent: lambda e: wit.Event_Interrupt(
        wit.Interrupt(e.run_id, [_interrupt_info(i) for i in e.interrupts])),
    ev.InterruptAnswered: lambda e: wit.Event_InterruptAnswered(wit.InterruptAnswered(
        e.run_id, e.interrupt_id, e.call_id, e.tool_name, e.kind, e.decision, dumps(e.answer),
        e.rule)),
    ev.CheckpointEvent: lambda e: wit.Event_Checkpoint(
        wit.Checkpoint(e.checkpoint_id, e.run_id, e.sequence, e.status)),
    ev.UsageEvent: lambda e: wit.Event_Usage(wit.UsageReport(_usage_out(e.usage), e.model)),
    ev.ModelRetry: lambda e: wit.Event_ModelRetry(
        wit.ModelRetry(e.attempt, e.max_retries, e.delay, e.reason)),
    ev.TurnEnd: lambda e: wit.Event_TurnEnd(e.turn),
    ev.SubSession: lambda e: wit.Event_SubSession(
        wit.SubSession(e.parent_call_id, e.agent_name, e.sub_run_id, dumps(e.event))),
    ev.Custom: lambda e: wit.Event_Custom(wit.Custom(e.name, dumps(e.data))),
    ev.ErrorEvent: lambda e: wit.Event_Error(wit.Error(e.code, e.message)),
    ev.Cancelled: lambda e: wit.Event_Cancelled(wit.Cancelled(e.run_id, e.partial_text)),
    ev.Done: lambda e: wit.Event_Done(wit.Done(
        e.run_id, e.text, _usage_out(e.usage), None if e.output is None else dumps(e.output))),
}
