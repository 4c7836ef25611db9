"""Host side of the boundary: the core's objects to wasmtime component values and back.

wasmtime-py passes records as objects with kebab-case attributes (`Record`), variants as
`Variant(tag, payload)`, enums as strings and options as None or the value. A variant whose
cases all map to different Python classes comes untagged: here only `content` (a `str` or a
`list`). The guest's mirror of this file is `remi_web.guest.codec`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..core.schema_types import JsonValue
from wasmtime.component import Record, Variant

from ..core import content as core_content
from ..core import events as ev
from ..core.content import Content, ContentPart
from ..core.ids import CheckpointId, InterruptId, RunId, ThreadId
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
from ..core.requests import ChatRequest, Resume, Start
from ..core.usage import Usage
from ..core.usage_limits import UsageLimits
from ..guest import protocol as p


def dumps(value: JsonValue) -> str:
    """JSON text of an open-ended payload."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def record(**fields: object) -> Record:
    """A WIT record value; keyword names are the WIT names with `_` for `-`."""
    value = Record()
    for name, item in fields.items():
        setattr(value, name.replace("_", "-"), item)
    return value


def _f(value: Any, name: str) -> Any:
    """Field `name` (kebab-case) of a lifted record."""
    return getattr(value, name)


def _payload(value: Variant) -> Any:
    return value.payload


# --- host to guest ----------------------------------------------------------------------------


def content_out(value: Content) -> object:
    """WIT content (untagged: a `str`, or a list of tagged parts)."""
    if isinstance(value, str):
        return value
    return [_part_out(part) for part in value]


def _part_out(part: ContentPart) -> Variant:
    if isinstance(part, core_content.TextPart):
        return Variant("text", part.text)
    if isinstance(part, core_content.ImageUrlPart):
        return Variant("image-url", record(url=part.url, detail=part.detail))
    if isinstance(part, core_content.ImageBase64Part):
        return Variant("image-base64", record(data=part.data, media_type=part.media_type))
    if isinstance(part, core_content.AudioPart):
        return Variant("audio", record(data=part.data, format=part.format))
    return Variant("file", record(data=part.data, media_type=part.media_type,
                                  filename=part.filename))


def message_out(value: Message) -> Record:
    """A WIT message."""
    return record(
        id=value.id, role=value.role, content=content_out(value.content),
        tool_calls=[_call_out(c) for c in value.tool_calls], tool_call_id=value.tool_call_id,
        name=value.name, reasoning=value.reasoning, reasoning_data=value.reasoning_data,
        is_error=value.is_error,
    )


def _call_out(call: ToolCallRequest) -> Record:
    return record(id=call.id, name=call.name, arguments=call.arguments)


def tool_definition_out(value: ToolDefinition) -> Record:
    """A WIT tool definition."""
    return record(name=value.name, description=value.description,
                  parameters_json=dumps(value.parameters))


def _usage_out(value: Usage) -> Record:
    return record(
        prompt_tokens=value.prompt_tokens, completion_tokens=value.completion_tokens,
        cached_tokens=value.cached_tokens, reasoning_tokens=value.reasoning_tokens,
        cache_write_tokens=value.cache_write_tokens,
    )


def chat_request_out(value: ChatRequest, metadata: dict[str, JsonValue]) -> Record:
    """The WIT chat request (with `metadata` in place of the request's own)."""
    action = value.input
    if isinstance(action, Start):
        source = Variant("start", [message_out(m) for m in action.messages])
    elif isinstance(action, Resume):
        source = Variant("resume", record(run_id=action.run_id,
                                          payloads_json=dumps(action.payloads)))
    else:
        results = [
            record(call_id=r.call_id, content=content_out(r.content), is_error=r.is_error,
                   name=r.name)
            for r in action.results
        ]
        source = Variant("tool-results", record(run_id=action.run_id, results=results))
    overrides = value.overrides
    return record(
        input=source, thread_id=value.thread_id,
        tools=[tool_definition_out(d) for d in value.tools], metadata_json=dumps(metadata),
        overrides=record(model=overrides.model, temperature=overrides.temperature,
                         max_tokens=overrides.max_tokens,
                         usage_limits=_limits_out(overrides.usage_limits)),
    )


def reply_out(value: p.Reply) -> Variant:
    """The WIT reply to a guest's request."""
    if isinstance(value, p.ModelChunkReply):
        return Variant("model-chunk", _chunk_out(value.chunk))
    if isinstance(value, p.ModelEnd):
        return Variant("model-end")
    if isinstance(value, p.ToolOutput):
        return Variant("tool-output", record(content=content_out(value.content),
                                             is_error=value.is_error,
                                             state_json=dumps(value.state)))
    if isinstance(value, p.ToolInterruptReply):
        return Variant("tool-interrupt", record(kind=value.kind, payload_json=dumps(value.payload),
                                                state_json=dumps(value.state)))
    if isinstance(value, p.CheckpointReply):
        return Variant("checkpoint", value.checkpoint_json)
    if isinstance(value, p.MessagesReply):
        return Variant("messages", [message_out(m) for m in value.messages])
    if isinstance(value, p.Ack):
        return Variant("ack")
    return Variant("failure", record(code=value.code, message=value.message))


def _chunk_out(chunk: ModelChunk) -> Variant:
    kind = type(chunk)
    if kind is TextChunk:
        return Variant("text", chunk.text)  # type: ignore[union-attr]
    if kind is ThinkingChunk:
        return Variant("thinking", record(text=chunk.text, data=chunk.data))  # type: ignore[union-attr]
    if isinstance(chunk, ToolCallChunk):
        return Variant("tool-call", record(index=chunk.index, id=chunk.id, name=chunk.name,
                                           arguments=chunk.arguments))
    assert isinstance(chunk, UsageChunk)
    return Variant("usage", record(usage=_usage_out(chunk.usage), model=chunk.model))


def _limits_out(value: UsageLimits | None) -> Record | None:
    if value is None:
        return None
    return record(requests=value.requests, input_tokens=value.input_tokens,
                  output_tokens=value.output_tokens, total_tokens=value.total_tokens,
                  tool_calls=value.tool_calls)


def guest_config_out(value: p.GuestConfig) -> Record:
    """The WIT guest configuration."""
    return record(model=value.model, options_json=dumps(value.options), api_key=value.api_key)


# --- guest to host ----------------------------------------------------------------------------


def content_in(value: Any) -> Content:
    """Core content from WIT content."""
    if isinstance(value, str):
        return value
    return [_part_in(part) for part in value]


def _part_in(part: Variant) -> ContentPart:
    tag, payload = part.tag, _payload(part)
    if tag == "text":
        return core_content.TextPart(payload)
    if tag == "image-url":
        return core_content.ImageUrlPart(payload.url, payload.detail)
    if tag == "image-base64":
        return core_content.ImageBase64Part(payload.data, _f(payload, "media-type"))
    if tag == "audio":
        return core_content.AudioPart(payload.data, payload.format)
    return core_content.FilePart(payload.data, _f(payload, "media-type"), payload.filename)


def message_in(value: Any) -> Message:
    """A core message from a WIT one."""
    return Message(
        value.role, content_in(value.content),
        [ToolCallRequest(c.id, c.name, c.arguments) for c in _f(value, "tool-calls")],
        _f(value, "tool-call-id"), value.name, value.reasoning, value.id,
        reasoning_data=_f(value, "reasoning-data"), is_error=_f(value, "is-error"),
    )


def tool_definition_in(value: Any) -> ToolDefinition:
    """A core tool definition from a WIT one."""
    return ToolDefinition(value.name, value.description, json.loads(_f(value, "parameters-json")))


def _usage_in(value: Any) -> Usage:
    return Usage(
        _f(value, "prompt-tokens"), _f(value, "completion-tokens"), _f(value, "cached-tokens"),
        _f(value, "reasoning-tokens"), _f(value, "cache-write-tokens"),
    )


def output_in(value: Variant) -> p.Output:
    """One step's output, from its WIT form."""
    tag, payload = value.tag, _payload(value)
    if tag == "event":
        return p.EventOut(event_in(payload))
    if tag == "request":
        return p.RequestOut(payload.id, _request_in(payload.request), payload.busy)
    if tag == "waiting":
        return p.Waiting(payload.timeout)
    return p.Finished()


def _request_in(value: Variant) -> p.HostRequest:
    tag, payload = value.tag, _payload(value)
    if tag == "model-next":
        return p.ModelNext(payload)
    if tag == "model-call":
        return p.ModelCall(ModelRequest(
            [message_in(m) for m in payload.messages],
            [tool_definition_in(d) for d in payload.tools],
            payload.model, payload.temperature, _f(payload, "max-tokens"),
            json.loads(_f(payload, "extra-json")),
        ))
    if tag == "model-close":
        return p.ModelClose(payload)
    if tag == "tool-call":
        return p.HostToolCall(
            _f(payload, "call-id"), payload.name, payload.arguments, payload.resumed,
            json.loads(_f(payload, "resume-value-json")), json.loads(_f(payload, "state-json")),
        )
    if tag == "load-checkpoint":
        return p.LoadCheckpoint(payload)
    if tag == "save-checkpoint":
        return p.SaveCheckpoint(payload)
    if tag == "load-thread":
        return p.LoadThread(payload)
    return p.AppendThread(_f(payload, "thread-id"), [message_in(m) for m in payload.messages])


def agent_info_in(value: Any) -> p.AgentInfo:
    """The guest's description, from its WIT form."""
    version = _f(value, "api-version")
    return p.AgentInfo(
        value.name, (version.major, version.minor, version.patch), _f(value, "sdk-version"),
        [tool_definition_in(d) for d in value.tools], value.system,
    )


def event_in(value: Variant) -> ev.AgentEvent:
    """A core event from its WIT form."""
    if value.tag == "text-delta":
        return ev.TextDelta(_payload(value))
    return _EVENTS[value.tag](_payload(value))


def _interrupt_info(i: Any) -> ev.InterruptInfo:
    return ev.InterruptInfo(
        InterruptId(_f(i, "interrupt-id")), _f(i, "call-id"), _f(i, "tool-name"), i.kind,
        json.loads(_f(i, "payload-json")), i.arguments,
    )


_EVENTS: dict[str, Callable[[Any], ev.AgentEvent]] = {
    "run-start": lambda e: ev.RunStart(
        RunId(_f(e, "run-id")), ThreadId(_f(e, "thread-id")), json.loads(_f(e, "metadata-json")),
        _f(e, "started-at")),
    "run-resumed": lambda e: ev.RunResumed(
        RunId(_f(e, "run-id")), ThreadId(_f(e, "thread-id")), e.turn, _f(e, "started-at")),
    "turn-start": lambda e: ev.TurnStart(e),
    "thinking-delta": lambda e: ev.ThinkingDelta(e),
    "tool-call-start": lambda e: ev.ToolCallStart(_f(e, "call-id"), e.name),
    "tool-call-args-delta": lambda e: ev.ToolCallArgsDelta(_f(e, "call-id"), e.delta),
    "tool-call-ready": lambda e: ev.ToolCallReady(e.id, e.name, e.arguments),
    "tool-progress": lambda e: ev.ToolProgress(
        _f(e, "call-id"), e.name, json.loads(_f(e, "data-json"))),
    "tool-result": lambda e: ev.ToolResult(
        _f(e, "call-id"), e.name, content_in(e.content), _f(e, "is-error")),
    "need-tool-execution": lambda e: ev.NeedToolExecution(
        RunId(_f(e, "run-id")), [ToolCallRequest(c.id, c.name, c.arguments) for c in e.calls]),
    "interrupt": lambda e: ev.InterruptEvent(
        RunId(_f(e, "run-id")), [_interrupt_info(i) for i in e.interrupts]),
    "interrupt-answered": lambda e: ev.InterruptAnswered(
        RunId(_f(e, "run-id")), InterruptId(_f(e, "interrupt-id")), _f(e, "call-id"),
        _f(e, "tool-name"), e.kind, e.decision, json.loads(_f(e, "answer-json")), e.rule),
    "checkpoint": lambda e: ev.CheckpointEvent(
        CheckpointId(_f(e, "checkpoint-id")), RunId(_f(e, "run-id")), e.sequence, e.status),
    "usage": lambda e: ev.UsageEvent(_usage_in(e.usage), e.model),
    "model-retry": lambda e: ev.ModelRetry(e.attempt, _f(e, "max-retries"), e.delay, e.reason),
    "turn-end": lambda e: ev.TurnEnd(e),
    "sub-session": lambda e: ev.SubSession(
        _f(e, "parent-call-id"), _f(e, "agent-name"), RunId(_f(e, "sub-run-id")),
        json.loads(_f(e, "event-json"))),
    "custom": lambda e: ev.Custom(e.name, json.loads(_f(e, "data-json"))),
    "error": lambda e: ev.ErrorEvent(e.code, e.message),
    "cancelled": lambda e: ev.Cancelled(RunId(_f(e, "run-id")), _f(e, "partial-text")),
    "done": lambda e: ev.Done(
        RunId(_f(e, "run-id")), e.text, _usage_in(e.usage),
        None if _f(e, "output-json") is None else json.loads(_f(e, "output-json"))),
}
