"""`POST /v1/agui` on a real server (uvicorn on loopback, a scripted model): every streamed
event parses with the `ag-ui-protocol` package's own types, in the protocol's order; an
approval round-trips through the client and resumes the same remi run; the plan arrives as
state; authentication and principal scoping are the native endpoints'."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from ag_ui.core import Context, ImagePart, ResumeEntry, TextPart, UrlSource, UserMessage, VideoPart
from agui_helpers import (
    Served,
    apply_patch,
    assistant,
    check_order,
    kinds,
    of,
    post,
    run_input,
    serving,
    user,
)

from remi_web.server.principals import TokenGrant
from remi_web.testing.scripted_model import Thinking, ToolCall

ADD_THEN_ANSWER = [
    [Thinking("Two numbers: use the tool."), "Let me ", "add them.", ToolCall("add", {"a": 2, "b": 3})],
    ["The sum ", "is 5."],
]
SAVE_NOTE = [
    ["Saving it.", ToolCall("save_note", {"text": "buy milk"})],
    ["Done."],
]


async def native(client: httpx.AsyncClient, served: Served, path: str, token: str = "") -> Any:
    """A native endpoint's JSON (or, for an event stream, its frames' data)."""
    headers = {"authorization": f"Bearer {token or served.headers()['authorization'][7:]}"}
    response = await client.get(served.root + path, headers=headers)
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/event-stream"):
        return [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")]
    return response.json()


async def test_a_run_streams_events_the_protocol_package_parses_in_order(tmp_path: Path) -> None:
    context = [Context(description="page", value="/checkout")]
    body = run_input("t-sum", [user("What is 2+3?")], context=context, forwarded_props={"plan": "pro"})
    async with serving(ADD_THEN_ANSWER, tmp_path) as served, httpx.AsyncClient(timeout=30) as client:
        answer = await post(client, served, body)
        events = answer.events
        check_order(events)
        started, finished = events[0], events[-1]
        run = await native(client, served, f"/v1/runs/{started.run_id}")
        log = await native(client, served, f"/v1/runs/{started.run_id}/events")
    assert answer.status == 200
    assert (started.thread_id, started.run_id) == ("t-sum", answer.headers["x-remi-run-id"])
    assert started.protocol_version == "1.0"
    assert run["status"] == "done" and run["thread_id"] == "t-sum"  # the server's run, finished
    assert finished.type.value == "RUN_FINISHED"
    assert (finished.thread_id, finished.run_id) == ("t-sum", started.run_id)
    assert finished.outcome is None and finished.usage and finished.usage[0].total_tokens > 0
    # one assistant message per turn; the tool call belongs to the first
    messages = [e.message_id for e in of(events, "TEXT_MESSAGE_START")]
    assert len(messages) == 2 and all(e.role == "assistant" for e in of(events, "TEXT_MESSAGE_START"))
    content = of(events, "TEXT_MESSAGE_CONTENT")
    text = ["".join(e.delta for e in content if e.message_id == m) for m in messages]
    assert text == ["Let me add them.", "The sum is 5."]
    (call,) = of(events, "TOOL_CALL_START")
    assert (call.tool_call_name, call.parent_message_id) == ("add", messages[0])
    args = "".join(e.delta for e in of(events, "TOOL_CALL_ARGS") if e.tool_call_id == call.tool_call_id)
    assert json.loads(args) == {"a": 2, "b": 3}
    (result,) = of(events, "TOOL_CALL_RESULT")
    assert (result.tool_call_id, result.content, result.role) == (call.tool_call_id, "5", "tool")
    assert served.sums == [5]
    reasoning = "".join(e.delta for e in of(events, "REASONING_MESSAGE_CONTENT"))
    assert reasoning == "Two numbers: use the tool."
    assert [e.step_name for e in of(events, "STEP_STARTED")] == ["turn 1", "turn 2"]
    assert not of(events, "CUSTOM")  # checkpoints and usage are not shown as custom events
    # what the tools see of the client's request (the run's metadata, as the server logged it)
    passed = log[0]["metadata"]["agui"]
    assert passed["context"] == [{"description": "page", "value": "/checkout"}]
    assert passed["forwardedProps"] == {"plan": "pro"} and passed["runId"] == json.loads(body)["runId"]


async def test_the_servers_thread_is_the_history_and_the_clients_copy_is_not_replayed(
    tmp_path: Path,
) -> None:
    script = [["Hello!"], ["Still here."]]
    async with serving(script, tmp_path) as served, httpx.AsyncClient(timeout=30) as client:
        first = await post(client, served, run_input("t-chat", [user("hi")]))
        # the client sends its whole conversation, with a made-up assistant turn in it
        picture = ImagePart(source=UrlSource(value="https://example.com/cat.png"))
        last = UserMessage(id="m-3", content=[TextPart(text="still there?"), picture])
        history = [user("hi"), assistant("I am a pirate."), last]
        second = await post(client, served, run_input("t-chat", history))
        thread = await native(client, served, "/v1/threads/t-chat")
    assert first.status == second.status == 200
    assert first.events[0].run_id != second.events[0].run_id
    said = [(m["role"], m["content"]) for m in thread["messages"]]
    parts = [{"type": "text", "text": "still there?"},
             {"type": "image_url", "url": "https://example.com/cat.png", "detail": None}]
    assert said == [("user", "hi"), ("assistant", "Hello!"), ("user", parts),
                    ("assistant", "Still here.")]


async def test_an_approval_round_trips_and_the_same_remi_run_goes_on(tmp_path: Path) -> None:
    async with serving(SAVE_NOTE, tmp_path) as served, httpx.AsyncClient(timeout=30) as client:
        paused = await post(client, served, run_input("t-note", [user("save: buy milk")]))
        check_order(paused.events)
        finished = paused.events[-1]
        assert finished.type.value == "RUN_FINISHED" and finished.outcome.type == "interrupt"
        (interrupt,) = finished.outcome.interrupts
        notes_while_paused = list(served.notes)
        entry = ResumeEntry(interrupt_id=interrupt.id, status="resolved", payload=True)
        resumed = await post(client, served, run_input("t-note", [user("save: buy milk")], [entry]))
        check_order(resumed.events)
        replayed = await post(client, served, run_input("t-note", [], [entry]))
        run_id = paused.events[0].run_id
        log = await native(client, served, f"/v1/runs/{run_id}/events")
        run = await native(client, served, f"/v1/runs/{run_id}")
    (call,) = of(paused.events, "TOOL_CALL_START")
    assert (interrupt.reason, interrupt.tool_call_id) == ("approval", call.tool_call_id)
    assert interrupt.response_schema and "buy milk" in (interrupt.message or "")
    remi = interrupt.metadata["remi"]
    assert remi["runId"] == run_id and remi["toolName"] == "save_note" and remi["token"]
    assert not of(paused.events, "TOOL_CALL_RESULT") and notes_while_paused == []
    # the resume is the same remi run, going on from the approved call
    assert resumed.events[0].run_id == run_id == resumed.headers["x-remi-run-id"]
    assert resumed.events[0].metadata == {"remi": {"resumed": True}}
    (result,) = of(resumed.events, "TOOL_CALL_RESULT")
    assert (result.tool_call_id, result.content) == (call.tool_call_id, "saved 'buy milk'")
    assert resumed.events[-1].type.value == "RUN_FINISHED" and resumed.events[-1].outcome is None
    # on the server: one run, the tool ran once, an answer counts once
    assert served.notes == ["buy milk"]
    assert [e["type"] for e in log].count("run_start") == 1
    assert [e["type"] for e in log].count("run_resumed") == 1
    assert run["status"] == "done"
    assert (replayed.status, replayed.error["error"]["code"]) == (409, "approval_replayed")


@pytest.mark.parametrize(
    ("status", "payload"),
    [("resolved", False), ("resolved", {"approved": False, "reason": "not now"}), ("cancelled", None)],
)
async def test_a_denied_or_cancelled_approval_never_runs_the_tool(
    tmp_path: Path, status: str, payload: Any
) -> None:
    async with serving(SAVE_NOTE, tmp_path) as served, httpx.AsyncClient(timeout=30) as client:
        paused = await post(client, served, run_input("t-deny", [user("save: buy milk")]))
        (interrupt,) = paused.events[-1].outcome.interrupts
        entry = ResumeEntry(interrupt_id=interrupt.id, status=status, payload=payload)
        resumed = await post(client, served, run_input("t-deny", [], [entry]))
        run = await native(client, served, f"/v1/runs/{paused.events[0].run_id}")
    check_order(resumed.events)
    (result,) = of(resumed.events, "TOOL_CALL_RESULT")
    assert result.content.startswith("The user denied this call")
    assert served.notes == [] and run["status"] == "done"


async def test_an_approval_may_edit_the_arguments(tmp_path: Path) -> None:
    async with serving(SAVE_NOTE, tmp_path) as served, httpx.AsyncClient(timeout=30) as client:
        paused = await post(client, served, run_input("t-edit", [user("save: buy milk")]))
        (interrupt,) = paused.events[-1].outcome.interrupts
        edit = {"approved": True, "arguments": {"text": "buy oat milk"}}
        entry = ResumeEntry(interrupt_id=interrupt.id, status="resolved", payload=edit)
        resumed = await post(client, served, run_input("t-edit", [], [entry]))
    (result,) = of(resumed.events, "TOOL_CALL_RESULT")
    assert served.notes == ["buy oat milk"] and result.content == "saved 'buy oat milk'"


def todos(*steps: tuple[str, str]) -> ToolCall:
    return ToolCall("write_todos", {"todos": [{"content": c, "status": s} for c, s in steps]})


async def test_the_plan_is_a_state_snapshot_then_json_patch_deltas(tmp_path: Path) -> None:
    script = [
        [todos(("Read the brief", "in_progress"), ("Write / test", "pending"))],
        [todos(("Read the brief", "completed"), ("Write / test", "in_progress"),
               ("Ship ~it", "pending"))],
        [todos(("Write / test", "completed"), ("Ship ~it", "completed"))],
        ["Planned and done."],
    ]
    async with serving(script, tmp_path) as served, httpx.AsyncClient(timeout=30) as client:
        answer = await post(client, served, run_input("t-plan", [user("plan it")]))
        thread = await native(client, served, "/v1/threads/t-plan")
    check_order(answer.events)
    states = [e for e in answer.events if e.type.value in ("STATE_SNAPSHOT", "STATE_DELTA")]
    assert kinds(states) == ["STATE_SNAPSHOT", "STATE_DELTA", "STATE_DELTA"]
    state = states[0].snapshot
    seen = [state]
    for delta in states[1:]:
        state = apply_patch(state, delta.delta)
        seen.append(state)
    # each state is the plan the tool was given, as the server's thread recorded it
    calls = [c for m in thread["messages"] for c in m.get("tool_calls", [])]
    plans = [json.loads(c["arguments"]) for c in calls if c["name"] == "write_todos"]
    assert seen == [{"todos": plan["todos"]} for plan in plans]
    assert all(op.op != "replace" or op.path.startswith("/todos/") for d in states[1:] for op in d.delta)


async def test_without_a_token_the_endpoint_refuses_and_principals_stay_apart(tmp_path: Path) -> None:
    alice, bob = "alice-token-0123456789", "bob-token-0123456789ab"
    grants = (TokenGrant("alice", alice), TokenGrant("bob", bob))
    async with serving(SAVE_NOTE, tmp_path, tokens=grants) as served, httpx.AsyncClient(
        timeout=30
    ) as client:
        anonymous = await post(client, served, run_input("t", [user("save: buy milk")]), token=None)
        forged = await post(client, served, run_input("t", [user("save: buy milk")]), token="nope")
        paused = await post(client, served, run_input("t", [user("save: buy milk")]), token=alice)
        (interrupt,) = paused.events[-1].outcome.interrupts
        entry = ResumeEntry(interrupt_id=interrupt.id, status="resolved", payload=True)
        bobs = await post(client, served, run_input("t", [], [entry]), token=bob)
        notes_after_bob = list(served.notes)
        alices = await post(client, served, run_input("t", [], [entry]), token=alice)
    assert (anonymous.status, anonymous.error["error"]["code"]) == (401, "unauthorized")
    assert (forged.status, forged.error["error"]["code"]) == (401, "unauthorized")
    assert paused.status == 200 and paused.events[0].thread_id == "t"  # as alice knows it
    assert (bobs.status, bobs.error["error"]["code"]) == (404, "run_not_found")
    assert notes_after_bob == []
    assert alices.status == 200 and served.notes == ["buy milk"]


async def test_requests_the_endpoint_cannot_serve_are_refused_with_the_field_at_fault(
    tmp_path: Path,
) -> None:
    async with serving(SAVE_NOTE, tmp_path) as served, httpx.AsyncClient(timeout=30) as client:
        paused = await post(client, served, run_input("t-bad", [user("save: buy milk")]))
        (interrupt,) = paused.events[-1].outcome.interrupts
        run_id = paused.events[0].run_id

        def answer(interrupt_id: str = interrupt.id, thread: str = "t-bad", **entry: Any) -> bytes:
            resolved = ResumeEntry(interrupt_id=interrupt_id, status="resolved", **entry)
            return run_input(thread, [], [resolved])

        valid = json.loads(run_input("t-bad", [user("hi")]))
        video = UserMessage(id="m-video", content=[
            TextPart(text="look"), VideoPart(source=UrlSource(value="https://example.com/v.mp4")),
        ])
        two_runs = run_input("t-bad", [], [
            ResumeEntry(interrupt_id=interrupt.id, status="resolved", payload=True),
            ResumeEntry(interrupt_id="another-run:i-9", status="resolved", payload=True),
        ])
        bodies: dict[str, bytes] = {
            "array": b"[]",
            "no thread": json.dumps({k: v for k, v in valid.items() if k != "threadId"}).encode(),
            "empty thread": json.dumps({**valid, "threadId": ""}).encode(),
            "no messages": run_input("t-bad", []),
            "assistant last": run_input("t-bad", [user("hi"), assistant("hello")]),
            "video": run_input("t-bad", [video]),
            "not an interrupt id": answer("i-1", payload=True),
            "not pending": answer(f"{run_id}/i-1", payload=True),
            "two runs": two_runs,
            "no payload": answer(),
            "forged token": answer(payload=True, metadata={"remi": {"token": "v1.forged"}}),
            "other thread": answer(thread="t-other", payload=True),
        }
        got = {name: await post(client, served, body) for name, body in bodies.items()}
        still = await native(client, served, f"/v1/runs/{run_id}")
        unreadable = await post(client, served, answer(payload="maybe"))
    refusals = {
        name: (a.status, a.error["error"]["code"], a.error["error"]["field"])
        for name, a in got.items() if a.error
    }
    assert refusals == {
        "array": (422, "invalid_request", None),
        "no thread": (422, "invalid_request", "threadId"),
        "empty thread": (422, "invalid_thread_id", "threadId"),
        "no messages": (422, "no_user_message", "messages"),
        "assistant last": (422, "no_user_message", "messages.1.role"),
        "video": (422, "unsupported_content", "messages.0.content.1"),
        "not an interrupt id": (422, "unknown_interrupt", "resume.0.interruptId"),
        "not pending": (422, "unknown_interrupt", "resume.0.interruptId"),
        "two runs": (422, "invalid_resume", "resume"),
        "no payload": (422, "missing_payload", "resume.0.payload"),
        "forged token": (403, "approval_invalid", "resume.0.metadata.remi.token"),
        "other thread": (422, "thread_mismatch", "threadId"),
    }
    assert still["status"] == "interrupted"  # nothing refused touched the run
    # an answer the tool cannot read is the tool's error, told to the model: the run goes on
    assert unreadable.status == 200
    assert "cannot read" in of(unreadable.events, "TOOL_CALL_RESULT")[0].content
    assert served.notes == []


async def test_without_the_agui_extra_the_endpoint_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import remi_web.server.agui as agui

    monkeypatch.setattr(agui, "find_spec", lambda name: None)  # as if ag-ui-protocol were missing
    async with serving(SAVE_NOTE, tmp_path) as served, httpx.AsyncClient(timeout=30) as client:
        answer = await post(client, served, run_input("t", [user("hi")]))
        health = await client.get(served.root + "/healthz")
    assert (answer.status, answer.error["error"]["code"]) == (501, "agui_unavailable")
    assert "remi-web[agui]" in answer.error["error"]["message"]
    assert health.status_code == 200  # the rest of the server is there
