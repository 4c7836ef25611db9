"""docs/protocol.md stays true: every example parses with the adapters the server and the
client use, every request and event type has one, and every error code is documented."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

from remi_web import AgentEvent, event_from_json
from remi_web.core.requests import CHAT_REQUEST_ADAPTER, ChatInput
from remi_web.http.sse import decode_events
from remi_web.remote.protocol import ERROR_BODY_ADAPTER, RUN_INFO_ADAPTER

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "protocol.md").read_text()
EXAMPLE = re.compile(r"<!-- example: ([\w-]+)(?: (\w+))? -->\n```(\w+)\n(.*?)\n```", re.DOTALL)
EXAMPLES = [(m.group(1), m.group(2), m.group(4)) for m in EXAMPLE.finditer(DOC)]


def union_tags(union: object) -> set[str]:
    """The `type` tags of a discriminated union's members."""
    members = typing.get_args(typing.get_args(union)[0])
    return {cls.__dataclass_fields__["type"].default for cls in members}


def test_every_event_type_has_a_valid_example_framed_as_the_server_frames_it() -> None:
    seen: set[str] = set()
    streams = [body for kind, _, body in EXAMPLES if kind == "stream"]
    assert streams
    for body in streams:
        frames = decode_events([(body + "\n\n").encode()])
        ids = [int(frame.id or "0") for frame in frames]
        assert ids == list(range(ids[0], ids[0] + len(ids))), "ids count up within a stream"
        for frame in frames:
            event = event_from_json(frame.data)
            assert frame.event == event.type
            seen.add(event.type)
        terminal = [f for f in frames if f.event in ("done", "interrupt", "need_tool_execution",
                                                     "error", "cancelled")]
        assert [f.event for f in terminal] == [frames[-1].event], "one terminal event, last"
    assert seen == union_tags(AgentEvent)


def test_every_request_example_is_a_valid_chat_request_on_its_endpoint() -> None:
    requests = {name: body for kind, name, body in EXAMPLES if kind == "request"}
    assert set(requests) == {"start", "resume", "tool_results", "cancel", "status", "events", "health"}
    inputs: set[str] = set()
    for name, text in requests.items():
        head, _, body = text.partition("\n\n")
        method, path, _ = head.splitlines()[0].split(" ")
        if name in ("start", "resume", "tool_results"):
            request = CHAT_REQUEST_ADAPTER().validate_json(body)
            assert request.input.type == name
            inputs.add(request.input.type)
            expected = "/v1/runs" if name == "start" else (
                f"/v1/runs/{request.input.run_id}/{name.replace('_', '-')}"  # type: ignore[union-attr]
            )
            assert (method, path) == ("POST", expected)
        elif name == "cancel":
            assert method == "POST" and path.endswith("/cancel") and json.loads(body) == {}
        else:
            assert method == "GET" and not body
    assert inputs == union_tags(ChatInput)


def test_the_status_and_error_documents_parse() -> None:
    (info,) = [body for kind, _, body in EXAMPLES if kind == "run-info"]
    assert RUN_INFO_ADAPTER().validate_json(info).pending_interrupts[0].token
    (error,) = [body for kind, _, body in EXAMPLES if kind == "error"]
    assert ERROR_BODY_ADAPTER().validate_json(error).error.field == "input.messages.0.content"


def test_every_error_code_the_server_can_answer_is_documented() -> None:
    sources = "\n".join(
        path.read_text() for path in (ROOT / "src" / "remi_web" / "server").glob("*.py")
    )
    codes = set(re.findall(r'HttpProblem\(\s*\d+,\s*"(\w+)"', sources))
    codes |= set(re.findall(r'\d{3}: "(\w+)"', sources))  # routing errors (404, 405)
    assert {"invalid_json", "not_found", "approval_invalid", "unauthorized"} <= codes
    table = set(re.findall(r"^\| \d{3} \| (.+?) \|", DOC, re.MULTILINE))
    documented = {code for cell in table for code in re.findall(r"`(\w+)`", cell)}
    assert codes <= documented, sorted(codes - documented)


def test_the_thread_examples_parse() -> None:
    from remi_web.core.threads import fork_point, read_bundle
    from remi_web.remote.thread_protocol import (
        FORK_REQUEST_ADAPTER,
        THREAD_CREATED_ADAPTER,
        THREAD_INFO_ADAPTER,
    )

    requests = {name: body for kind, name, body in EXAMPLES if kind == "thread-request"}
    assert set(requests) == {"read", "fork"}
    assert requests["read"].startswith("GET /v1/threads/thread-42 ")
    head, _, body = requests["fork"].partition("\n\n")
    assert head.startswith("POST /v1/threads/thread-42/fork ")
    fork = FORK_REQUEST_ADAPTER().validate_json(body)
    (info,) = [body for kind, _, body in EXAMPLES if kind == "thread-info"]
    messages = THREAD_INFO_ADAPTER().validate_json(info).messages
    (created,) = [body for kind, _, body in EXAMPLES if kind == "thread-created"]
    assert fork.at is not None
    assert THREAD_CREATED_ADAPTER().validate_json(created).messages == fork_point(messages, fork.at)
    (bundle,) = [body for kind, _, body in EXAMPLES if kind == "thread-bundle"]
    assert read_bundle(json.loads(bundle))[1] == messages
