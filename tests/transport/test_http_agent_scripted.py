"""`HttpAgent` against scripted HTTP answers: no sockets, so it also runs inside Pyodide.

Reading to the terminal event (never stopping at a checkpoint), approval tokens, reconnects
with `Last-Event-ID`, cancellation forwarded to the server, and typed refusals.
"""

from __future__ import annotations

import json

import pytest
from helpers import collect, types

from remi_web.remote import ApprovalRefused, RemoteAuthError, RemoteRefusal, RemoteUnavailable
from remi_web import (
    Cancelled,
    ChatCtx,
    ChatRequest,
    CheckpointEvent,
    Done,
    ErrorEvent,
    HttpAgent,
    InterruptEvent,
    InterruptInfo,
    RunNotFound,
    RunStart,
    RunResumed,
    TextDelta,
    TurnEnd,
    event_to_json,
)
from remi_web.core.events import AgentEvent
from remi_web.core.ids import CheckpointId, InterruptId, RunId, ThreadId
from remi_web.http import NetworkError
from remi_web.testing import ScriptedResponse, ScriptedTransport, Stall
from remi_web.http.sse import encode_event
from remi_web.remote.frames import event_frame
from remi_web.server.signing import ApprovalSigner

pytestmark = pytest.mark.pyodide

ROOT = "http://agents.test"
RUN = RunId("run-1")


def stream(*events: AgentEvent, start: int = 1, after: int = 0) -> ScriptedResponse:
    """A 200 run stream of `events`, numbered from `start`."""
    body = b"".join(event_frame(start + i, event) for i, event in enumerate(events))
    headers = {"content-type": "text/event-stream", "x-remi-run-id": RUN,
               "x-remi-stream-after": str(after)}
    return ScriptedResponse(200, headers, [body[i : i + 37] for i in range(0, len(body), 37)])


def error(status: int, code: str, message: str, field: str | None = None) -> ScriptedResponse:
    return ScriptedResponse.json(status, {"error": {"code": code, "message": message, "field": field}})


RUN_EVENTS: list[AgentEvent] = [
    RunStart(RUN, ThreadId("t")),
    TextDelta("Let me check. "),
    CheckpointEvent(CheckpointId("c1"), RUN, 1, "tools_executed"),
    TurnEnd(1),
    TextDelta("All good."),
    Done(RUN, "Let me check. All good."),
]


async def test_a_stream_is_read_to_its_terminal_event_not_to_the_first_checkpoint() -> None:
    transport = ScriptedTransport([stream(*RUN_EVENTS)])
    agent = HttpAgent(ROOT + "/v1/", "tok", transport=transport)
    ctx = ChatCtx()
    events = await collect(agent.chat(ChatRequest.user("hi", ThreadId("t")), ctx))
    assert events == RUN_EVENTS
    assert ctx.run_id == RUN and ctx.thread_id == "t"
    (sent,) = transport.requests
    assert (sent.method, sent.url) == ("POST", ROOT + "/v1/runs")
    assert sent.headers["authorization"] == "Bearer tok"
    assert sent.headers["accept"] == "text/event-stream"
    assert json.loads(sent.body or b"")["input"]["messages"][0]["content"] == "hi"
    assert transport.closed == 1
    assert "tok" not in repr(agent) and "tok" not in repr(sent)


async def test_frames_this_client_does_not_understand_are_skipped() -> None:
    odd = encode_event('{"type": "from_the_future"}', event="from_the_future", id="2")
    good = event_frame(1, RunStart(RUN, ThreadId("t")))
    rest = b"".join(event_frame(3 + i, e) for i, e in enumerate([TextDelta("x"), Done(RUN, "x")]))
    transport = ScriptedTransport([ScriptedResponse(200, {}, [good, odd, rest])])
    events = await collect(HttpAgent(ROOT, transport=transport).chat("hi"))
    assert types(events) == ["run_start", "text_delta", "done"]


def interrupt(token: str | None) -> InterruptEvent:
    info = InterruptInfo(InterruptId("i-1"), "call-1", "save_note", "approval", {}, "{}", token)
    return InterruptEvent(RUN, [info])


async def test_resume_presents_the_token_the_interrupt_came_with() -> None:
    transport = ScriptedTransport([
        stream(RunStart(RUN, ThreadId("t")), interrupt("v1.signed")),
        stream(RunResumed(RUN, ThreadId("t"), 1), Done(RUN, "saved"), start=3, after=2),
    ])
    agent = HttpAgent(ROOT, transport=transport)
    first = await collect(agent.chat("save it"))
    assert isinstance(first[-1], InterruptEvent) and first[-1].interrupts[0].token == "v1.signed"
    second = await collect(agent.chat(ChatRequest.resume(RUN, {"i-1": True})))
    assert isinstance(second[-1], Done)
    resume = transport.requests[1]
    assert resume.url == f"{ROOT}/v1/runs/{RUN}/resume"
    assert json.loads(resume.body or b"")["input"]["tokens"] == {"i-1": "v1.signed"}


async def test_a_new_client_fetches_the_tokens_from_the_run_status() -> None:
    status = {
        "run_id": RUN, "thread_id": "t", "status": "interrupted", "last_event_id": 2,
        "pending_interrupts": [json.loads(event_to_json(interrupt("v1.from-status")))["interrupts"][0]],
        "pending_tool_calls": [],
    }
    transport = ScriptedTransport([
        ScriptedResponse.json(200, status),
        stream(RunResumed(RUN, ThreadId("t"), 1), Done(RUN, "ok"), start=3, after=2),
    ])
    events = await collect(HttpAgent(ROOT, transport=transport).chat(
        ChatRequest.resume(RUN, {"i-1": {"approved": True}})
    ))
    assert isinstance(events[-1], Done)
    get, post = transport.requests
    assert (get.method, get.url) == ("GET", f"{ROOT}/v1/runs/{RUN}")
    assert json.loads(post.body or b"")["input"]["tokens"] == {"i-1": "v1.from-status"}


async def test_a_broken_stream_is_picked_up_with_last_event_id_without_repeats() -> None:
    first = b"".join(event_frame(i + 1, e) for i, e in enumerate(RUN_EVENTS[:3]))
    cut = ScriptedResponse(200, {"x-remi-run-id": RUN}, [first[:-5], NetworkError("reset")])
    replay = stream(*RUN_EVENTS[1:], start=2)  # the server resends from id 2: 2 is a repeat
    transport = ScriptedTransport([cut, replay])
    agent = HttpAgent(ROOT, transport=transport, reconnect_delay=0)
    events = await collect(agent.chat("hi"))
    assert events == RUN_EVENTS
    reconnect = transport.requests[1]
    assert (reconnect.method, reconnect.url) == ("GET", f"{ROOT}/v1/runs/{RUN}/events")
    assert reconnect.headers["last-event-id"] == "2"  # the third frame arrived incomplete


async def test_a_stream_that_cannot_be_picked_up_ends_with_an_error_event() -> None:
    cut = ScriptedResponse(200, {"x-remi-run-id": RUN}, [event_frame(1, RUN_EVENTS[0])])
    down = NetworkError("connection refused")
    transport = ScriptedTransport([cut, down, error(503, "store_error", "busy"), down])
    agent = HttpAgent(ROOT, transport=transport, reconnects=3, reconnect_delay=0)
    events = await collect(agent.chat("hi"))
    assert types(events) == ["run_start", "error"]
    last = events[-1]
    assert isinstance(last, ErrorEvent) and last.code == "remote_unavailable"
    assert RUN in last.message and "3 reconnect" in last.message
    assert transport.remaining == 0


async def test_cancelling_the_ctx_asks_the_server_to_cancel() -> None:
    held = ScriptedResponse(200, {"x-remi-run-id": RUN}, [event_frame(1, RUN_EVENTS[0]), Stall()])
    status = {"run_id": RUN, "thread_id": "t", "status": "cancelled", "last_event_id": 2}
    transport = ScriptedTransport([held, ScriptedResponse.json(200, status)])
    agent = HttpAgent(ROOT, transport=transport, cancel_wait=0.05)
    ctx = ChatCtx()
    events: list[AgentEvent] = []
    async for event in agent.chat("hi", ctx):
        events.append(event)
        ctx.cancel()  # the server never confirms here: the agent stops after cancel_wait
    assert types(events) == ["run_start", "cancelled"]
    assert isinstance(events[-1], Cancelled) and events[-1].run_id == RUN
    cancel = transport.requests[1]
    assert (cancel.method, cancel.url) == ("POST", f"{ROOT}/v1/runs/{RUN}/cancel")


@pytest.mark.parametrize(
    ("answer", "kind", "code"),
    [
        (error(422, "invalid_request", "bad", "input.messages.0.content"), RemoteRefusal, "invalid_request"),
        (error(404, "run_not_found", "no run"), RunNotFound, "run_not_found"),
        (error(401, "unauthorized", "token"), RemoteAuthError, "unauthorized"),
        (error(403, "approval_invalid", "forged"), ApprovalRefused, "approval_invalid"),
        (ScriptedResponse(502, {}, [b"<html>bad gateway</html>"]), RemoteUnavailable, None),
    ],
)
async def test_refusals_raise_typed_errors_before_any_event(
    answer: ScriptedResponse, kind: type[Exception], code: str | None
) -> None:
    agent = HttpAgent(ROOT, transport=ScriptedTransport([answer]))
    with pytest.raises(kind) as raised:
        await collect(agent.chat("hi"))
    if isinstance(raised.value, RemoteRefusal):
        assert raised.value.remote_code == code and raised.value.status == answer.status
    if code == "invalid_request":
        assert raised.value.field == "input.messages.0.content"  # type: ignore[attr-defined]


async def test_an_unreachable_server_raises_remote_unavailable() -> None:
    agent = HttpAgent(ROOT, transport=ScriptedTransport([NetworkError("cannot reach agents.test")]))
    with pytest.raises(RemoteUnavailable, match="agents.test"):
        await collect(agent.chat("hi"))


def test_approval_tokens_bind_the_run_the_interrupt_and_the_arguments() -> None:
    signer = ApprovalSigner(b"k" * 32)
    token = signer.sign("run", "interrupt", '{"amount": 5}')
    assert token.startswith("v1.") and signer.verify(token, "run", "interrupt", '{"amount": 5}')
    assert not signer.verify(token, "other-run", "interrupt", '{"amount": 5}')
    assert not signer.verify(token, "run", "other-interrupt", '{"amount": 5}')
    assert not signer.verify(token, "run", "interrupt", '{"amount": 500}')
    assert not ApprovalSigner(b"x" * 32).verify(token, "run", "interrupt", '{"amount": 5}')
    assert not signer.verify(token[:-1], "run", "interrupt", '{"amount": 5}')
    with pytest.raises(ValueError):
        ApprovalSigner(b"short")
    assert "k" * 8 not in repr(signer)
