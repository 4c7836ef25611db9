"""Both sides of the boundary agree: every event, request and reply survives the guest's codec
and the host's, and the committed bindings match the WIT."""

from __future__ import annotations

import dataclasses
import enum
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import pytest
from wasmtime.component import Record, Variant

from remi_web import AgentEvent, ChatRequest, Message, ToolOutcome
from remi_web.core.ids import RunId
from remi_web.core import events as ev
from remi_web.core.content import AudioPart, FilePart, ImageBase64Part, ImageUrlPart, TextPart
from remi_web.core.ids import CheckpointId, InterruptId, ThreadId
from remi_web.core.messages import ToolCallRequest
from remi_web.core.model_io import (
    ModelRequest,
    TextChunk,
    ThinkingChunk,
    ToolCallChunk,
    ToolDefinition,
    UsageChunk,
)
from remi_web.core.requests import Resume, RunOverrides, Start
from remi_web.core.usage_limits import UsageLimits
from remi_web.core.usage import Usage
from remi_web.guest import protocol as p
from remi_web.guest.toolchain import BINDINGS_MODULE, generate_bindings
from remi_web.wasm import values

RUN = RunId("run-1")
PARTS = [TextPart("look"), ImageUrlPart("https://x/y.png", "low"), ImageBase64Part("aGk=", "image/gif"),
         AudioPart("AAA=", "mp3"), FilePart("JVBE", "application/pdf", "a.pdf")]
MESSAGE = Message("assistant", PARTS, [ToolCallRequest("c1", "add", '{"a":1}')], None, "bot",
                  "because")
EVENTS: list[AgentEvent] = [
    ev.RunStart(RUN, ThreadId("t"), {"k": [1, "é"]}, 12.5),
    ev.RunResumed(RUN, ThreadId("t"), 3, 12.5),
    ev.TurnStart(2),
    ev.TextDelta("héllo"),
    ev.ThinkingDelta("hmm"),
    ev.ToolCallStart("c1", "add"),
    ev.ToolCallArgsDelta("c1", '{"a"'),
    ev.ToolCallReady("c1", "add", '{"a":1}'),
    ev.ToolProgress("c1", "add", {"step": 1}),
    ev.ToolResult("c1", "add", PARTS, True),
    ev.NeedToolExecution(RUN, [ToolCallRequest("c2", "ext", "{}")]),
    ev.InterruptEvent(RUN, [ev.InterruptInfo(InterruptId("i1"), "c1", "pub", "approval",
                                             {"tool": "pub"}, '{"x":1}')]),
    ev.InterruptAnswered(RUN, InterruptId("i2"), "c3", "read_file", "approval", "approve",
                         {"approved": True}, "approve tool=read_file"),
    ev.CheckpointEvent(CheckpointId("k1"), RUN, 4, "interrupted"),
    ev.UsageEvent(Usage(10, 20)),
    ev.UsageEvent(Usage(10, 20), "gpt-fallback"),
    ev.UsageEvent(Usage(100, 20, cached_tokens=64, reasoning_tokens=12, cache_write_tokens=30)),
    ev.ModelRetry(2, 4, 1.5, "the provider failed (HTTP 503)"),
    ev.TurnEnd(2),
    ev.SubSession("c1", "helper", RunId("sub"), {"type": "text_delta", "text": "x"}),
    ev.Custom("note", [1, 2]),
    ev.ErrorEvent("model_error", "boom"),
    ev.Cancelled(RUN, "part"),
    ev.Done(RUN, "ok", Usage(1, 2)),
    ev.Done(RUN, "", Usage(1, 2), {"name": "Paris", "tags": ["é", 1, None]}),
]


@pytest.fixture(scope="module")
def codec(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The guest's codec, on bindings generated as a component would have them."""
    root = tmp_path_factory.mktemp("bindings")
    generate_bindings(root, BINDINGS_MODULE)
    sys.path.insert(0, str(root))
    from remi_web.guest import codec as guest_codec

    return guest_codec


@pytest.fixture(scope="module")
def wit(codec: ModuleType) -> ModuleType:
    """The generated `types` bindings."""
    from remi_guest_bindings.imports import types

    return types


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name).lstrip("-")


def to_host(value: Any) -> Any:
    """A binding value as wasmtime hands it to the host (records, tagged variants, enums
    as strings; `content` untagged)."""
    if isinstance(value, enum.Enum):
        return value.name.lower().replace("_", "-")
    if isinstance(value, list):
        return [to_host(item) for item in value]
    if not dataclasses.is_dataclass(value):
        return value
    name = type(value).__name__
    if "_" in name:
        variant, case = name.split("_", 1)
        payload = to_host(value.value) if hasattr(value, "value") else None
        if variant == "Content":
            return payload
        return Variant(_kebab(case), payload)
    out = Record()
    for field in dataclasses.fields(value):
        setattr(out, field.name.replace("_", "-"), to_host(getattr(value, field.name)))
    return out


def to_guest(value: Any, hint: Any, wit: ModuleType) -> Any:
    """A host value (as the host's codec builds it) as the guest's bindings receive it."""
    origin = typing.get_origin(hint)
    args = get_args(hint)
    if origin is typing.Union and type(None) in args:
        return None if value is None else to_guest(value, next(a for a in args if a is not type(None)), wit)
    if origin is list:
        return [to_guest(item, args[0], wit) for item in value]
    if origin is typing.Union:  # a variant
        if not isinstance(value, Variant):  # `content`: str or list
            case = next(a for a in args if (a.__name__.endswith("Text")) == isinstance(value, str))
            return case(to_guest(value, typing.get_type_hints(case)["value"], wit))
        pascal = "".join(part.capitalize() for part in value.tag.split("-"))
        case = next(a for a in args if a.__name__.split("_", 1)[1] == pascal)
        if not dataclasses.fields(case):
            return case()
        return case(to_guest(value.payload, typing.get_type_hints(case)["value"], wit))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint[value.upper().replace("-", "_")]
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return hint(**{f.name: to_guest(getattr(value, f.name.replace("_", "-")), hints[f.name], wit)
                       for f in dataclasses.fields(hint)})
    return value


def test_every_event_type_is_covered() -> None:
    union = get_args(get_args(AgentEvent)[0])
    assert {type(e) for e in EVENTS} == set(union), (
        "an event type was added to the core: give it a case in wit/remi-agent.wit and in "
        "both codecs (remi_web.guest.codec, remi_web.wasm.values)"
    )


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.type)
def test_events_cross_from_guest_to_host(codec: ModuleType, event: AgentEvent) -> None:
    assert values.event_in(to_host(codec.event_out(event))) == event


REQUESTS: list[p.HostRequest] = [
    p.ModelCall(ModelRequest([Message.system("be brief"), MESSAGE], [ToolDefinition("add", "Add.")],
                             "m", 0.5, 100, {"seed": 1})),
    p.ModelNext(7),
    p.ModelClose(7),
    p.HostToolCall("c1", "lookup", '{"q":1}', True, {"approved": True}, {"n": 2}),
    p.LoadCheckpoint("run-1"),
    p.SaveCheckpoint('{"id":"x"}'),
    p.LoadThread("t"),
    p.AppendThread("t", [Message.user("hi"), MESSAGE]),
    p.AppendThread("t", [Message.assistant("a", reasoning="r", reasoning_data="sig-1"),
                         Message.tool("c1", "disk on fire", "rm", is_error=True)]),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: type(r).__name__)
def test_requests_cross_from_guest_to_host(codec: ModuleType, request_: p.HostRequest) -> None:
    out = p.RequestOut(3, request_, busy=True)
    assert values.output_in(to_host(codec.output_out(out))) == out


def test_other_outputs_cross(codec: ModuleType) -> None:
    for out in (p.Waiting(0.25), p.Waiting(None), p.Finished(), p.EventOut(ev.TurnEnd(1))):
        assert values.output_in(to_host(codec.output_out(out))) == out


REPLIES: list[p.Reply] = [
    p.ModelChunkReply(TextChunk("a")),
    p.ModelChunkReply(ThinkingChunk("b")),
    p.ModelChunkReply(ThinkingChunk("", data='{"openai_responses": "sealed"}')),
    p.ModelChunkReply(ToolCallChunk(0, "c1", "add", '{"a"')),
    p.ModelChunkReply(ToolCallChunk(1, None, None, "1}")),
    p.ModelChunkReply(UsageChunk(Usage(3, 4))),
    p.ModelChunkReply(UsageChunk(Usage(3, 4), "gpt-fallback")),
    p.ModelChunkReply(UsageChunk(Usage(9, 4, cached_tokens=5, reasoning_tokens=2, cache_write_tokens=1))),
    p.MessagesReply([
        Message.assistant("a", reasoning="r", reasoning_data="sig-1"),
        Message.tool("c1", "disk on fire", "rm", is_error=True),
    ]),
    p.ModelEnd(),
    p.ToolOutput(PARTS, True, {"k": 1}),
    p.ToolOutput("plain", False, {}),
    p.ToolInterruptReply("approval", {"tool": "x"}, {"n": 1}),
    p.CheckpointReply('{"id":"x"}'),
    p.CheckpointReply(None),
    p.MessagesReply([Message.user("hi"), MESSAGE]),
    p.Ack(),
    p.Failure("rate_limited", "slow down"),
]


@pytest.mark.parametrize("reply", REPLIES, ids=lambda r: type(r).__name__)
def test_replies_cross_from_host_to_guest(codec: ModuleType, wit: ModuleType, reply: p.Reply) -> None:
    assert codec.reply_in(to_guest(values.reply_out(reply), wit.Reply, wit)) == reply


@pytest.mark.parametrize("request_", [
    ChatRequest(Start([Message.user(PARTS), Message.user("plain")]), thread_id=ThreadId("t"),
                tools=[ToolDefinition("ext", "External.", {"type": "object"})],
                metadata={"user": "ann"}),
    ChatRequest.resume(RUN, {"i1": {"approved": True}}),
    ChatRequest(Resume(RUN, {}), overrides=RunOverrides(
        "m", 0.5, 100, UsageLimits(requests=3, input_tokens=None, total_tokens=900, tool_calls=0))),
    ChatRequest.tool_results(RUN, [ToolOutcome("c2", "done", False, "ext"),
                                   ToolOutcome("c3", PARTS, True, "ext")]),
], ids=["start", "resume", "tool_results", "resume_with_limits"])
def test_chat_requests_cross_from_host_to_guest(
    codec: ModuleType, wit: ModuleType, request_: ChatRequest
) -> None:
    lowered = values.chat_request_out(request_, request_.metadata)
    assert codec.chat_request_in(to_guest(lowered, wit.ChatRequest, wit)) == request_


def test_the_committed_bindings_match_the_wit(tmp_path: Path) -> None:
    generate_bindings(tmp_path, "remi_web.guest.bindings")
    fresh = tmp_path / "remi_web" / "guest" / "bindings"
    committed = Path(__file__).resolve().parents[2] / "src" / "remi_web" / "guest" / "bindings"
    names = sorted(str(f.relative_to(fresh)) for f in fresh.rglob("*.py"))
    assert names == sorted(str(f.relative_to(committed)) for f in committed.rglob("*.py"))
    for name in names:
        assert (fresh / name).read_text() == (committed / name).read_text(), (
            f"src/remi_web/guest/bindings/{name} is stale: regenerate it with "
            "remi_web.guest.toolchain.generate_bindings(Path('src'), 'remi_web.guest.bindings')"
        )
